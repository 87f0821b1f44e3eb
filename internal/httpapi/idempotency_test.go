package httpapi_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mif-erp/erp/internal/testenv"
)

// idemPost sends POST /equipements with an Idempotency-Key.
func idemPost(t *testing.T, env *testenv.Env, token, key, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.URL+"/equipements", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	tok := env.Token("responsable")
	machines := func(nom string) int {
		return countRows(t, env, "SELECT count(*) FROM equipements WHERE nom = $1", nom)
	}
	const body = `{"nom": "Pompe idempotente", "type": "pompe", "localisation": "Atelier", "frequence_entretien": "mensuel"}`

	first, fb := idemPost(t, env, tok, "key-1", body)
	if first.StatusCode != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d (replayed %q) %s", first.StatusCode, first.Header.Get("Idempotent-Replayed"), fb)
	}
	// The same request again, even with other white space and key order: the stored answer.
	for _, retry := range []string{body, `{"type":"pompe","localisation":"Atelier","frequence_entretien":"mensuel","nom":"Pompe idempotente"}`} {
		again, ab := idemPost(t, env, tok, "key-1", retry)
		if again.StatusCode != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" || string(ab) != string(fb) ||
			again.Header.Get("Location") != first.Header.Get("Location") || again.Header.Get("ETag") != first.Header.Get("ETag") ||
			!strings.HasPrefix(again.Header.Get("Content-Type"), "application/json") {
			t.Errorf("replay: %d replayed=%q Location %q ETag %q\n%s\nfirst: %s", again.StatusCode, again.Header.Get("Idempotent-Replayed"),
				again.Header.Get("Location"), again.Header.Get("ETag"), ab, fb)
		}
	}
	if n := machines("Pompe idempotente"); n != 1 {
		t.Errorf("%d machines created, want 1", n)
	}
	if n := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'equipement.created'"); n != 1 {
		t.Errorf("%d equipement.created audit rows, want 1", n)
	}

	// The same key with another body: 422, nothing created.
	other, ob := idemPost(t, env, tok, "key-1", `{"nom": "Autre pompe", "type": "pompe", "localisation": "Atelier"}`)
	if other.StatusCode != http.StatusUnprocessableEntity || machines("Autre pompe") != 0 {
		t.Errorf("same key, other body: %d %s", other.StatusCode, ob)
	} else if p := decodeProblem(t, ob); len(fieldsOf(p)) != 1 || fieldsOf(p)[0] != "Idempotency-Key" {
		t.Errorf("same key, other body: fields %v", fieldsOf(p))
	}

	// Keys are per user: another user's identical key and body runs (and meets the duplicate).
	admin := env.Token("admin")
	dup, db := idemPost(t, env, admin, "key-1", body)
	if dup.StatusCode != http.StatusConflict || dup.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("another user's key: %d replayed=%q %s", dup.StatusCode, dup.Header.Get("Idempotent-Replayed"), db)
	}
	// A stored 4xx is replayed too.
	dup2, db2 := idemPost(t, env, admin, "key-1", body)
	if dup2.StatusCode != http.StatusConflict || dup2.Header.Get("Idempotent-Replayed") != "true" || string(db2) != string(db) {
		t.Errorf("replayed 409: %d replayed=%q %s", dup2.StatusCode, dup2.Header.Get("Idempotent-Replayed"), db2)
	}
	// Without a key, every request runs.
	if resp, b := idemPost(t, env, tok, "", body); resp.StatusCode != http.StatusConflict {
		t.Errorf("without key: %d %s", resp.StatusCode, b)
	}
	if n := machines("Pompe idempotente"); n != 1 {
		t.Errorf("%d machines created, want 1", n)
	}
}

