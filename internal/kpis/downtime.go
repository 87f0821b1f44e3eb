package kpis

import (
	"sort"
	"time"
)

// machines are N machines counted whose time starts at EnService (in service, else created).
type machines struct {
	EnService time.Time
	N         int
}

// stop is a downtime record of a machine whose time starts at EnService; Fin nil while open.
type stop struct {
	EquipementID     int64
	EnService, Debut time.Time
	Fin              *time.Time
	Panne            bool
}

// maxTop is the length of the downtime ranking.
const maxTop = 10

// downtime computes the availability of the machines over the window, the machines with the
// most downtime (without their names), and each bucket's downtime and availability. A
// machine's time runs from max(du, in service) to fin; each record counts its minutes inside
// that time (an open record until fin). Failures are the panne records starting in [du, au);
// restorations those ending in it, each with its whole length.
func downtime(w window, groups []machines, stops []stop) (Availability, []TopArret) {
	var out Availability
	total := make([]time.Duration, len(w.buckets))
	down := make([]time.Duration, len(w.buckets))
	var temps, arret, panne, restore time.Duration
	for _, g := range groups {
		start, n := later(w.du, g.EnService), time.Duration(g.N)
		out.Equipements += g.N
		temps += n * overlap(start, w.fin, w.du, w.fin)
		for i, b := range w.buckets {
			total[i] += n * overlap(start, w.fin, b.start, b.end)
		}
	}
	per := map[int64]*tally{}
	for _, s := range stops {
		start := later(w.du, s.EnService)
		end := w.fin
		if s.Fin != nil && s.Fin.Before(end) {
			end = *s.Fin
		}
		d := overlap(s.Debut, end, start, w.fin)
		t := per[s.EquipementID]
		if t == nil {
			t = &tally{}
			per[s.EquipementID] = t
		}
		arret += d
		t.down += d
		if s.Panne {
			panne += d
			if in(s.Debut, w.du, w.au) {
				out.Pannes++
				t.pannes++
			}
			if s.Fin != nil && in(*s.Fin, w.du, w.au) {
				out.Reparations++
				restore += s.Fin.Sub(s.Debut)
			}
		}
		for i := firstBucket(w, later(s.Debut, start)); i >= 0 && i < len(w.buckets) && w.buckets[i].start.Before(end); i++ {
			down[i] += overlap(s.Debut, end, later(w.buckets[i].start, start), w.buckets[i].end)
		}
	}
	out.TempsMinutes, out.ArretMinutes, out.PanneMinutes = minutes(temps), minutes(arret), minutes(panne)
	out.Disponibilite = percent(float64(temps-arret), float64(temps))
	out.MTBFHeures = ratio(hours(temps-arret), float64(out.Pannes))
	out.MTTRHeures = ratio(hours(restore), float64(out.Reparations))
	for i := range w.buckets {
		w.buckets[i].ArretMinutes = minutes(down[i])
		w.buckets[i].Disponibilite = percent(float64(total[i]-down[i]), float64(total[i]))
	}
	return out, top(per)
}

// tally is one machine's downtime in the window.
type tally struct {
	down   time.Duration
	pannes int
}

// top ranks the machines with downtime, most first (then by id), at most maxTop.
func top(per map[int64]*tally) []TopArret {
	out := make([]TopArret, 0, len(per))
	for id, t := range per {
		if m := minutes(t.down); m > 0 || t.pannes > 0 {
			out = append(out, TopArret{EquipementID: id, ArretMinutes: m, Pannes: t.pannes})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ArretMinutes != out[j].ArretMinutes {
			return out[i].ArretMinutes > out[j].ArretMinutes
		}
		return out[i].EquipementID < out[j].EquipementID
	})
	if len(out) > maxTop {
		out = out[:maxTop]
	}
	return out
}

// firstBucket is the bucket holding t, the first one when t is before the window.
func firstBucket(w window, t time.Time) int {
	if len(w.buckets) > 0 && t.Before(w.buckets[0].start) {
		return 0
	}
	return w.bucketOf(t)
}

// overlap is the length of [a1, a2) ∩ [b1, b2), 0 when they do not meet.
func overlap(a1, a2, b1, b2 time.Time) time.Duration {
	start, end := later(a1, b1), a2
	if b2.Before(end) {
		end = b2
	}
	if !end.After(start) {
		return 0
	}
	return end.Sub(start)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// in reports whether t is in [from, to).
func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }
