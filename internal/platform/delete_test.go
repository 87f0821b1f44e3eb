package platform

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestDeletionLocksChecksThenDeletes(t *testing.T) {
	t.Parallel()
	errMissing, errInUse, errRef := errors.New("missing"), errors.New("in use"), errors.New("referenced")
	boom := errors.New("connection lost")
	type run struct {
		lockErr, checkErr, deleteErr error
	}
	for _, tc := range []struct {
		name    string
		run     run
		want    error
		deleted bool
	}{
		{"unused row", run{}, nil, true},
		{"missing row", run{lockErr: pgx.ErrNoRows}, errMissing, false},
		{"lock fails", run{lockErr: boom}, boom, false},
		{"in use", run{checkErr: errInUse}, errInUse, false},
		{"referenced after the check", run{deleteErr: &pgconn.PgError{Code: codeForeignKey, TableName: "interventions"}}, errRef, true},
		{"delete fails", run{deleteErr: boom}, boom, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var deleted bool
			var checked string
			var table string
			row, err := Deletion[string]{
				Lock:     func() (string, error) { return "row", tc.run.lockErr },
				NotFound: errMissing,
				Check:    func(r string) error { checked = r; return tc.run.checkErr },
				Delete:   func() error { deleted = true; return tc.run.deleteErr },
				Referenced: func(tb string) error {
					table = tb
					return errRef
				},
			}.Run()
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if deleted != tc.deleted {
				t.Errorf("deleted = %v, want %v", deleted, tc.deleted)
			}
			if tc.run.lockErr == nil && (row != "row" || checked != "row") {
				t.Errorf("row %q checked %q: the locked row is checked and returned", row, checked)
			}
			if errors.Is(err, errRef) && table != "interventions" {
				t.Errorf("Referenced got table %q", table)
			}
		})
	}
}

func TestRefuseIfUsed(t *testing.T) {
	t.Parallel()
	refusal, boom := errors.New("in use"), errors.New("boom")
	if err := RefuseIfUsed(refusal)(true, nil); err != refusal {
		t.Errorf("used: %v", err)
	}
	if err := RefuseIfUsed(refusal)(false, nil); err != nil {
		t.Errorf("unused: %v", err)
	}
	if err := RefuseIfUsed(refusal)(true, boom); !errors.Is(err, boom) || errors.Is(err, refusal) {
		t.Errorf("query error: %v", err)
	}
}
