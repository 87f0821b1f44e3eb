package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestDeadlinesAreTheContractsForClientsAndNeverBeforeCreation: a client's request is due by its
// contract's response time (a deadline of its own, in the past say, would make it overdue at
// once and alert the responsables), and nobody sets a deadline before the intervention exists.
func TestDeadlinesAreTheContractsForClientsAndNeverBeforeCreation(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	own := f.machine(&f.company, nil)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	future := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	before := f.count(`SELECT count(*) FROM interventions`)

	for _, c := range []struct {
		name, token, deadline string
	}{
		{"a client, in the past", f.client, past},
		{"a client, in the future", f.client, future},
		{"a manager, in the past", f.admin, past},
	} {
		body := fmt.Sprintf(`{"titre":"x","type":"corrective","equipement_id":%d,"date_limite":%q}`, own, c.deadline)
		resp, b := f.do(http.MethodPost, "/api/v1/interventions", c.token, body, nil, false)
		wantIvProblem(t, c.name, resp, b, http.StatusUnprocessableEntity, "", "date_limite")
	}
	if n := f.count(`SELECT count(*) FROM interventions`); n != before {
		t.Errorf("refused requests created %d interventions", n-before)
	}
	if n := f.count(`SELECT count(*) FROM email_outbox`); n != 0 {
		t.Errorf("refused requests queued %d e-mails", n)
	}

	// Without one, a client's request gets the default response time; a manager may set a
	// future one, and may move it, never before the creation.
	body := fmt.Sprintf(`{"titre":"Fuite","type":"corrective","equipement_id":%d}`, own)
	resp, b := f.do(http.MethodPost, "/api/v1/interventions", f.client, body, nil, false)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("client request: %d %s", resp.StatusCode, b)
	}
	body = fmt.Sprintf(`{"titre":"Révision","type":"preventive","equipement_id":%d,"date_limite":%q}`, own, future)
	resp, b = f.do(http.MethodPost, "/api/v1/interventions", f.admin, body, nil, false)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("manager with a future deadline: %d %s", resp.StatusCode, b)
	}
	id := f.insert("ouverte", own, nil)
	resp, b = f.do(http.MethodPatch, ivPath(id), f.admin, `{"date_limite":"2001-01-01T00:00:00Z"}`, nil, false)
	wantIvProblem(t, "a deadline before the creation", resp, b, http.StatusUnprocessableEntity, "", "date_limite")
	resp, b = f.do(http.MethodPatch, ivPath(id), f.admin, fmt.Sprintf(`{"date_limite":%q}`, future), nil, false)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("moving the deadline later: %d %s", resp.StatusCode, b)
	}
}
