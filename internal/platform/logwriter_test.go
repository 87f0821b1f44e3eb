package platform

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is what a log writer sees: writes from the flusher and from the test.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Writes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writes
}

// TestLogWriterBatchesInfoAndFlushesWarnings: INFO lines are held until the period's flush and
// reach the output together in one write; a WARN line is written at once with the lines before
// it; Close writes what is left and later lines go straight through.
func TestLogWriterBatchesInfoAndFlushesWarnings(t *testing.T) {
	out := &lockedBuffer{}
	w := NewLogWriter(out, time.Hour) // no periodic flush during the test's first part
	log := NewLogger(w, slog.LevelInfo)
	ctx := context.Background()

	for i := range 3 {
		log.InfoContext(ctx, "request", "n", i)
	}
	if got := out.String(); got != "" {
		t.Fatalf("INFO lines written before a flush: %q", got)
	}
	log.WarnContext(ctx, "slow")
	got := out.String()
	if n := strings.Count(got, "\n"); n != 4 || !strings.Contains(got, `"msg":"slow"`) {
		t.Fatalf("after a WARN line, output has %d lines, want the 3 INFO lines and the warning: %q", n, got)
	}
	if writes := out.Writes(); writes != 1 {
		t.Errorf("4 lines reached the output in %d writes, want 1", writes)
	}

	log.InfoContext(ctx, "request", "n", 3)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 5 {
		t.Fatalf("after Close, output has %d lines, want 5", n)
	}
	log.InfoContext(ctx, "after close")
	if !strings.Contains(out.String(), `"msg":"after close"`) {
		t.Errorf("a line logged after Close was not written at once: %q", out.String())
	}
}

// TestLogWriterFlushesEachPeriod: a buffered INFO line reaches the output by itself, within
// a few flush periods.
func TestLogWriterFlushesEachPeriod(t *testing.T) {
	out := &lockedBuffer{}
	w := NewLogWriter(out, 10*time.Millisecond)
	defer w.Close()
	NewLogger(w, slog.LevelInfo).Info("request")
	deadline := time.Now().Add(5 * time.Second)
	for out.String() == "" {
		if time.Now().After(deadline) {
			t.Fatal("an INFO line was not written within 5 s by the periodic flush")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
