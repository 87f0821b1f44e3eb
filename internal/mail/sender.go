package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes of SMTP_TLS.
const (
	TLSNone     = "none"     // plain SMTP
	TLSStartTLS = "starttls" // STARTTLS required
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, usually port 465)
)

// Config is the SMTP server and the sender of the e-mails.
type Config struct {
	Host      string // empty: e-mail is disabled (the outbox keeps them pending)
	Port      int
	User      string
	Password  string
	TLS       string // TLSNone, TLSStartTLS or TLSImplicit
	FromEmail string
	FromName  string
	Timeout   time.Duration // per connection (default 15 s)
	// InsecureSkipVerify accepts any server certificate (tests only).
	InsecureSkipVerify bool
}

// Message is one e-mail to send.
type Message struct {
	ToEmail, ToName string
	Subject         string
	Text, HTML      string
	Attachments     []Attachment
}

// Attachment is a file sent with an e-mail.
type Attachment struct {
	Name, Mime string
	Data       []byte
}

// Sender sends one e-mail; an error means it was not accepted.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends e-mails with go-mail, one connection per e-mail.
type SMTP struct {
	cfg Config
}

// NewSMTP returns the SMTP sender of cfg.
func NewSMTP(cfg Config) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: no SMTP host")
	}
	switch cfg.TLS {
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return nil, fmt.Errorf("mail: unknown TLS mode %q", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	return &SMTP{cfg: cfg}, nil
}

func (s *SMTP) client() (*gomail.Client, error) {
	c := s.cfg
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(c.Timeout)}
	switch c.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if c.InsecureSkipVerify {
		opts = append(opts, gomail.WithTLSConfig(&tls.Config{InsecureSkipVerify: true, ServerName: c.Host})) //nolint:gosec // tests only
	}
	if c.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(c.User), gomail.WithPassword(c.Password))
	}
	return gomail.NewClient(c.Host, opts...)
}

// Send sends m as multipart/alternative (plain text and HTML).
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.FromFormat(s.cfg.FromName, s.cfg.FromEmail); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := msg.AddToFormat(m.ToName, m.ToEmail); err != nil {
		return fmt.Errorf("recipient address: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.Mime))); err != nil {
			return fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	c, err := s.client()
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return err
	}
	return nil
}
