package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mif-erp/erp/internal/testenv"
)

// The login lockout counts failures per (account, client address), per address and per account
// (OWASP): a wrong password from one address must not lock the account's owner out elsewhere.
// The tests run behind a trusted proxy on the loopback, so X-Forwarded-For is the client address.

const (
	rightResponsable = "Responsable123!"
	wrongPassword    = "Wrong-pass-1"
)

// lockoutEnv is a server behind a trusted proxy on the loopback with a 120 s first lockout.
func lockoutEnv(t *testing.T, opts testenv.Options) *testenv.Env {
	t.Helper()
	all := testenv.Options{"TRUSTED_PROXIES": "127.0.0.1/32", "LOGIN_LOCKOUT_SECONDS": "120"}
	for k, v := range opts {
		all[k] = v
	}
	return testenv.NewEnv(t, pg, all)
}

// loginFrom posts a login to /auth/token as the client at addr.
func loginFrom(t *testing.T, env *testenv.Env, addr, identifier, password string) (*http.Response, []byte) {
	t.Helper()
	return platformSend(t, env.HTTP, env.Root, platformReq{method: http.MethodPost, path: "/api/v1/auth/token",
		header: map[string]string{"X-Forwarded-For": addr, "Content-Type": "application/x-www-form-urlencoded"},
		body:   testenv.Form("username", identifier, "password", password)})
}

// wantStatus fails the test unless the answer has the status.
func wantStatus(t *testing.T, what string, resp *http.Response, body []byte, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %s", what, resp.StatusCode, status, body)
	}
}

// wantLocked fails the test unless the answer is a 429 whose Retry-After is in [lo, hi] seconds.
func wantLocked(t *testing.T, what string, resp *http.Response, body []byte, lo, hi int) {
	t.Helper()
	wantStatus(t, what, resp, body, http.StatusTooManyRequests)
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs < lo || secs > hi {
		t.Fatalf("%s: Retry-After = %q, want between %d and %d", what, resp.Header.Get("Retry-After"), lo, hi)
	}
	if p := decodeProblem(t, body); p.Detail == nil || !strings.HasPrefix(*p.Detail, "Trop de tentatives échouées") {
		t.Errorf("%s: detail %v", what, p.Detail)
	}
}

// expireLocks ends every lock now, as if its time had passed (the failures stay counted).
func expireLocks(t *testing.T, env *testenv.Env) {
	t.Helper()
	if _, err := env.Pool.Exec(context.Background(),
		"UPDATE login_throttle SET locked_until = now() - interval '1 second' WHERE locked_until > now()"); err != nil {
		t.Fatal(err)
	}
}

// auditCount counts the audit entries of an action whose details match (e.g. kind = address).
func auditCount(t *testing.T, env *testenv.Env, action, detailKey, detailValue string) int {
	t.Helper()
	var n int
	err := env.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM audit_log WHERE action = $1 AND ($2 = '' OR details->>$2 = $3)",
		action, detailKey, detailValue).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLockoutLocksTheAttackersAddressNotTheAccountsOwner(t *testing.T) {
	t.Parallel()
	env := lockoutEnv(t, testenv.Options{"LOGIN_MAX_FAILURES": "3"})
	attacker, owner := "203.0.113.10", "198.51.100.20"
	for i := range 3 {
		resp, b := loginFrom(t, env, attacker, "responsable", wrongPassword)
		wantStatus(t, fmt.Sprintf("failure %d from the attacker", i+1), resp, b, http.StatusUnauthorized)
	}
	// The owner, from another address, logs in with the right password.
	resp, b := loginFrom(t, env, owner, "responsable", rightResponsable)
	wantStatus(t, "the owner from another address", resp, b, http.StatusOK)
	// The attacker's address is refused for that account, even with the right password...
	resp, b = loginFrom(t, env, attacker, "responsable", rightResponsable)
	wantLocked(t, "the attacker with the right password", resp, b, 100, 120)
	// ...but not for another account.
	resp, b = loginFrom(t, env, attacker, "technicien", "Tech12345!")
	wantStatus(t, "another account from the attacker's address", resp, b, http.StatusOK)
	// Each failure after a lock ends locks twice as long, at most 8x.
	for _, want := range []int{240, 480, 960, 960} {
		expireLocks(t, env)
		resp, b = loginFrom(t, env, attacker, "responsable", wrongPassword)
		wantStatus(t, "failure after the lock ended", resp, b, http.StatusUnauthorized)
		resp, b = loginFrom(t, env, attacker, "responsable", rightResponsable)
		wantLocked(t, fmt.Sprintf("lock of about %d s", want), resp, b, want-20, want)
		resp, b = loginFrom(t, env, owner, "responsable", rightResponsable)
		wantStatus(t, "the owner during a longer lock", resp, b, http.StatusOK)
	}
	if n := auditCount(t, env, "auth.lockout", "kind", "pair"); n != 5 {
		t.Errorf("auth.lockout entries of kind pair = %d, want 5", n)
	}
}

