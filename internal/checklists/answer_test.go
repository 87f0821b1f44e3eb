package checklists

import (
	"testing"

	"github.com/mif-erp/erp/gen/db"
)

func TestCheckAnswerFollowsTheItemsKindAndBounds(t *testing.T) {
	lo, hi := 6.5, 8.0
	mesure := Item{Libelle: "Pression", TypeItem: db.TypeItemChecklistMesure, Mini: &lo, Maxi: &hi}
	for _, c := range []struct {
		v     float64
		ecart bool
	}{{7, false}, {6.5, false}, {8, false}, {6.4, true}, {8.01, true}} {
		p, err := checkAnswer(mesure, Reponse{Mesure: &c.v})
		if err != nil || p.Ecart != c.ecart {
			t.Errorf("measure %v: ecart %v err %v", c.v, p.Ecart, err)
		}
	}
	ouiNon := Item{Libelle: "Huile", TypeItem: db.TypeItemChecklistOuiNon}
	non, oui, peut := "non", "oui", "peut-être"
	if p, err := checkAnswer(ouiNon, Reponse{Reponse: &non}); err != nil || !p.Ecart {
		t.Errorf("non: %+v %v", p, err)
	}
	if p, err := checkAnswer(ouiNon, Reponse{Reponse: &oui}); err != nil || p.Ecart {
		t.Errorf("oui: %+v %v", p, err)
	}
	if _, err := checkAnswer(ouiNon, Reponse{Reponse: &peut}); err == nil {
		t.Error("peut-être accepted")
	}
	yes := true
	if _, err := checkAnswer(Item{TypeItem: db.TypeItemChecklistTexte}, Reponse{Coche: &yes}); err == nil {
		t.Error("a tick on a text item accepted")
	}
}
