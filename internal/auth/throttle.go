package auth

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/platform"
)

// Failed logins are counted (OWASP authentication guidance) on three kinds of counters, so that
// wrong passwords from one address cannot lock an account's owner out elsewhere:
//
//   - pair: one account from one client address. MaxFailures failures lock that address out of
//     that account (even with the right password);
//   - address: one address, whatever the account. AddressMaxFailures failures throttle the
//     address for every account (password spraying);
//   - account: one account, whatever the address. AccountMaxFailures failures (an attack from
//     many addresses) lock the account, but only for the addresses that failed on it during
//     the window: an address without a recent failure still logs in with the right password.
//
// Every lock lasts Lockout, doubled for each further failure of its counter, at most 8x. The
// failures of a counter are forgotten once its window is over and its last lock ended a window
// ago. An unknown account is counted under its identifier exactly like an existing one, so the
// answers (401, or 429 with Retry-After) do not tell whether an account exists.
const (
	kindPair    = "pair"
	kindAddress = "address"
	kindAccount = "account"
)

// ThrottlePolicy says when failed logins lock and for how long.
type ThrottlePolicy struct {
	MaxFailures        int           // failures of one account from one address that lock that pair
	AddressMaxFailures int           // failures from one address, any account, that throttle it (0: 4x MaxFailures)
	AccountMaxFailures int           // failures on one account, any address, that lock it for addresses that failed (0: 10x MaxFailures)
	Window             time.Duration // failures older than this (and than a window after their lock) are forgotten
	Lockout            time.Duration // first lock; doubled for each further failure, at most 8x
}

// LockFor is how long an (account, address) pair is locked after `failures` failures (0: not locked).
func (p ThrottlePolicy) LockFor(failures int) time.Duration {
	return p.lockAfter(p.MaxFailures, failures)
}

// lockAfter is how long a counter with the given threshold is locked after `failures` failures.
func (p ThrottlePolicy) lockAfter(threshold, failures int) time.Duration {
	if threshold <= 0 || failures < threshold {
		return 0
	}
	factor := 1 << min(failures-threshold, 3)
	return p.Lockout * time.Duration(factor)
}

// threshold is the number of failures that locks a counter of the kind.
func (p ThrottlePolicy) threshold(kind string) int {
	switch kind {
	case kindAddress:
		if p.AddressMaxFailures > 0 {
			return p.AddressMaxFailures
		}
		return 4 * p.MaxFailures
	case kindAccount:
		if p.AccountMaxFailures > 0 {
			return p.AccountMaxFailures
		}
		return 10 * p.MaxFailures
	}
	return p.MaxFailures
}

// counter is the state of one counter at the time of an attempt.
type counter struct {
	failures    int
	windowStart time.Time
	lockedUntil *time.Time
}

// remembered reports whether the counter's failures still count at now.
func (p ThrottlePolicy) remembered(c counter, now time.Time) bool {
	forget := now.Add(-p.Window)
	return c.failures > 0 && (!c.windowStart.Before(forget) || (c.lockedUntil != nil && !c.lockedUntil.Before(forget)))
}

// refusal says whether an attempt is refused, for how long and because of which kind of counter,
// given the counters of its pair, its address and its account (absent ones are zero).
func (p ThrottlePolicy) refusal(now time.Time, counters map[string]counter) (time.Duration, string) {
	var (
		wait time.Duration
		kind string
	)
	lockedFor := func(k string) time.Duration {
		if u := counters[k].lockedUntil; u != nil && u.After(now) {
			return u.Sub(now)
		}
		return 0
	}
	consider := func(k string, d time.Duration) {
		if d > wait {
			wait, kind = d, k
		}
	}
	consider(kindPair, lockedFor(kindPair))
	consider(kindAddress, lockedFor(kindAddress))
	// The account-wide lock refuses only the addresses that failed on the account recently.
	if p.remembered(counters[kindPair], now) {
		consider(kindAccount, lockedFor(kindAccount))
	}
	return wait, kind
}

// loginKey is who attempts a login: the account (user:<id>, or login:<identifier> when no account
// has that identifier) and the client address ("" when unknown: no address counter then).
type loginKey struct {
	account    string
	address    string
	userID     int64  // 0 for an unknown account
	identifier string // as typed, for the audit
}

// newLoginKey is the key of an attempt with identifier from address, for the account userID
// (0: no such account).
func newLoginKey(identifier, address string, userID int64) loginKey {
	k := loginKey{account: identifierKey(identifier), address: address, userID: userID, identifier: identifier}
	if userID != 0 {
		k.account = accountKey(userID)
	}
	return k
}

// row is the (account, address) of the counter of a kind.
func (k loginKey) row(kind string) (account, address string) {
	switch kind {
	case kindAddress:
		return "", k.address
	case kindAccount:
		return k.account, ""
	}
	return k.account, k.address
}

