package interventions

import (
	"slices"
	"testing"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/auth"
)

func TestSLAHoursPerPriorityAndContract(t *testing.T) {
	t.Parallel()
	h := func(v int32) *int32 { return &v }
	contrat := &db.InterventionContratTargetRow{DelaiUrgenteHeures: h(4), DelaiBasseHeures: h(100)}
	cases := []struct {
		priorite db.InterventionPriorite
		contrat  *db.InterventionContratTargetRow
		want     *int32
	}{
		{db.InterventionPrioriteUrgente, nil, h(2)},
		{db.InterventionPrioriteHaute, nil, h(24)},
		{db.InterventionPrioriteNormale, nil, h(72)},
		{db.InterventionPrioriteBasse, nil, h(168)},
		{db.InterventionPrioriteProgrammee, nil, nil},
		{db.InterventionPrioriteUrgente, contrat, h(4)},
		{db.InterventionPrioriteHaute, contrat, h(24)}, // the contract sets none: the default
		{db.InterventionPrioriteBasse, contrat, h(100)},
		{db.InterventionPrioriteProgrammee, contrat, nil},
	}
	for _, c := range cases {
		if got := slaHours(c.priorite, c.contrat); !equalPtr(got, c.want) {
			t.Errorf("slaHours(%s, %v) = %v, want %v", c.priorite, c.contrat != nil, got, c.want)
		}
	}
	created := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if d := deadline(created, h(24)); !d.Equal(created.Add(24*time.Hour)) || deadline(created, nil) != nil {
		t.Errorf("deadline %v", d)
	}
	if !followsSLA(created, deadline(created, h(72)), h(72)) || followsSLA(created, deadline(created, h(71)), h(72)) ||
		!followsSLA(created, nil, nil) {
		t.Error("followsSLA")
	}
}

func TestComputedFieldsFromTheRow(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	at := func(h float64) *time.Time { t := now.Add(time.Duration(h * float64(time.Hour))); return &t }
	i64 := func(v int64) *int64 { return &v }
	tech := i64(7)
	manager := callerOf(auth.Principal{Role: string(db.UserRoleResponsable)})
	own := callerOf(auth.Principal{Role: string(db.UserRoleTechnicien), TechnicienID: tech})
	cases := []struct {
		name   string
		row    Row
		retard bool
		delai  *float64
		sla    *bool
		total  int64
	}{
		{"open, in time", Row{Statut: db.InterventionStatutOuverte, DateLimite: at(5.5)}, false, ptr(5.5), nil, 0},
		{"running, late", Row{Statut: db.InterventionStatutEnCours, DateLimite: at(-2.25), TechnicienID: tech}, true, ptr(-2.25), nil, 0},
		{"no deadline", Row{Statut: db.InterventionStatutEnAttente}, false, nil, nil, 0},
		{"closed in time", Row{Statut: db.InterventionStatutCloturee, DateLimite: at(-1), DateCloture: at(-2),
			CoutMainOeuvre: i64(100), CoutPieces: i64(50)}, false, nil, ptr(true), 150},
		{"archived late", Row{Statut: db.InterventionStatutArchivee, DateLimite: at(-3), DateCloture: at(-2), CoutPieces: i64(9)},
			false, nil, ptr(false), 9},
		{"cancelled after the deadline", Row{Statut: db.InterventionStatutAnnulee, DateLimite: at(-3)}, false, nil, nil, 0},
	}
	for _, c := range cases {
		c.row.DbNow = now
		v := manager.view(c.row)
		if v.EstEnRetard != c.retard || !equalPtr(v.DelaiRestantHeures, c.delai) || !equalPtr(v.SlaRespecte, c.sla) || v.CoutTotal != c.total {
			t.Errorf("%s: retard %v delai %v sla %v total %d", c.name, v.EstEnRetard, v.DelaiRestantHeures, v.SlaRespecte, v.CoutTotal)
		}
	}
	running := Row{Statut: db.InterventionStatutEnCours, TechnicienID: tech, DbNow: now}
	if got := own.view(running).ActionsPossibles; !slices.Equal(got, []Action{Pause, Close}) {
		t.Errorf("own technicien: %v", got)
	}
	other := callerOf(auth.Principal{Role: string(db.UserRoleTechnicien), TechnicienID: i64(8)})
	if got := other.view(running).ActionsPossibles; len(got) != 0 || got == nil {
		t.Errorf("other technicien: %v", got)
	}
	open := Row{Statut: db.InterventionStatutOuverte, DbNow: now}
	if got := own.view(open).ActionsPossibles; !slices.Equal(got, []Action{Start}) {
		t.Errorf("a technicien may take an open intervention: %v", got)
	}
	if got := (caller{}).view(open).ActionsPossibles; len(got) != 0 {
		t.Errorf("client: %v", got)
	}
}
