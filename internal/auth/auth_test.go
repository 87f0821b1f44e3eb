package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordPolicyListsEveryBrokenRule(t *testing.T) {
	cases := []struct {
		pw   string
		want []string // substrings of the expected problems, in order
	}{
		{"Admin12345!", nil},
		{"Tech12345!", nil},
		{"Mötdepasse-9", nil},
		{"weakpass", []string{"10 caractères", "majuscule", "chiffre", "symbole"}},
		{"rightpwd123!", []string{"majuscule"}},
		{"RIGHTPWD123!", []string{"minuscule"}},
		{"Rightpwdxyz!", []string{"chiffre"}},
		{"Rightpwd1234", []string{"symbole"}},
		{"", []string{"10 caractères", "majuscule", "minuscule", "chiffre", "symbole"}},
		{"Aa1!" + strings.Repeat("x", 80), []string{"72 octets"}},
	}
	for _, tc := range cases {
		got := PasswordProblems(tc.pw)
		if len(got) != len(tc.want) {
			t.Errorf("%q: got %q, want %d problems", tc.pw, got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%q: problem %d = %q, want it to mention %q", tc.pw, i, got[i], w)
			}
		}
	}
}

func TestHasherVerifiesOnlyTheRightPassword(t *testing.T) {
	h, err := NewHasher(4)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash("Admin12345!")
	if err != nil {
		t.Fatal(err)
	}
	if !h.Verify(hash, "Admin12345!") || h.Verify(hash, "admin12345!") || h.Verify("", "Admin12345!") {
		t.Fatal("bcrypt verification is wrong")
	}
	if strings.Contains(hash, "Admin12345!") {
		t.Fatal("hash contains the password")
	}
}

