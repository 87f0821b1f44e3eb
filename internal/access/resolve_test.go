package access_test

import (
	"testing"

	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

func TestResolveReadsTheProfileAndCompanyOfTheAccount(t *testing.T) {
	t.Parallel()
	pool := pg.NewPool(t, 2)
	ctx := t.Context()
	var techUser, techID, clientUser, clientID, bare int64
	err := pool.QueryRow(ctx, `
		WITH u AS (
		    INSERT INTO users (username, full_name, email, password_hash, role)
		    VALUES ('tech', 'Tech', 'tech@x.test', 'x', 'technicien'), ('cli', 'Cli', 'cli@x.test', 'x', 'client'),
		           ('bare', 'Bare', 'bare@x.test', 'x', 'client')
		    RETURNING id, username),
		t AS (INSERT INTO techniciens (user_id) SELECT id FROM u WHERE username = 'tech' RETURNING id, user_id),
		c AS (INSERT INTO clients (user_id, nom_entreprise, nom_contact, email)
		      SELECT id, 'ACME', 'Cli', 'cli@x.test' FROM u WHERE username = 'cli' RETURNING id, user_id)
		SELECT t.user_id, t.id, c.user_id, c.id, (SELECT id FROM u WHERE username = 'bare') FROM t, c`).
		Scan(&techUser, &techID, &clientUser, &clientID, &bare)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name          string
		p             auth.Principal
		tech, company *int64
	}{
		{"technicien", auth.Principal{UserID: techUser, Role: "technicien"}, &techID, nil},
		{"client", auth.Principal{UserID: clientUser, Role: "client", ClientID: &techID}, nil, &clientID},
		{"client without company", auth.Principal{UserID: bare, Role: "client", ClientID: &clientID}, nil, nil},
		{"deleted account", auth.Principal{UserID: -1, Role: "client", ClientID: &clientID}, nil, nil},
	} {
		p, err := access.Resolve(ctx, pool, c.p)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !eq(p.TechnicienID, c.tech) || !eq(p.ClientID, c.company) {
			t.Errorf("%s: profile %v company %v, want %v %v", c.name, p.TechnicienID, p.ClientID, c.tech, c.company)
		}
	}
}

func eq(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
