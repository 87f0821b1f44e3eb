package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mif-erp/erp/internal/scheduler"
)

func TestSelectJobsKeepsTheNamedOnesOrRefusesUnknownNames(t *testing.T) {
	t.Parallel()
	run := func(context.Context) error { return nil }
	jobs := []scheduler.Job{
		{Name: "planning.generate_due", Interval: time.Minute, Run: run},
		{Name: "stats.compact", Interval: time.Second, Run: run},
		{Name: "housekeeping", Interval: time.Hour, Run: run},
	}
	names := func(js []scheduler.Job) string {
		var out []string
		for _, j := range js {
			out = append(out, j.Name)
		}
		return strings.Join(out, ",")
	}
	all, err := selectJobs(jobs, nil)
	if err != nil || names(all) != "planning.generate_due,stats.compact,housekeeping" {
		t.Errorf("no selection: %s, %v; want every job", names(all), err)
	}
	some, err := selectJobs(jobs, []string{"housekeeping", "stats.compact"})
	if err != nil || names(some) != "housekeeping,stats.compact" {
		t.Errorf("selection: %s, %v", names(some), err)
	}
	_, err = selectJobs(jobs, []string{"stats.compact", "planning.generate"})
	if err == nil || !strings.Contains(err.Error(), `SCHEDULER_JOBS: unknown job "planning.generate"`) ||
		!strings.Contains(err.Error(), "planning.generate_due, stats.compact, housekeeping") {
		t.Errorf("unknown name: %v, want an error naming the variable, the name and the known jobs", err)
	}
}