// kinds are the counters an attempt counts on, in the order their rows are locked (the same
// order for every attempt, so two attempts never wait for each other's rows in a cycle).
func (k loginKey) kinds() []string {
	if k.address == "" {
		return []string{kindPair, kindAccount}
	}
	return []string{kindPair, kindAddress, kindAccount}
}

// throttle counts failed logins in PostgreSQL so that every replica shares the counters.
type throttle struct {
	pool   *pgxpool.Pool
	policy ThrottlePolicy
	now    func() time.Time
}

func accountKey(userID int64) string { return "user:" + strconv.FormatInt(userID, 10) }
func identifierKey(id string) string { return "login:" + strings.ToLower(strings.TrimSpace(id)) }

// lockedFor returns how long the attempt must still wait (0: it may proceed) and the kind of
// counter that refuses it.
func (t *throttle) lockedFor(ctx context.Context, k loginKey) (time.Duration, string, error) {
	now := t.now()
	rows, err := db.New(t.pool).GetLoginCounters(ctx, db.GetLoginCountersParams{Account: k.account, Address: k.address})
	if err != nil {
		return 0, "", fmt.Errorf("read login counters: %w", err)
	}
	counters := make(map[string]counter, len(rows))
	for _, r := range rows {
		counters[r.Kind] = counter{failures: int(r.Failures), windowStart: r.WindowStart, lockedUntil: r.LockedUntil}
	}
	wait, kind := t.policy.refusal(now, counters)
	return wait, kind, nil
}

// fail counts one failure on each counter of the attempt, locks those that reach their threshold
// and audits each lock (auth.lockout), all in one transaction.
func (t *throttle) fail(ctx context.Context, k loginKey) error {
	now := t.now()
	return platform.InTx(ctx, t.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		for _, kind := range k.kinds() {
			account, address := k.row(kind)
			n, err := q.CountLoginFailure(ctx, db.CountLoginFailureParams{
				Account: account, Address: address, Kind: kind, Now: now, ForgetBefore: now.Add(-t.policy.Window),
			})
			if err != nil {
				return fmt.Errorf("count login failure: %w", err)
			}
			d := t.policy.lockAfter(t.policy.threshold(kind), int(n))
			if d == 0 {
				continue
			}
			err = q.LockLoginCounter(ctx, db.LockLoginCounterParams{Account: account, Address: address, Kind: kind, Until: now.Add(d)})
			if err != nil {
				return fmt.Errorf("lock login counter: %w", err)
			}
			if err := audit.Write(ctx, tx, k.lockoutEntry(kind, int(n), d)); err != nil {
				return err
			}
		}
		return nil
	})
}

// lockoutEntry is the audit entry of a lock of the attempt's counter of a kind.
func (k loginKey) lockoutEntry(kind string, failures int, d time.Duration) audit.Entry {
	e := audit.Entry{Action: "auth.lockout", Details: map[string]any{
		"kind": kind, "failures": failures, "locked_seconds": int(d / time.Second),
	}}
	if kind != kindAccount {
		e.Details["address"] = k.address
	}
	if kind == kindAddress {
		e.ResourceType, e.ResourceID = "client_address", k.address
		return e
	}
	e.Details["identifier"] = k.identifier
	if k.userID != 0 {
		e.ResourceType, e.ResourceID = "user", strconv.FormatInt(k.userID, 10)
	}
	return e
}

// clear forgets the failures of the attempt's account from its address, after a success there.
// The address's and the account's counters are kept: a success proves nothing about the other
// attempts they count.
func (t *throttle) clear(ctx context.Context, q db.DBTX, k loginKey) error {
	if err := db.New(q).ClearLoginPair(ctx, db.ClearLoginPairParams{Account: k.account, Address: k.address}); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// ClearAccountLock forgets the failed logins of an account, from every address (used when an
// admin reactivates it; `erp users unlock` uses UnlockAccount) and audits it (auth.unlock) when
// there were any. The actor is the caller in ctx.
func ClearAccountLock(ctx context.Context, q db.DBTX, userID int64) error {
	_, err := clearAccountLock(ctx, q, userID, "activate", false)
	return err
}

// clearAccountLock clears the account's counters and audits it, even when there were none if
// auditNone.
func clearAccountLock(ctx context.Context, q db.DBTX, userID int64, via string, auditNone bool) (int64, error) {
	n, err := db.New(q).ClearAccountLoginCounters(ctx, accountKey(userID))
	if err != nil {
		return 0, fmt.Errorf("clear account lock: %w", err)
	}
	if n == 0 && !auditNone {
		return 0, nil
	}
	e := audit.Entry{Action: "auth.unlock", ResourceType: "user", ResourceID: strconv.FormatInt(userID, 10),
		Details: map[string]any{"cleared_counters": n, "via": via}}
	if p, ok := PrincipalFrom(ctx); ok {
		e.ActorID, e.ActorRole = p.UserID, p.Role
	}
	if err := audit.Write(ctx, q, e); err != nil {
		return 0, err
	}
	return n, nil
}
