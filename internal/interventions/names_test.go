package interventions

import "testing"

// TestNameReadKeySeparatesEpochsAndKinds: calls share a read of names only when they miss the
// same machines and technicians at the same cache epoch; a call after a forget (a rename) never
// takes the names of a read begun before it, and a machine id is not a technician id.
func TestNameReadKeySeparatesEpochsAndKinds(t *testing.T) {
	base := nameReadKey(7, []int64{1, 2}, []int64{3})
	if again := nameReadKey(7, []int64{1, 2}, []int64{3}); again != base {
		t.Fatalf("same epoch and ids: %q and %q", base, again)
	}
	for name, other := range map[string]string{
		"another epoch":           nameReadKey(8, []int64{1, 2}, []int64{3}),
		"another machine":         nameReadKey(7, []int64{1, 4}, []int64{3}),
		"a machine fewer":         nameReadKey(7, []int64{1}, []int64{3}),
		"an id of the other kind": nameReadKey(7, []int64{1}, []int64{2, 3}),
		"no technician":           nameReadKey(7, []int64{1, 2, 3}, nil),
		"ids run together":        nameReadKey(7, []int64{12}, []int64{3}),
	} {
		if other == base {
			t.Errorf("%s: same key %q", name, base)
		}
	}
}
