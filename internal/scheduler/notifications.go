package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/mif-erp/erp/internal/mail"
	"github.com/mif-erp/erp/internal/notifications"
)

// Names of the notification jobs (and of their advisory locks).
const (
	DeadlinesJobName = "notifications.deadlines"
	DeliveryJobName  = "mail.deliver"
)

// DeadlinesJob sends the deadline reminders and overdue notices every interval
// (notifications.Service.RunDeadlines at the current time).
func DeadlinesJob(svc *notifications.Service, interval time.Duration, log *slog.Logger) Job {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return Job{Name: DeadlinesJobName, Interval: interval, Run: func(ctx context.Context) error {
		rep, err := svc.RunDeadlines(ctx, time.Now())
		if rep.Reminders+rep.Overdue > 0 {
			log.Info("deadline notices sent", "reminders", rep.Reminders, "overdue", rep.Overdue)
		}
		return err
	}}
}

// DeliveryJob delivers the due e-mails of the outbox every interval (mail.Deliverer.Deliver at
// the current time). The claim of each batch is safe on several replicas even without the lock.
func DeliveryJob(d *mail.Deliverer, interval time.Duration, log *slog.Logger) Job {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return Job{Name: DeliveryJobName, Interval: interval, Run: func(ctx context.Context) error {
		rep, err := d.Deliver(ctx, time.Now())
		if rep.Sent+rep.Retried+rep.Failed > 0 {
			log.Info("e-mails delivered", "sent", rep.Sent, "retried", rep.Retried, "failed", rep.Failed)
		}
		return err
	}}
}
