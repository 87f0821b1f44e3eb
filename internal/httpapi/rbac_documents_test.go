package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strconv"
	"strings"
)

// Rows of the RBAC matrix for documents (DESIGN section 9): every role uploads to and reads the
// documents of the interventions it may read (the targets are on the demo client's equipment and
// assigned to the demo technicien); only admins and responsables delete.

// rbacDocIntervention is the id of the intervention the original's upload calls name in their
// query string (the matrix's query strings are fixed, so the id is too).
const rbacDocIntervention = 900001

func init() {
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	onIntervention := func(f *rbacFixture, _ string) (map[string]string, string, string) {
		return map[string]string{"intervention_id": id(f.sharedIntervention("affectee"))}, "", ""
	}
	uploadTo := func(withPath bool) func(f *rbacFixture, caller string) (map[string]string, string, string) {
		return func(f *rbacFixture, caller string) (map[string]string, string, string) {
			ct, body := multipartFile("file", "rapport-"+caller+".txt", []byte("Rapport de "+caller+"\n"),
				map[string]string{"description": "Envoi RBAC", "categorie": "rapport"})
			if !withPath {
				f.fixedDocIntervention()
				return nil, ct, body.String()
			}
			params, _, _ := onIntervention(f, caller)
			return params, ct, body.String()
		}
	}
	onDocument := func(f *rbacFixture, _ string) (map[string]string, string, string) {
		return map[string]string{"document_id": id(f.freshDocument())}, "", ""
	}
	rows := map[string]rbacRow{
		"listDocuments":               {allowed: everyAccount, request: noBody},
		"listInterventionDocuments":   {allowed: everyAccount, request: onIntervention},
		"listDocumentsByIntervention": {allowed: everyAccount, request: onIntervention},
		"uploadInterventionDocument":  {allowed: everyAccount, request: uploadTo(true)},
		"uploadDocument":              {allowed: everyAccount, query: fmt.Sprintf("intervention_id=%d", rbacDocIntervention), request: uploadTo(false)},
		"uploadDocumentAlias":         {allowed: everyAccount, query: fmt.Sprintf("intervention_id=%d", rbacDocIntervention), request: uploadTo(false)},
		"getDocument":                 {allowed: everyAccount, request: onDocument},
		"downloadDocument":            {allowed: everyAccount, request: onDocument},
		"deleteDocument":              {allowed: managers, request: onDocument},
	}
	for k, v := range rows {
		rbacMatrix[k] = v
	}
}

// fixedDocIntervention makes sure intervention rbacDocIntervention exists, readable by every
// role (demo client's equipment, assigned to the demo technicien).
func (f *rbacFixture) fixedDocIntervention() {
	f.t.Helper()
	c := f.demoClientCompany()
	e := f.freshEquipement(&c)
	tech := f.demoTechnicien()
	if _, err := f.env.Pool.Exec(f.t.Context(), `INSERT INTO interventions (id, titre, type_intervention, statut,
			equipement_id, client_id, technicien_id, date_affectation)
		OVERRIDING SYSTEM VALUE VALUES ($1, 'Intervention RBAC documents', 'corrective', 'affectee', $2, $3, $4, now())
		ON CONFLICT (id) DO NOTHING`, rbacDocIntervention, e, c, tech); err != nil {
		f.t.Fatalf("fixed intervention: %v", err)
	}
}

// freshDocument uploads a small document (as admin) to a shared intervention and returns its id.
func (f *rbacFixture) freshDocument() int64 {
	f.t.Helper()
	iv := f.sharedIntervention("affectee")
	ct, body := multipartFile("file", "fiche.txt", []byte("Fiche d'intervention\n"), nil)
	resp, b := f.env.Do("POST", fmt.Sprintf("/api/v1/interventions/%d/documents", iv), f.env.Token("admin"), ct, body, false)
	if resp.StatusCode != 201 {
		f.t.Fatalf("fixture upload: %d %s", resp.StatusCode, b)
	}
	var d struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		f.t.Fatal(err)
	}
	return d.ID
}

// multipartFile builds a multipart/form-data body with one file part (named field) and the
// given text fields; it returns the content type and the body.
func multipartFile(field, filename string, content []byte, fields map[string]string) (string, *bytes.Buffer) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if field != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, field,
			strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(filename)))
		h.Set("Content-Type", "application/octet-stream")
		p, _ := w.CreatePart(h)
		_, _ = p.Write(content)
	}
	_ = w.Close()
	return w.FormDataContentType(), &buf
}
