package httpapi_test

import (
	"fmt"
	"strconv"
)

// Rows of the RBAC matrix for the maintenance domain (DESIGN section 9, roles table). Calls by a
// client target rows of its own company, since other rows answer 404 by design.
var (
	managers       = []string{"admin", "responsable"}
	staff          = []string{"admin", "responsable", "technicien"}
	managersClient = []string{"admin", "responsable", "client"}
)

func init() {
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	rows := map[string]rbacRow{
		// Equipment: write admin/responsable; read staff and a client its own.
		"listEquipements": {allowed: everyAccount, request: noBody},
		"getEquipement": {allowed: everyAccount, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			c := f.demoClientCompany()
			return map[string]string{"equipement_id": id(f.freshEquipement(&c))}, "", ""
		}},
		"createEquipement": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			n := f.seq.Add(1)
			return nil, "application/json", fmt.Sprintf(`{"nom":"Machine RBAC %d","type":"pompe","localisation":"Atelier"}`, n)
		}},
		"updateEquipement": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"equipement_id": id(f.freshEquipement(nil))}, "application/json", `{"localisation":"Atelier B"}`
		}},
		"deleteEquipement": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"equipement_id": id(f.freshEquipement(nil))}, "", ""
		}},
		// Technicians and competences: write admin/responsable; read staff.
		"listTechniciens": {allowed: staff, request: noBody},
		"getTechnicien": {allowed: staff, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"technicien_id": id(f.freshTechnicien())}, "", ""
		}},
		"createTechnicien": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return nil, "application/json", fmt.Sprintf(`{"user_id":%d,"equipe":"A"}`, f.freshUser())
		}},
		"updateTechnicien": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"technicien_id": id(f.freshTechnicien())}, "application/json", `{"equipe":"B"}`
		}},
		"deleteTechnicien": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"technicien_id": id(f.freshTechnicien())}, "", ""
		}},
		"addTechnicienCompetence": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"technicien_id": id(f.freshTechnicien())}, "application/json",
				fmt.Sprintf(`{"competence_id":%d,"niveau":"avance"}`, f.freshCompetence())
		}},
		"updateTechnicienCompetence": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			t, c := f.freshTechnicienWithCompetence()
			return map[string]string{"technicien_id": id(t), "competence_id": id(c)}, "application/json", `{"niveau":"expert"}`
		}},
		"removeTechnicienCompetence": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			t, c := f.freshTechnicienWithCompetence()
			return map[string]string{"technicien_id": id(t), "competence_id": id(c)}, "", ""
		}},
		"listCompetences": {allowed: staff, request: noBody},
		"createCompetence": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return nil, "application/json", fmt.Sprintf(`{"nom":"compétence rbac %d"}`, f.seq.Add(1))
		}},
		"updateCompetence": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"competence_id": id(f.freshCompetence())}, "application/json", `{"domaine":"Hydraulique"}`
		}},
		"deleteCompetence": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"competence_id": id(f.freshCompetence())}, "", ""
		}},
		// Clients and contracts: write admin/responsable; a client reads its own.
		"listClients": {allowed: managersClient, request: noBody},
		"getClient": {allowed: managersClient, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"client_id": id(f.demoClientCompany())}, "", ""
		}},
		"createClient": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			n := f.seq.Add(1)
			return nil, "application/json", fmt.Sprintf(
				`{"user_id":%d,"nom_entreprise":"Entreprise RBAC %d","nom_contact":"Contact","email":"rbac%d@client.ma"}`,
				f.freshClientUser(), n, n)
		}},
		"updateClient": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"client_id": id(f.freshClientCompany())}, "application/json", `{"ville":"Rabat"}`
		}},
		"deleteClient": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"client_id": id(f.freshClientCompany())}, "", ""
		}},
		"listContrats": {allowed: managersClient, request: noBody},
		"getContrat": {allowed: managersClient, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"contrat_id": id(f.freshContrat(f.demoClientCompany()))}, "", ""
		}},
		"createContrat": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return nil, "application/json", fmt.Sprintf(
				`{"client_id":%d,"numero_contrat":"CTR-RBAC-%d","nom_contrat":"Contrat","type_contrat":"maintenance_complete","date_debut":"2026-01-01","date_fin":"2026-12-31"}`,
				f.freshClientCompany(), f.seq.Add(1))
		}},
		"updateContrat": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"contrat_id": id(f.freshContrat(f.freshClientCompany()))}, "application/json", `{"statut":"suspendu"}`
		}},
		"deleteContrat": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"contrat_id": id(f.freshContrat(f.freshClientCompany()))}, "", ""
		}},
	}
	for k, v := range rows {
		rbacMatrix[k] = v
	}
}

func (f *rbacFixture) insert(sql string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.env.Pool.QueryRow(f.t.Context(), sql, args...).Scan(&id); err != nil {
		f.t.Fatalf("fixture %q: %v", sql, err)
	}
	return id
}

// demoClientCompany returns the company of the demo client account, creating it if needed.
func (f *rbacFixture) demoClientCompany() int64 {
	f.t.Helper()
	return f.insert(`WITH u AS (SELECT id FROM users WHERE username = 'client'),
		ins AS (INSERT INTO clients (user_id, nom_entreprise, nom_contact, email)
			SELECT id, 'Société ABC', 'Karim Alaoui', 'contact@abc.ma' FROM u
			ON CONFLICT (user_id) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT c.id FROM clients c JOIN u ON c.user_id = u.id LIMIT 1`)
}

func (f *rbacFixture) freshEquipement(clientID *int64) int64 {
	return f.insert(`INSERT INTO equipements (nom, type_equipement, localisation, client_id)
		VALUES ($1, 'pompe', 'Atelier', $2) RETURNING id`, fmt.Sprintf("Equipement fixture %d", f.seq.Add(1)), clientID)
}

func (f *rbacFixture) freshTechnicien() int64 {
	return f.insert(`INSERT INTO techniciens (user_id, equipe) VALUES ($1, 'A') RETURNING id`, f.freshUser())
}

func (f *rbacFixture) freshCompetence() int64 {
	return f.insert(`INSERT INTO competences (nom) VALUES ($1) RETURNING id`, fmt.Sprintf("compétence fixture %d", f.seq.Add(1)))
}

func (f *rbacFixture) freshTechnicienWithCompetence() (int64, int64) {
	t, c := f.freshTechnicien(), f.freshCompetence()
	if _, err := f.env.Pool.Exec(f.t.Context(),
		`INSERT INTO technicien_competences (technicien_id, competence_id) VALUES ($1, $2)`, t, c); err != nil {
		f.t.Fatal(err)
	}
	return t, c
}

func (f *rbacFixture) freshClientUser() int64 {
	n := f.seq.Add(1)
	return f.insert(`INSERT INTO users (username, full_name, email, password_hash, role)
		VALUES ($1, $2, $3, 'x', 'client') RETURNING id`,
		fmt.Sprintf("clientfix%d", n), fmt.Sprintf("Client %d", n), fmt.Sprintf("clientfix%d@example.com", n))
}

func (f *rbacFixture) freshClientCompany() int64 {
	n := f.seq.Add(1)
	return f.insert(`INSERT INTO clients (user_id, nom_entreprise, nom_contact, email)
		VALUES ($1, $2, 'Contact', 'c@example.com') RETURNING id`, f.freshClientUser(), fmt.Sprintf("Entreprise fixture %d", n))
}

func (f *rbacFixture) freshContrat(clientID int64) int64 {
	return f.insert(`INSERT INTO contrats (client_id, numero_contrat, nom_contrat, type_contrat, date_debut, date_fin)
		VALUES ($1, $2, 'Contrat', 'maintenance_complete', '2026-01-01', '2026-12-31') RETURNING id`,
		clientID, fmt.Sprintf("CTR-FIX-%d", f.seq.Add(1)))
}
