package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Think is the pause of a virtual user between two requests: uniform in [Min, Max].
type Think struct{ Min, Max time.Duration }

// ParseThink reads "0", "1s" or a range "0.5s-2s".
func ParseThink(s string) (Think, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return Think{}, nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := time.ParseDuration(lo)
	if err != nil {
		return Think{}, fmt.Errorf("BENCH_THINK %q: %w", s, err)
	}
	b := a
	if isRange {
		if b, err = time.ParseDuration(hi); err != nil {
			return Think{}, fmt.Errorf("BENCH_THINK %q: %w", s, err)
		}
	}
	if a < 0 || b < a {
		return Think{}, fmt.Errorf("BENCH_THINK %q: want 0, a duration or a range min-max", s)
	}
	return Think{a, b}, nil
}

func (t Think) String() string {
	switch {
	case t.Max == 0:
		return "0"
	case t.Min == t.Max:
		return t.Min.String()
	}
	return t.Min.String() + "-" + t.Max.String()
}

func (t Think) pick(r *rand.Rand) time.Duration {
	if t.Max <= t.Min {
		return t.Min
	}
	return t.Min + time.Duration(r.Int64N(int64(t.Max-t.Min)))
}

// Account is a login of the virtual users.
type Account struct{ Email, Password string }

// Config of a load run.
type Config struct {
	BaseURL        string // e.g. http://127.0.0.1:8123/api/v1
	Users          int
	Admins         int // of Users, those running the admin mix
	Duration       time.Duration
	Think          Think
	User, Admin    Account
	EquipementID   []int64 // machines the created interventions go to (the mix only)
	InterventionID []int64 // existing interventions read by get_intervention
	// Open interventions and stocked parts of consume_piece (the mix only).
	OpenInterventionID, PieceID []int64
}

type op struct {
	name   string
	weight int
	do     func(c *vu) (int, error) // status code
}

// The original's mix (ANALYSIS 7.1) with its bugs fixed: regular users (responsables, who may
// create interventions) and admins.
var userMix = []op{
	{"list_equipements", 3, func(c *vu) (int, error) { return c.get("/equipements") }},
	{"list_interventions", 3, func(c *vu) (int, error) { return c.get("/interventions") }},
	{"get_intervention", 1, func(c *vu) (int, error) {
		return c.get(fmt.Sprintf("/interventions/%d", c.cfg.InterventionID[c.rnd.IntN(len(c.cfg.InterventionID))]))
	}},
	{"dashboard_stats", 2, func(c *vu) (int, error) { return c.get("/dashboard/stats") }},
	{"create_intervention", 1, func(c *vu) (int, error) {
		return c.post("/interventions", map[string]any{
			"titre":         fmt.Sprintf("Charge %d-%d : contrôle", c.id, c.rnd.Int64()),
			"description":   "Intervention créée par le banc de charge.",
			"type":          "corrective",
			"priorite":      "normale",
			"statut":        "ouverte",
			"equipement_id": c.cfg.EquipementID[c.rnd.IntN(len(c.cfg.EquipementID))],
		})
	}},
	{"consume_piece", 1, func(c *vu) (int, error) {
		iv := c.cfg.OpenInterventionID[c.rnd.IntN(len(c.cfg.OpenInterventionID))]
		return c.post(fmt.Sprintf("/interventions/%d/pieces", iv), map[string]any{
			"piece_id":  c.cfg.PieceID[c.rnd.IntN(len(c.cfg.PieceID))],
			"quantite":  1,
			"consommer": true,
		})
	}},
	{"list_techniciens", 1, func(c *vu) (int, error) { return c.get("/techniciens") }},
	{"list_planning", 1, func(c *vu) (int, error) { return c.get("/planning") }},
	{"health", 1, func(c *vu) (int, error) { return c.get("/health") }},
}

var adminMix = []op{
	{"list_users", 2, func(c *vu) (int, error) { return c.get("/users") }},
	{"create_equipement", 1, func(c *vu) (int, error) {
		n := c.rnd.Int64()
		return c.post("/equipements", map[string]any{
			"nom":          fmt.Sprintf("Banc %d-%d", c.id, n),
			"type":         "compresseur",
			"localisation": "Atelier banc de charge",
			"statut":       "operationnel",
		})
	}},
	{"dashboard_stats", 1, func(c *vu) (int, error) { return c.get("/dashboard/stats") }},
}