func TestIdempotencyKeyStillRunningAnswers409(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	tok := env.Token("responsable")
	const body = `{"nom": "Pompe en cours", "type": "pompe", "localisation": "Atelier"}`
	if resp, b := idemPost(t, env, tok, "running", body); resp.StatusCode != http.StatusCreated {
		t.Fatalf("first: %d %s", resp.StatusCode, b)
	}
	// Make the stored entry look like a request still running (claimed, not answered yet).
	if _, err := env.Pool.Exec(t.Context(), `UPDATE idempotency_keys SET status = NULL, headers = NULL, body = NULL WHERE key = 'running'`); err != nil {
		t.Fatal(err)
	}
	resp, b := idemPost(t, env, tok, "running", body)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(detailOf(decodeProblem(t, b)), "en cours") {
		t.Errorf("while running: %d %s", resp.StatusCode, b)
	}
	// Another body is still 422.
	if resp, b := idemPost(t, env, tok, "running", `{"nom": "X", "type": "pompe", "localisation": "Atelier"}`); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("while running, other body: %d %s", resp.StatusCode, b)
	}
	// A claim left unanswered for long (its server died) is taken over.
	if _, err := env.Pool.Exec(t.Context(), `UPDATE idempotency_keys SET created_at = now() - interval '10 minutes' WHERE key = 'running'`); err != nil {
		t.Fatal(err)
	}
	const other = `{"nom": "Pompe reprise", "type": "pompe", "localisation": "Atelier"}`
	if resp, b := idemPost(t, env, tok, "running", other); resp.StatusCode != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("abandoned claim: %d %s", resp.StatusCode, b)
	}
	// An entry older than 24 hours is ignored: the key runs a new request.
	if _, err := env.Pool.Exec(t.Context(), `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'running'`); err != nil {
		t.Fatal(err)
	}
	const third = `{"nom": "Pompe du lendemain", "type": "pompe", "localisation": "Atelier"}`
	if resp, b := idemPost(t, env, tok, "running", third); resp.StatusCode != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("expired entry: %d %s", resp.StatusCode, b)
	}
	if resp, _ := idemPost(t, env, tok, "running", third); resp.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the new answer is not stored")
	}
}

func TestIdempotencyKeyForgetsServerErrors(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	tok := env.Token("responsable")
	ctx := t.Context()
	// A trigger makes the first insert fail with an error the service does not expect (500).
	if _, err := env.Pool.Exec(ctx, `
		CREATE FUNCTION test_fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'panne simulée'; END $$;
		CREATE TRIGGER test_fail BEFORE INSERT ON equipements FOR EACH ROW EXECUTE FUNCTION test_fail_insert()`); err != nil {
		t.Fatal(err)
	}
	const body = `{"nom": "Pompe fragile", "type": "pompe", "localisation": "Atelier"}`
	if resp, b := idemPost(t, env, tok, "fragile", body); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("with the failing trigger: %d %s", resp.StatusCode, b)
	}
	if n := countRows(t, env, "SELECT count(*) FROM idempotency_keys WHERE key = 'fragile'"); n != 0 {
		t.Errorf("a 5xx answer was kept (%d rows)", n)
	}
	if _, err := env.Pool.Exec(ctx, `DROP TRIGGER test_fail ON equipements`); err != nil {
		t.Fatal(err)
	}
	resp, b := idemPost(t, env, tok, "fragile", body)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("retry after the 500: %d replayed=%q %s", resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), b)
	}
}

func TestConcurrentRetriesCreateOneMachine(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	tok := env.Token("responsable")
	const body = `{"nom": "Pompe concurrente", "type": "pompe", "localisation": "Atelier"}`
	const n = 12
	var wg sync.WaitGroup
	statuses := make([]int, n)
	replayed := make([]bool, n)
	running := make([]bool, n) // a 409 because the first one still runs
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, b := idemPost(t, env, tok, "same-key", body)
			statuses[i] = resp.StatusCode
			running[i] = strings.Contains(string(b), "encore en cours")
			replayed[i] = resp.Header.Get("Idempotent-Replayed") == "true"
		}()
	}
	wg.Wait()
	fresh := 0
	for i, s := range statuses {
		switch {
		case s == http.StatusCreated && !replayed[i]:
			fresh++
		case s == http.StatusCreated && replayed[i], s == http.StatusConflict && running[i] && !replayed[i]:
		default:
			t.Errorf("request %d: %d (replayed %v), want 201 or 409 while running", i, s, replayed[i])
		}
	}
	t.Logf("statuses %v, replayed %v", statuses, replayed)
	if fresh != 1 {
		t.Errorf("%d requests ran, want 1 (statuses %v)", fresh, statuses)
	}
	if c := countRows(t, env, "SELECT count(*) FROM equipements WHERE nom = 'Pompe concurrente'"); c != 1 {
		t.Errorf("%d machines created, want 1", c)
	}
}
