package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
)

// Defaults of the delivery.
const (
	DefaultMaxAttempts = 8
	DefaultBatch       = 20
	DefaultLease       = 5 * time.Minute
	BaseBackoff        = 30 * time.Second
	MaxBackoff         = time.Hour
	maxBatchesPerRun   = 10
	maxErrorLen        = 1000
)

// Options tune a Deliverer.
type Options struct {
	MaxAttempts int           // attempts before an e-mail is given up (failed); default 8
	Batch       int           // e-mails claimed at once; default 20
	Lease       time.Duration // how long a claimed e-mail stays with its worker; default 5 min
	SendTimeout time.Duration // per e-mail; default 30 s
	Logger      *slog.Logger
	// Jitter returns a factor applied to each backoff (default: uniform in [0.8, 1.2)).
	Jitter func() float64
	// Attachments reads the report files of the e-mails that carry one (nil: such an e-mail
	// fails and is retried).
	Attachments Attachments
	// Metrics counts the attempts by outcome (nil: not counted).
	Metrics *Metrics
}

// Attachments reads the file of a generated report an e-mail carries.
type Attachments interface {
	Attachment(ctx context.Context, rapportID int64) (Attachment, error)
}

// Deliverer sends the due e-mails of the outbox.
type Deliverer struct {
	pool   *pgxpool.Pool
	sender Sender
	opts   Options
}

// NewDeliverer returns a deliverer sending through sender.
func NewDeliverer(pool *pgxpool.Pool, sender Sender, opts Options) *Deliverer {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultBatch
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Jitter == nil {
		opts.Jitter = func() float64 { return 0.8 + 0.4*rand.Float64() } //nolint:gosec // jitter only
	}
	return &Deliverer{pool: pool, sender: sender, opts: opts}
}

// Report counts what one run did.
type Report struct {
	Sent    int // accepted by the SMTP server
	Retried int // refused, to be tried again later
	Failed  int // refused for the last time: given up
}

// Backoff is the wait after the n-th failed attempt (n >= 1): 30 s doubled at each attempt,
// capped at one hour, before jitter.
func Backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := BaseBackoff
	for i := 1; i < n; i++ {
		d *= 2
		if d >= MaxBackoff {
			return MaxBackoff
		}
	}
	return d
}

// Deliver sends the e-mails due at now, batch after batch (at most 10 batches a run). Each
// batch is claimed in one statement (FOR UPDATE SKIP LOCKED, then a lease on next_attempt_at),
// so concurrent workers, on one replica or several, never take the same e-mail. A refused
// e-mail is retried after Backoff(attempts) with jitter, and given up after MaxAttempts.
func (d *Deliverer) Deliver(ctx context.Context, now time.Time) (Report, error) {
	var rep Report
	q := db.New(d.pool)
	for range maxBatchesPerRun {
		batch, err := q.EmailClaimDue(ctx, db.EmailClaimDueParams{
			LeaseUntil: now.Add(d.opts.Lease), Now: now, Lim: int32(d.opts.Batch),
		})
		if err != nil {
			return rep, fmt.Errorf("claim e-mails: %w", err)
		}
		for i, e := range batch {
			// Shutdown: the e-mail being sent was finished (sendGrace); the others are released.
			if err := ctx.Err(); err != nil {
				d.release(ctx, batch[i:])
				return rep, err
			}
			if err := d.deliverOne(ctx, q, e, now, &rep); err != nil {
				d.release(ctx, batch[i+1:]) // e itself keeps its lease: it may have been sent
				return rep, err
			}
		}
		if len(batch) < d.opts.Batch {
			break
		}
	}
	return rep, nil
}