// FilterQuery is the filtered search of filter_interventions (the scale run): the original's
// filter endpoint with the open statuses and the high priorities, a responsable's worklist.
const FilterQuery = "statut=ouverte&statut=affectee&statut=en_cours&statut=en_attente&priorite=haute&priorite=urgente"

// SearchQuery is the text search of search_interventions (the scale run): FilterQuery and a word
// of the seeded titles and descriptions ("Fuite d'huile", "fuite visible").
const SearchQuery = "q=fuite&" + FilterQuery

// soloOps are run alone only (the scale run), never in the mix.
var soloOps = []op{
	{"filter_interventions", 0, func(c *vu) (int, error) { return c.get("/filters/interventions?" + FilterQuery) }},
	{"search_interventions", 0, func(c *vu) (int, error) { return c.get("/interventions?" + SearchQuery) }},
	{"kpis", 0, func(c *vu) (int, error) { return c.get("/kpis") }},
}

// findOp is the operation called name in the mixes or soloOps.
func findOp(name string) (op, bool) {
	for _, o := range slices.Concat(userMix, adminMix, soloOps) {
		if o.name == name {
			return o, true
		}
	}
	return op{}, false
}

// OperationNames lists the operations of the mix in report order.
func OperationNames() []string {
	var out []string
	seen := map[string]bool{}
	for _, o := range slices.Concat(userMix, adminMix) {
		if !seen[o.name] {
			seen[o.name] = true
			out = append(out, o.name)
		}
	}
	return out
}

// MixDescription says the mix in words, for the report.
func MixDescription() string {
	var u, a []string
	for _, o := range userMix {
		u = append(u, fmt.Sprintf("%s %d", o.name, o.weight))
	}
	for _, o := range adminMix {
		a = append(a, fmt.Sprintf("%s %d", o.name, o.weight))
	}
	return "users: " + strings.Join(u, ", ") + "; admins: " + strings.Join(a, ", ")
}

type vu struct {
	id    int
	cfg   *Config
	http  *http.Client
	token string // of its own account
	user  string // of a regular user (the operations run alone use it)
	auth  string // sent by the current run: token or user
	rnd   *rand.Rand
	ops   map[string]*Samples
}

func (c *vu) do(req *http.Request) (int, error) {
	req.Header.Set("Authorization", "Bearer "+c.auth)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

func (c *vu) get(path string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, c.cfg.BaseURL+path, nil)
	if err != nil {
		return 0, err
	}
	return c.do(req)
}

func (c *vu) post(path string, body any) (int, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequest(http.MethodPost, c.cfg.BaseURL+path, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

func login(hc *http.Client, base string, a Account) (string, error) {
	form := url.Values{"username": {a.Email}, "password": {a.Password}}
	resp, err := hc.PostForm(base+"/auth/token", form)
	if err != nil {
		return "", err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body) // drained, so the connection is reused
		resp.Body.Close()
	}()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return "", fmt.Errorf("login %s: %d %s", a.Email, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("login %s: no token (%v)", a.Email, err)
	}
	return tok.AccessToken, nil
}

// Result of a run: samples per operation, logins, and the measured duration.
type Result struct {
	Ops     map[string]*Samples
	Login   Samples
	Elapsed time.Duration
	Errors  []string // the first few error messages
}

// Session is a set of virtual users logged in once (before any clock starts) and the HTTP
// client they share: keep-alive, one idle connection per user kept, bodies read to the end.
// Its runs (the mix, then operations alone) reuse the tokens.
type Session struct {
	cfg   Config
	tr    *http.Transport
	vus   []*vu
	Login Samples
}

// Login logs cfg.Users virtual users in (the first cfg.Admins as cfg.Admin, the others as
// cfg.User), eight at a time.
func Login(ctx context.Context, cfg Config) (*Session, error) {
	if cfg.Users < 1 || len(cfg.InterventionID) == 0 || cfg.Admins >= cfg.Users {
		return nil, fmt.Errorf("bench: need at least one regular user and one intervention")
	}
	tr := &http.Transport{MaxIdleConns: cfg.Users * 2, MaxIdleConnsPerHost: cfg.Users * 2, IdleConnTimeout: time.Minute}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	s := &Session{cfg: cfg, tr: tr, vus: make([]*vu, cfg.Users)}
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range s.vus {
		acct := cfg.User
		if i < cfg.Admins {
			acct = cfg.Admin
		}
		s.vus[i] = &vu{id: i, cfg: &s.cfg, http: hc, rnd: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			t0 := time.Now()
			tok, err := login(hc, cfg.BaseURL, acct)
			mu.Lock()
			defer mu.Unlock()
			s.Login.Add(time.Since(t0), err == nil)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			s.vus[i].token = tok
		})
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		s.Close()
		return nil, firstErr
	}
	for i, c := range s.vus {
		c.user = c.token
		if i < cfg.Admins {
			c.user = s.vus[cfg.Admins].token // the first regular user's
		}
	}
	return s, nil
}