func TestLockoutThrottlesAnAddressSprayingManyAccounts(t *testing.T) {
	t.Parallel()
	env := lockoutEnv(t, testenv.Options{"LOGIN_MAX_FAILURES": "3", "LOGIN_ADDRESS_MAX_FAILURES": "4"})
	sprayer, other := "203.0.113.30", "198.51.100.31"
	// One password tried on many accounts, known or not: no pair reaches its threshold.
	for i, who := range []string{"admin", "responsable", "technicien", "ghost.one"} {
		resp, b := loginFrom(t, env, sprayer, who, wrongPassword)
		wantStatus(t, fmt.Sprintf("spray attempt %d (%s)", i+1, who), resp, b, http.StatusUnauthorized)
	}
	// The address is throttled for every account, even an untouched one with its right password.
	resp, b := loginFrom(t, env, sprayer, "client", "Client1234!")
	wantLocked(t, "the sprayer on another account", resp, b, 100, 120)
	resp, b = loginFrom(t, env, other, "admin", "Admin12345!")
	wantStatus(t, "a sprayed account from another address", resp, b, http.StatusOK)
	// The next failure after the throttle ends doubles it.
	expireLocks(t, env)
	resp, b = loginFrom(t, env, sprayer, "ghost.two", wrongPassword)
	wantStatus(t, "spray after the throttle ended", resp, b, http.StatusUnauthorized)
	resp, b = loginFrom(t, env, sprayer, "client", "Client1234!")
	wantLocked(t, "the sprayer again", resp, b, 220, 240)
	if n := auditCount(t, env, "auth.lockout", "kind", "address"); n != 2 {
		t.Errorf("auth.lockout entries of kind address = %d, want 2", n)
	}
}

func TestLockoutAccountWideStillLetsAFreshAddressIn(t *testing.T) {
	t.Parallel()
	env := lockoutEnv(t, testenv.Options{"LOGIN_MAX_FAILURES": "3", "LOGIN_ACCOUNT_MAX_FAILURES": "6"})
	type answer struct {
		status, retryAfter int
	}
	transcripts := map[string][]answer{}
	for _, who := range []string{"responsable", "ghost.account"} {
		var got []answer
		step := func(what, addr string, status, lo, hi int) {
			t.Helper()
			resp, b := loginFrom(t, env, addr, who, wrongPassword)
			what = who + ": " + what
			if status == http.StatusTooManyRequests {
				wantLocked(t, what, resp, b, lo, hi)
			} else {
				wantStatus(t, what, resp, b, status)
			}
			ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			got = append(got, answer{resp.StatusCode, (ra + 5) / 10})
		}
		// Two failures from each of three addresses: no pair is locked, the account is (6).
		for i, addr := range []string{"203.0.113.41", "203.0.113.42", "203.0.113.43"} {
			step(fmt.Sprintf("failure 1 from address %d", i+1), addr, http.StatusUnauthorized, 0, 0)
			step(fmt.Sprintf("failure 2 from address %d", i+1), addr, http.StatusUnauthorized, 0, 0)
		}
		// An address with failures is refused while the account is locked.
		step("an address with failures", "203.0.113.41", http.StatusTooManyRequests, 100, 120)
		// A fresh address gets its attempt; once it failed it is refused too (the 7th failure
		// doubles the account's lock).
		step("a fresh address", "198.51.100.44", http.StatusUnauthorized, 0, 0)
		step("the fresh address after its failure", "198.51.100.44", http.StatusTooManyRequests, 220, 240)
		transcripts[who] = got
	}
	if fmt.Sprint(transcripts["responsable"]) != fmt.Sprint(transcripts["ghost.account"]) {
		t.Errorf("a known and an unknown account answer differently:\n%v\n%v", transcripts["responsable"], transcripts["ghost.account"])
	}
	// The owner, from an address with no recent failure, logs in; an address with failures cannot.
	resp, b := loginFrom(t, env, "198.51.100.45", "responsable", rightResponsable)
	wantStatus(t, "the owner from a fresh address during the account-wide lock", resp, b, http.StatusOK)
	resp, b = loginFrom(t, env, "203.0.113.42", "responsable", rightResponsable)
	wantLocked(t, "the right password from an address with failures", resp, b, 220, 240)
	if n := auditCount(t, env, "auth.lockout", "kind", "account"); n != 4 {
		t.Errorf("auth.lockout entries of kind account = %d, want 4 (two per account)", n)
	}
}