// release gives back the claimed e-mails a run did not try (it was interrupted), so the next run,
// on any replica, sends them now rather than when their lease ends.
func (d *Deliverer) release(ctx context.Context, rest []db.EmailOutbox) {
	if len(rest) == 0 {
		return
	}
	ids := make([]int64, len(rest))
	for i, e := range rest {
		ids[i] = e.ID
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := d.pool.Exec(wctx, `UPDATE email_outbox SET next_attempt_at = now()
		WHERE id = ANY($1) AND statut = 'pending' AND sent_at IS NULL`, ids); err != nil {
		d.opts.Logger.Warn("claimed e-mails not released (sent when their lease ends)", "emails", len(ids), "error", err)
	}
}

// sendGrace is how long an e-mail being sent when the run is cancelled (shutdown) may still take:
// an SMTP conversation cut short may have delivered the e-mail without its outcome being stored,
// and the e-mail would be sent again.
const sendGrace = 5 * time.Second

func (d *Deliverer) deliverOne(ctx context.Context, q *db.Queries, e db.EmailOutbox, now time.Time, rep *Report) error {
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.opts.SendTimeout)
	defer context.AfterFunc(ctx, func() { time.AfterFunc(sendGrace, cancel) })()
	m := Message{ToEmail: e.ToEmail, ToName: e.ToName, Subject: e.Subject, Text: e.BodyText, HTML: e.BodyHtml}
	var sendErr error
	if e.RapportID != nil {
		if d.opts.Attachments == nil {
			sendErr = errors.New("pièce jointe : aucun accès aux fichiers des rapports sur ce serveur")
		} else {
			var a Attachment
			if a, sendErr = d.opts.Attachments.Attachment(sendCtx, *e.RapportID); sendErr == nil {
				m.Attachments = []Attachment{a}
			}
		}
	}
	if sendErr == nil {
		sendErr = d.sender.Send(sendCtx, m)
	}
	cancel()
	// The outcome is recorded even when ctx ends now (a sent e-mail must not be sent again).
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer wcancel()
	if sendErr == nil {
		sent := time.Now()
		if err := q.EmailMarkSent(wctx, db.EmailMarkSentParams{ID: e.ID, SentAt: &sent}); err != nil {
			return fmt.Errorf("mark e-mail %d sent: %w", e.ID, err)
		}
		rep.Sent++
		d.opts.Metrics.count(OutcomeSent)
		d.opts.Logger.Info("e-mail sent", "email_id", e.ID, "attempt", e.Attempts+1)
		return nil
	}
	if ctx.Err() != nil && errors.Is(sendErr, context.Canceled) {
		// Interrupted by shutdown: not the server's fault, try again soon without counting it.
		return ctx.Err()
	}
	attempt := int(e.Attempts) + 1
	msg := sendErr.Error()
	if r := []rune(msg); len(r) > maxErrorLen {
		msg = string(r[:maxErrorLen])
	}
	var next *time.Time
	if attempt < d.opts.MaxAttempts {
		wait := time.Duration(float64(Backoff(attempt)) * d.opts.Jitter())
		t := now.Add(wait)
		next = &t
	}
	if err := q.EmailMarkFailure(wctx, db.EmailMarkFailureParams{ID: e.ID, LastError: &msg, NextAttemptAt: next}); err != nil {
		return fmt.Errorf("record failure of e-mail %d: %w", e.ID, err)
	}
	if next == nil {
		rep.Failed++
		d.opts.Metrics.count(OutcomeFailed)
		d.opts.Logger.Warn("e-mail given up", "email_id", e.ID, "attempts", attempt, "error", msg)
	} else {
		rep.Retried++
		d.opts.Metrics.count(OutcomeRetried)
		d.opts.Logger.Info("e-mail refused, will retry", "email_id", e.ID, "attempt", attempt,
			"next_attempt_at", next.UTC().Format(time.RFC3339), "error", msg)
	}
	return nil
}

// WithAttachments returns a copy of the deliverer that attaches report files through a.
func (d *Deliverer) WithAttachments(a Attachments) *Deliverer {
	c := *d
	c.opts.Attachments = a
	return &c
}