// Close drops the idle connections.
func (s *Session) Close() { s.tr.CloseIdleConnections() }

// Mix runs the mix for cfg.Duration with cfg.Think between requests (admins run the admin mix).
func (s *Session) Mix(ctx context.Context) (*Result, error) {
	if len(s.cfg.EquipementID) == 0 || len(s.cfg.OpenInterventionID) == 0 || len(s.cfg.PieceID) == 0 {
		return nil, fmt.Errorf("bench: the mix needs at least one machine, one open intervention and one stocked part")
	}
	picks := make([]func(*vu) op, len(s.vus))
	for i, c := range s.vus {
		mix := userMix
		if i < s.cfg.Admins {
			mix = adminMix
		}
		c.auth = c.token
		picks[i] = func(c *vu) op { return pickWeighted(mix, c.rnd) }
	}
	res := s.drive(ctx, s.cfg.Duration, s.cfg.Think, picks)
	res.Login = s.Login
	return res, nil
}

// Alone runs the operation name alone for d: every virtual user, as a regular user, sends it
// again and again without think time. The result holds name's samples only.
func (s *Session) Alone(ctx context.Context, name string, d time.Duration) (*Result, error) {
	o, ok := findOp(name)
	if !ok {
		return nil, fmt.Errorf("bench: unknown operation %q", name)
	}
	picks := make([]func(*vu) op, len(s.vus))
	for i, c := range s.vus {
		c.auth = c.user
		picks[i] = func(*vu) op { return o }
	}
	return s.drive(ctx, d, Think{}, picks), nil
}

// drive runs every virtual user for d: user i sends picks[i]'s operation, records it and thinks.
func (s *Session) drive(ctx context.Context, d time.Duration, think Think, picks []func(*vu) op) *Result {
	res := &Result{Ops: map[string]*Samples{}}
	runCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var errCount atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range s.vus {
		c.ops = map[string]*Samples{}
		wg.Go(func() {
			for runCtx.Err() == nil {
				o := picks[i](c)
				t0 := time.Now()
				code, err := o.do(c)
				took := time.Since(t0)
				if runCtx.Err() != nil && err != nil {
					break // cut by the end of the run: not counted
				}
				ok := err == nil && code >= 200 && code < 300
				sm := c.ops[o.name]
				if sm == nil {
					sm = &Samples{}
					c.ops[o.name] = sm
				}
				sm.Add(took, ok)
				if !ok && errCount.Add(1) <= 10 {
					mu.Lock()
					res.Errors = append(res.Errors, fmt.Sprintf("%s: status %d, %v", o.name, code, err))
					mu.Unlock()
				}
				if p := think.pick(c.rnd); p > 0 {
					select {
					case <-runCtx.Done():
					case <-time.After(p):
					}
				}
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	for _, c := range s.vus {
		for name, sm := range c.ops {
			if res.Ops[name] == nil {
				res.Ops[name] = &Samples{}
			}
			res.Ops[name].Merge(sm)
		}
	}
	return res
}

// Stats summarises the operation name of the result.
func (r *Result) Stats(name string) Stats {
	s := r.Ops[name]
	if s == nil {
		s = &Samples{}
	}
	return Summarise(name, s, r.Elapsed)
}

// Summarise turns a result into the stats of the report (operations in mix order, then overall).
func (r *Result) Summarise() (ops []Stats, overall Stats, loginStats Stats) {
	all := &Samples{}
	for _, name := range OperationNames() {
		s := r.Ops[name]
		if s == nil {
			s = &Samples{}
		}
		ops = append(ops, Summarise(name, s, r.Elapsed))
		all.Merge(s)
	}
	return ops, Summarise("", all, r.Elapsed), Summarise("login", &r.Login, r.Elapsed)
}