func TestTokensRoundTripAndRejectTampering(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	tokens := NewTokens(key, 15*time.Minute)
	raw, issued, err := tokens.Issue(42, "technicien", "t@mif.ma", 3)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tokens.Verify(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != 42 || got.Role != "technicien" || got.Email != "t@mif.ma" || got.ID != issued.ID || got.ID == "" {
		t.Fatalf("claims lost: %+v", got)
	}
	if d := got.ExpiresAt.Sub(got.IssuedAt); d != 15*time.Minute {
		t.Errorf("lifetime %v, want 15m", d)
	}

	other := NewTokens([]byte("another-key-another-key-another-k"), 15*time.Minute)
	if _, err := other.Verify(raw); err == nil {
		t.Error("token signed with another key accepted")
	}
	parts := strings.Split(raw, ".")
	if _, err := tokens.Verify(parts[0] + "." + parts[1] + "x." + parts[2]); err == nil {
		t.Error("tampered payload accepted")
	}
	// alg=none with the same claims.
	if _, err := tokens.Verify("eyJhbGciOiJub25lIn0." + parts[1] + "."); err == nil {
		t.Error("unsigned token accepted")
	}
	if _, err := tokens.Verify("garbage"); err == nil {
		t.Error("garbage accepted")
	}

	later := NewTokens(key, 15*time.Minute)
	later.now = func() time.Time { return time.Now().Add(16 * time.Minute) }
	if _, err := later.Verify(raw); err == nil {
		t.Error("expired token accepted")
	}

	// A token verified once is remembered, but its times are still checked on every use.
	clock := time.Now()
	cached := NewTokens(key, 15*time.Minute)
	cached.now = func() time.Time { return clock }
	for range 2 {
		if got, err := cached.Verify(raw); err != nil || got.ID != issued.ID || got.UserID != 42 || got.Role != "technicien" ||
			!got.ExpiresAt.Equal(issued.ExpiresAt) || !got.IssuedAt.Equal(issued.IssuedAt) {
			t.Fatalf("verified again: %+v, %v; want %+v", got, err, issued)
		}
	}
	if len(cached.verified) != 1 {
		t.Errorf("%d tokens remembered, want 1", len(cached.verified))
	}
	clock = clock.Add(16 * time.Minute)
	if _, err := cached.Verify(raw); err == nil {
		t.Error("expired token accepted from the cache")
	}
	clock = issued.IssuedAt.Add(-time.Minute) // a clock set back before the token was issued
	if _, err := cached.Verify(raw); err == nil {
		t.Error("token issued in the future accepted from the cache")
	}
	if _, err := cached.Verify(parts[0] + "." + parts[1] + "." + parts[2] + "x"); err == nil {
		t.Error("a different signature accepted after the token was remembered")
	}
}

func TestVerifiedTokensCacheIsBounded(t *testing.T) {
	key := []byte("a-key-of-at-least-32-bytes-long!!")
	tokens := NewTokens(key, 15*time.Minute)
	for i := range verifiedCacheSize + 10 {
		raw, _, err := tokens.Issue(int64(i+1), "client", "c@mif.ma", 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Verify(raw); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(tokens.verified); n == 0 || n > verifiedCacheSize {
		t.Errorf("%d tokens remembered, want between 1 and %d", n, verifiedCacheSize)
	}
}

func TestRefreshTokensAreRandomAndStoredHashed(t *testing.T) {
	a, ha := NewRefreshToken()
	b, hb := NewRefreshToken()
	if a == b || string(ha) == string(hb) || len(a) < 40 {
		t.Fatalf("weak refresh tokens %q %q", a, b)
	}
	if string(HashRefreshToken(a)) != string(ha) {
		t.Fatal("hash is not stable")
	}
}

func TestLockoutGrowsProgressivelyAndIsCapped(t *testing.T) {
	p := ThrottlePolicy{MaxFailures: 5, Window: 15 * time.Minute, Lockout: 5 * time.Minute}
	want := map[int]time.Duration{1: 0, 4: 0, 5: 5 * time.Minute, 6: 10 * time.Minute, 7: 20 * time.Minute, 8: 40 * time.Minute, 20: 40 * time.Minute}
	for failures, d := range want {
		if got := p.LockFor(failures); got != d {
			t.Errorf("LockFor(%d) = %v, want %v", failures, got, d)
		}
	}
}

func TestLockoutThresholdsFollowMaxFailuresUnlessSet(t *testing.T) {
	p := ThrottlePolicy{MaxFailures: 5, Window: 15 * time.Minute, Lockout: 5 * time.Minute}
	if got := []int{p.threshold(kindPair), p.threshold(kindAddress), p.threshold(kindAccount)}; got[0] != 5 || got[1] != 20 || got[2] != 50 {
		t.Errorf("default thresholds %v, want [5 20 50]", got)
	}
	p.AddressMaxFailures, p.AccountMaxFailures = 7, 70
	if p.threshold(kindAddress) != 7 || p.threshold(kindAccount) != 70 {
		t.Error("explicit thresholds ignored")
	}
	// Each kind's lock grows the same way from its own threshold.
	if d := p.lockAfter(p.threshold(kindAccount), 72); d != 20*time.Minute {
		t.Errorf("account lock after 72 failures = %v, want 20m", d)
	}
}

func TestLockoutRefusesOnlyWhatIsLocked(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	p := ThrottlePolicy{MaxFailures: 5, Window: 15 * time.Minute, Lockout: 5 * time.Minute}
	at := func(d time.Duration) *time.Time { u := now.Add(d); return &u }
	recent := now.Add(-time.Minute)
	cases := []struct {
		name     string
		counters map[string]counter
		wait     time.Duration
		kind     string
	}{
		{"nothing counted", nil, 0, ""},
		{"failures under every threshold", map[string]counter{kindPair: {4, recent, nil}, kindAddress: {19, recent, nil}, kindAccount: {49, recent, nil}}, 0, ""},
		{"locked pair", map[string]counter{kindPair: {5, recent, at(3 * time.Minute)}}, 3 * time.Minute, kindPair},
		{"a lock that ended", map[string]counter{kindPair: {5, recent, at(-time.Second)}}, 0, ""},
		{"throttled address", map[string]counter{kindAddress: {20, recent, at(4 * time.Minute)}}, 4 * time.Minute, kindAddress},
		{"locked account, address without failures", map[string]counter{kindAccount: {50, recent, at(5 * time.Minute)}}, 0, ""},
		{"locked account, address with a failure", map[string]counter{kindPair: {1, recent, nil}, kindAccount: {50, recent, at(5 * time.Minute)}}, 5 * time.Minute, kindAccount},
		{"locked account, address whose failure is forgotten", map[string]counter{kindPair: {1, now.Add(-16 * time.Minute), nil},
			kindAccount: {50, recent, at(5 * time.Minute)}}, 0, ""},
		{"locked account, address whose lock ended within the window", map[string]counter{kindPair: {5, now.Add(-time.Hour), at(-10 * time.Minute)},
			kindAccount: {50, recent, at(5 * time.Minute)}}, 5 * time.Minute, kindAccount},
		{"the longest lock answers", map[string]counter{kindPair: {6, recent, at(10 * time.Minute)}, kindAddress: {20, recent, at(5 * time.Minute)},
			kindAccount: {60, recent, at(40 * time.Minute)}}, 40 * time.Minute, kindAccount},
	}
	for _, tc := range cases {
		wait, kind := p.refusal(now, tc.counters)
		if wait != tc.wait || kind != tc.kind {
			t.Errorf("%s: refused for %v (%q), want %v (%q)", tc.name, wait, kind, tc.wait, tc.kind)
		}
	}
}
