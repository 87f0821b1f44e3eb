// Package mailtest runs a real SMTP server (emersion/go-smtp) on a random loopback port for
// tests: it captures the messages it accepts and can refuse the next ones for a while.
package mailtest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one e-mail the server accepted.
type Message struct {
	From string
	To   []string
	Raw  []byte
}

// Server is a capturing SMTP server.
type Server struct {
	Host string
	Port int

	srv *smtp.Server

	mu       sync.Mutex
	messages []Message
	refuse   []int // codes to answer to the next DATA commands, in order
	attempts int   // DATA commands received
	changed  chan struct{}
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{changed: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtp listen: %v", err)
	}
	s.srv = srv
	addr := l.Addr().(*net.TCPAddr)
	s.Host, s.Port = "127.0.0.1", addr.Port
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Env is the server's settings as environment variables of the ERP server.
func (s *Server) Env() map[string]string {
	return map[string]string{"SMTP_HOST": s.Host, "SMTP_PORT": strconv.Itoa(s.Port), "SMTP_TLS": "none"}
}

// Refuse makes the server answer code (451: try later, 554: refused) to the next n messages.
func (s *Server) Refuse(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.refuse = append(s.refuse, code)
	}
}

// Messages returns the accepted messages so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Attempts is the number of messages received, accepted or refused.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// WaitFor waits until n messages were accepted, or fails the test after timeout.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		got, ch := len(s.messages), s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("smtp: %d messages received after %s, want %d", got, timeout, n)
		}
	}
}

func (s *Server) record(m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if len(s.refuse) > 0 {
		code := s.refuse[0]
		s.refuse = s.refuse[1:]
		enh := smtp.EnhancedCode{4, 3, 0}
		if code >= 500 {
			enh = smtp.EnhancedCode{5, 3, 0}
		}
		return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: "refusé pour le test"}
	}
	s.messages = append(s.messages, m)
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return x.s.record(Message{From: x.from, To: append([]string(nil), x.to...), Raw: raw})
}

// Header returns a decoded header of the message (RFC 2047 words decoded).
func (m Message) Header(name string) string {
	msg, err := netmail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return ""
	}
	v := msg.Header.Get(name)
	dec := new(mime.WordDecoder)
	if d, err := dec.DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// Subject is the decoded subject.
func (m Message) Subject() string { return m.Header("Subject") }

// Part returns the decoded body of the first part of this media type ("text/plain",
// "text/html"), searching nested multiparts.
func (m Message) Part(mediaType string) (string, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return "", err
	}
	return findPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, mediaType)
}

func findPart(contentType, encoding string, body io.Reader, want string) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return "", fmt.Errorf("no %s part", want)
			}
			if err != nil {
				return "", err
			}
			s, err := findPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, want)
			if err == nil {
				return s, nil
			}
		}
	}
	if mt != want {
		return "", fmt.Errorf("no %s part", want)
	}
	var r io.Reader = body
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(r)
	return string(b), err
}