func TestLockoutAnswersTheSameWhetherOrNotTheAccountExists(t *testing.T) {
	t.Parallel()
	env := lockoutEnv(t, testenv.Options{"LOGIN_MAX_FAILURES": "3"})
	// Each identifier from its own two addresses (a and b), the same steps.
	script := []struct {
		addr, path string
		status     int
	}{
		{"a", "/api/v1/auth/token", 401},
		{"a", "/api/v1/auth/login", 401},
		{"a", "/api/v1/auth/token", 401},
		{"a", "/api/v1/auth/token", 429},
		{"a", "/api/v1/auth/login", 429},
		{"b", "/api/v1/auth/login", 401},
		{"b", "/api/v1/auth/token", 401},
	}
	transcripts := map[string][]string{}
	for k, who := range []string{"responsable", "ghost.account", "technicien@mif.ma", "ghost@mif.ma"} {
		addrs := map[string]string{"a": fmt.Sprintf("203.0.113.%d", 51+k), "b": fmt.Sprintf("198.51.100.%d", 51+k)}
		for i, s := range script {
			resp, b := platformSend(t, env.HTTP, env.Root, platformReq{method: http.MethodPost, path: s.path,
				header: map[string]string{"X-Forwarded-For": addrs[s.addr], "Content-Type": "application/x-www-form-urlencoded"},
				body:   testenv.Form("username", who, "password", wrongPassword)})
			p := decodeProblem(t, b)
			if resp.StatusCode != s.status {
				t.Fatalf("%s step %d (%s from %s): status %d, want %d: %s", who, i+1, s.path, s.addr, resp.StatusCode, s.status, b)
			}
			ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			transcripts[who] = append(transcripts[who], fmt.Sprintf("%d %s %q www=%t", resp.StatusCode,
				strconv.Itoa((ra+5)/10), *p.Detail, resp.Header.Get("WWW-Authenticate") != ""))
		}
	}
	for _, pair := range [][2]string{{"responsable", "ghost.account"}, {"technicien@mif.ma", "ghost@mif.ma"}} {
		if a, b := strings.Join(transcripts[pair[0]], "\n"), strings.Join(transcripts[pair[1]], "\n"); a != b {
			t.Errorf("%s and %s answer differently:\n%s\n---\n%s", pair[0], pair[1], a, b)
		}
	}
}

func TestLockoutCountsParallelFailuresExactly(t *testing.T) {
	t.Parallel()
	const n = 12
	env := lockoutEnv(t, testenv.Options{"LOGIN_MAX_FAILURES": strconv.Itoa(n),
		"LOGIN_ADDRESS_MAX_FAILURES": strconv.Itoa(2 * n), "LOGIN_ACCOUNT_MAX_FAILURES": strconv.Itoa(n)})
	// parallel sends n wrong passwords at once for who, from addr(i), and wants n 401s.
	parallel := func(who string, addr func(i int) string) {
		t.Helper()
		statuses := make([]int, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				req, err := http.NewRequest(http.MethodPost, env.Root+"/api/v1/auth/token",
					testenv.Form("username", who, "password", wrongPassword))
				if err != nil {
					errs[i] = err
					return
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-For", addr(i))
				resp, err := env.HTTP.Do(req)
				if err != nil {
					errs[i] = err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				statuses[i] = resp.StatusCode
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || statuses[i] != http.StatusUnauthorized {
				t.Fatalf("%s: parallel failure %d: %d %v, want 401", who, i+1, statuses[i], errs[i])
			}
		}
	}
	attacker := "203.0.113.60"
	same := func(int) string { return attacker }

	// n failures at once on one account from one address: the pair has exactly n and is locked.
	parallel("responsable", same)
	resp, b := loginFrom(t, env, attacker, "responsable", rightResponsable)
	wantLocked(t, "the pair after n parallel failures", resp, b, 100, 120)
	resp, b = loginFrom(t, env, "198.51.100.61", "responsable", rightResponsable)
	wantStatus(t, "the owner from another address", resp, b, http.StatusOK)

	// n more at once on an unknown account: the address has exactly 2n and is throttled.
	parallel("ghost.parallel", same)
	resp, b = loginFrom(t, env, attacker, "technicien", "Tech12345!")
	wantLocked(t, "the address after 2n parallel failures", resp, b, 100, 120)

	// n at once on one account from n addresses: the account has exactly n and is locked.
	parallel("client", func(i int) string { return fmt.Sprintf("198.18.7.%d", i+1) })
	resp, b = loginFrom(t, env, "198.18.7.1", "client", "Client1234!")
	wantLocked(t, "an address with failures after n parallel failures on the account", resp, b, 100, 120)
	resp, b = loginFrom(t, env, "198.18.8.1", "client", "Client1234!")
	wantStatus(t, "the client from a fresh address", resp, b, http.StatusOK)

	// The counters hold exactly what was sent.
	for _, c := range []struct {
		kind, account, address string
		want                   int
	}{
		{"pair", "responsable", attacker, n}, // the owner's success cleared only the owner's pair
		{"address", "", attacker, 2 * n},
		{"account", "client", "", n},
		{"account", "ghost.parallel", "", n},
		{"pair", "ghost.parallel", attacker, n},
	} {
		var got int
		err := env.Pool.QueryRow(context.Background(), `
			SELECT coalesce(sum(t.failures), 0) FROM login_throttle t
			LEFT JOIN users u ON t.account = 'user:' || u.id
			WHERE t.kind = $1 AND t.address = $3
			  AND ($2 = '' AND t.account = '' OR t.account = 'login:' || $2 OR u.username = $2)`,
			c.kind, c.account, c.address).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s counter of %q/%q = %d, want %d", c.kind, c.account, c.address, got, c.want)
		}
	}
}
