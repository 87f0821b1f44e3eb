package auth

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/bcrypt"

	"github.com/mif-erp/erp/internal/apperr"
)

// MinPasswordLen is the policy's minimum length.
const MinPasswordLen = 10

// maxPasswordBytes is bcrypt's input limit; longer passwords would be silently truncated.
const maxPasswordBytes = 72

// PasswordProblems lists every rule the password breaks (empty when it is acceptable).
func PasswordProblems(pw string) []string {
	var out []string
	if len([]rune(pw)) < MinPasswordLen {
		out = append(out, fmt.Sprintf("Le mot de passe doit contenir au moins %d caractères", MinPasswordLen))
	}
	if len(pw) > maxPasswordBytes {
		out = append(out, fmt.Sprintf("Le mot de passe ne doit pas dépasser %d octets", maxPasswordBytes))
	}
	var upper, lower, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsPunct(r) || unicode.IsSymbol(r):
			symbol = true
		}
	}
	if !upper {
		out = append(out, "Le mot de passe doit contenir au moins une majuscule")
	}
	if !lower {
		out = append(out, "Le mot de passe doit contenir au moins une minuscule")
	}
	if !digit {
		out = append(out, "Le mot de passe doit contenir au moins un chiffre")
	}
	if !symbol {
		out = append(out, "Le mot de passe doit contenir au moins un symbole")
	}
	return out
}

// CheckPasswordPolicy returns a 422 error listing every broken rule, with field errors on field.
func CheckPasswordPolicy(field, pw string) error {
	problems := PasswordProblems(pw)
	if len(problems) == 0 {
		return nil
	}
	fields := make([]apperr.FieldError, len(problems))
	for i, p := range problems {
		fields[i] = apperr.FieldError{Field: field, Message: p}
	}
	return apperr.Invalid("Mot de passe invalide: "+strings.Join(problems, "; "), fields...)
}

// Hasher hashes and verifies passwords with bcrypt.
type Hasher struct {
	cost  int
	dummy []byte // hash compared against when the account does not exist, to equalise timing
}

// NewHasher returns a bcrypt hasher of the given cost.
func NewHasher(cost int) (*Hasher, error) {
	dummy, err := bcrypt.GenerateFromPassword([]byte("dummy-password-for-timing"), cost)
	if err != nil {
		return nil, fmt.Errorf("bcrypt cost %d: %w", cost, err)
	}
	return &Hasher{cost: cost, dummy: dummy}, nil
}

// Hash hashes a password.
func (h *Hasher) Hash(pw string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(pw), h.cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(b), nil
}

// Verify reports whether pw matches hash. An empty hash is compared against a dummy so that an
// unknown account costs as much time as a known one.
func (h *Hasher) Verify(hash, pw string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(h.dummy, []byte(pw))
		return false
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw))
	return err == nil && !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword)
}
