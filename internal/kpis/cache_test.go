package kpis

import (
	"testing"
	"time"

	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/auth"
)

func TestCacheKeepsUntilExpiryAndBoundsItsSize(t *testing.T) {
	c := &cache{ttl: time.Minute}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c.put("a", Result{Granularite: Jour}, now)
	if r, ok := c.get("a", now.Add(59*time.Second)); !ok || r.Granularite != Jour {
		t.Errorf("kept figures not served")
	}
	if _, ok := c.get("a", now.Add(time.Minute)); ok {
		t.Errorf("expired figures served")
	}
	for i := range maxCached + 10 {
		c.put(string(rune('b'+i)), Result{}, now.Add(time.Duration(i)*time.Second))
	}
	if len(c.kept) > maxCached {
		t.Errorf("%d kept, at most %d", len(c.kept), maxCached)
	}
}

func TestCacheKeyTellsScopesAndRequestsApart(t *testing.T) {
	w, err := newWindow(Params{From: ptr(date(2026, 3, 1)), To: ptr(date(2026, 3, 10))}, date(2026, 12, 6))
	if err != nil {
		t.Fatal(err)
	}
	one, two := int64(1), int64(2)
	keys := map[string]string{
		"admin":         key(access.For(auth.Principal{Role: "admin"}), w, Params{}, RegleEcheance),
		"client 1":      key(access.For(auth.Principal{Role: "client", ClientID: &one}), w, Params{}, RegleEcheance),
		"client 2":      key(access.For(auth.Principal{Role: "client", ClientID: &two}), w, Params{}, RegleEcheance),
		"technicien 1":  key(access.For(auth.Principal{Role: "technicien", TechnicienID: &one}), w, Params{}, RegleEcheance),
		"machine 1":     key(access.For(auth.Principal{Role: "admin"}), w, Params{EquipementID: &one}, RegleEcheance),
		"company 1":     key(access.For(auth.Principal{Role: "admin"}), w, Params{ClientID: &one}, RegleEcheance),
		"rule jour":     key(access.For(auth.Principal{Role: "admin"}), w, Params{}, RegleJour),
		"type preventi": key(access.For(auth.Principal{Role: "admin"}), w, Params{Type: ptr("preventive")}, RegleEcheance),
	}
	seen := map[string]string{}
	for name, k := range keys {
		if other, dup := seen[k]; dup {
			t.Errorf("%s and %s share the key %s", name, other, k)
		}
		seen[k] = name
	}
	if responsable := key(access.For(auth.Principal{Role: "responsable"}), w, Params{}, RegleEcheance); responsable != keys["admin"] {
		t.Errorf("managers see the same figures: %s vs %s", responsable, keys["admin"])
	}
}
