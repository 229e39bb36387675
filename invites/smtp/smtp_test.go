package smtp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/smtptest"
	"github.com/tenantry/tenantry/invites/smtp"
)

func newMailer(t *testing.T, srv *smtptest.Server, mut func(*smtp.Config)) *smtp.Mailer {
	t.Helper()
	host, port := srv.Addr()
	cfg := smtp.Config{Host: host, Port: port, TLS: smtp.NoTLS, Timeout: 5 * time.Second, HELO: "tenantry.test"}
	if mut != nil {
		mut(&cfg)
	}
	m, err := smtp.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

func testMessage() smtp.Message {
	return smtp.Message{
		FromName:    "Zoë Ünternehmen — Tenantry",
		FromAddress: "no-reply@tenantry.example",
		To:          "alice@example.com",
		Subject:     "Einladung: Straße & Café ✓",
		Text:        "Hello Alice,\nclick https://tenantry.example/i/abc?x=1&y=2\nÄÖÜ ß\n",
		HTML:        `<p>Hello <b>Alice</b>, <a href="https://tenantry.example/i/abc?x=1&amp;y=2">accept</a> ÄÖÜ ß</p>`,
	}
}

func waitOne(t *testing.T, srv *smtptest.Server) smtptest.Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := srv.Wait(ctx, 1)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return got[0]
}

func TestSendMultipartAlternative(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, nil)
	msg := testMessage()
	before := time.Now().Add(-2 * time.Second)
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := waitOne(t, srv)

	if r.From != msg.FromAddress {
		t.Errorf("envelope from = %q, want %q", r.From, msg.FromAddress)
	}
	if len(r.To) != 1 || r.To[0] != msg.To {
		t.Errorf("envelope to = %q, want [%q]", r.To, msg.To)
	}
	if r.TLS {
		t.Errorf("NoTLS session reported TLS")
	}

	// Headers must be pure ASCII on the wire (RFC 2047 encoded words).
	head, _, _ := bytes.Cut(r.Data, []byte("\r\n\r\n"))
	for i, c := range head {
		if c >= 0x80 {
			t.Fatalf("non-ASCII byte in headers at %d:\n%s", i, head)
		}
	}
	if !bytes.Contains(head, []byte("=?UTF-8?")) && !bytes.Contains(head, []byte("=?utf-8?")) {
		t.Errorf("no RFC 2047 encoded word in headers:\n%s", head)
	}
	for _, leak := range []string{"User-Agent", "X-Mailer"} {
		if bytes.Contains(head, []byte(leak+":")) {
			t.Errorf("header %s leaks the mailer:\n%s", leak, head)
		}
	}

	pm, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		t.Fatalf("ReadMessage: %v\n%s", err, r.Data)
	}
	h := pm.Header
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 {
		t.Fatalf("From %q: %v", h.Get("From"), err)
	}
	if from[0].Name != msg.FromName || from[0].Address != msg.FromAddress {
		t.Errorf("From = %q <%s>, want %q <%s>", from[0].Name, from[0].Address, msg.FromName, msg.FromAddress)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != msg.To {
		t.Errorf("To = %q (%v), want %s", h.Get("To"), err, msg.To)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subj != msg.Subject {
		t.Errorf("Subject = %q (%v), want %q", subj, err, msg.Subject)
	}
	date, err := h.Date()
	if err != nil {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	} else if date.Before(before) || date.After(time.Now().Add(2*time.Second)) {
		t.Errorf("Date = %v, not now", date)
	}
	if id := h.Get("Message-Id"); !regexp.MustCompile(`^<[0-9a-f]{32}@tenantry\.example>$`).MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	if v := h.Get("Mime-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q", v)
	}

	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", h.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(pm.Body, params["boundary"])
	want := []struct{ ctype, body string }{{"text/plain", msg.Text}, {"text/html", msg.HTML}}
	for i, w := range want {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		pt, pp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil || pt != w.ctype || !strings.EqualFold(pp["charset"], "utf-8") {
			t.Errorf("part %d Content-Type = %q (%v), want %s; charset=UTF-8", i, p.Header.Get("Content-Type"), err, w.ctype)
		}
		body, err := io.ReadAll(p) // NextPart decodes quoted-printable
		if err != nil {
			t.Fatalf("part %d body: %v", i, err)
		}
		got := strings.ReplaceAll(string(body), "\r\n", "\n")
		if strings.TrimRight(got, "\n") != strings.TrimRight(w.body, "\n") {
			t.Errorf("part %d body = %q, want %q", i, got, w.body)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("expected exactly two parts, NextPart: %v", err)
	}
}

func TestSendSinglePart(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, nil)
	msg := testMessage()
	msg.HTML = ""
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	pm, err := mail.ReadMessage(bytes.NewReader(waitOne(t, srv).Data))
	if err != nil {
		t.Fatal(err)
	}
	if mt, _, _ := mime.ParseMediaType(pm.Header.Get("Content-Type")); mt != "text/plain" {
		t.Errorf("Content-Type = %q, want text/plain", pm.Header.Get("Content-Type"))
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, nil)
	cases := []struct {
		field string
		mut   func(*smtp.Message)
	}{
		{"FromName", func(m *smtp.Message) { m.FromName = "Evil\r\nBcc: victim@example.com" }},
		{"FromAddress", func(m *smtp.Message) { m.FromAddress = "a@b.example\nBcc: victim@example.com" }},
		{"To", func(m *smtp.Message) { m.To = "alice@example.com\r\nBcc: victim@example.com" }},
		{"Subject", func(m *smtp.Message) { m.Subject = "hi\r\nBcc: victim@example.com" }},
		{"Subject", func(m *smtp.Message) { m.Subject = "hi\rX-Injected: 1" }},
		{"Subject", func(m *smtp.Message) { m.Subject = "hi\nX-Injected: 1" }},
	}
	for _, c := range cases {
		msg := testMessage()
		c.mut(&msg)
		err := m.Send(context.Background(), msg)
		if !errors.Is(err, smtp.ErrHeaderInjection) {
			t.Errorf("%s: err = %v, want ErrHeaderInjection", c.field, err)
			continue
		}
		if !strings.Contains(err.Error(), c.field) {
			t.Errorf("error %q does not name field %s", err, c.field)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}

func TestInvalidMessage(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, nil)
	for name, mut := range map[string]func(*smtp.Message){
		"no to":         func(m *smtp.Message) { m.To = "" },
		"bad to":        func(m *smtp.Message) { m.To = "not an address" },
		"no from":       func(m *smtp.Message) { m.FromAddress = "" },
		"named from":    func(m *smtp.Message) { m.FromAddress = "X <x@example.com>" },
		"no body":       func(m *smtp.Message) { m.Text, m.HTML = "", "" },
		"two addresses": func(m *smtp.Message) { m.To = "a@example.com, b@example.com" },
	} {
		msg := testMessage()
		mut(&msg)
		if err := m.Send(context.Background(), msg); !errors.Is(err, smtp.ErrInvalidMessage) {
			t.Errorf("%s: err = %v, want ErrInvalidMessage", name, err)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}

func TestStartTLSWithAuth(t *testing.T) {
	for _, mech := range []smtp.AuthMechanism{smtp.AuthPlain, smtp.AuthLogin} {
		srv := smtptest.Start(t, smtptest.WithStartTLS(), smtptest.WithAuth("mailer", "s3cret"))
		m := newMailer(t, srv, func(c *smtp.Config) {
			c.TLS = smtp.StartTLS
			c.Username, c.Password, c.Auth = "mailer", "s3cret", mech
			c.TLSConfig = &tls.Config{RootCAs: srv.CertPool()}
		})
		if err := m.Send(context.Background(), testMessage()); err != nil {
			t.Fatalf("mech %d: Send: %v", mech, err)
		}
		r := waitOne(t, srv)
		if !r.TLS || r.User != "mailer" {
			t.Errorf("mech %d: TLS=%v user=%q, want TLS and user mailer", mech, r.TLS, r.User)
		}
	}
}

func TestStartTLSWrongPassword(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithStartTLS(), smtptest.WithAuth("mailer", "s3cret"))
	m := newMailer(t, srv, func(c *smtp.Config) {
		c.TLS = smtp.StartTLS
		c.Username, c.Password = "mailer", "wrong"
		c.TLSConfig = &tls.Config{RootCAs: srv.CertPool()}
	})
	err := m.Send(context.Background(), testMessage())
	var se *smtp.Error
	if !errors.As(err, &se) || se.Op != "connect" {
		t.Fatalf("err = %v, want *smtp.Error with Op connect", err)
	}
}

func TestStartTLSUntrustedCertificate(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithStartTLS())
	m := newMailer(t, srv, func(c *smtp.Config) { c.TLS = smtp.StartTLS })
	err := m.Send(context.Background(), testMessage())
	var se *smtp.Error
	if !errors.As(err, &se) || se.Op != "connect" {
		t.Fatalf("err = %v, want *smtp.Error with Op connect", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages over an unverified connection", n)
	}
}

func TestStartTLSMandatory(t *testing.T) {
	srv := smtptest.Start(t) // no STARTTLS offered
	m := newMailer(t, srv, func(c *smtp.Config) { c.TLS = smtp.StartTLS })
	err := m.Send(context.Background(), testMessage())
	var se *smtp.Error
	if !errors.As(err, &se) || se.Op != "connect" || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want connect error about STARTTLS", err)
	}

	// Opportunistic falls back to plain text.
	m = newMailer(t, srv, func(c *smtp.Config) { c.TLS = smtp.StartTLSOpportunistic })
	if err := m.Send(context.Background(), testMessage()); err != nil {
		t.Fatalf("opportunistic: %v", err)
	}
	if r := waitOne(t, srv); r.TLS {
		t.Errorf("opportunistic session reported TLS without STARTTLS")
	}
}

func TestImplicitTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithImplicitTLS(), smtptest.WithAuth("mailer", "s3cret"))
	m := newMailer(t, srv, func(c *smtp.Config) {
		c.TLS = smtp.ImplicitTLS
		c.Username, c.Password = "mailer", "s3cret"
		c.TLSConfig = &tls.Config{RootCAs: srv.CertPool()}
	})
	if err := m.Send(context.Background(), testMessage()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r := waitOne(t, srv); !r.TLS || r.User != "mailer" {
		t.Errorf("TLS=%v user=%q", r.TLS, r.User)
	}
}

func TestServerRefuses(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithRejectMail())
	err := newMailer(t, srv, nil).Send(context.Background(), testMessage())
	var se *smtp.Error
	if !errors.As(err, &se) || se.Op != "send" {
		t.Fatalf("err = %v, want *smtp.Error with Op send", err)
	}
	if se.Temporary() {
		t.Errorf("550 reported as temporary")
	}
	if !strings.Contains(err.Error(), "smtp: send ") || !strings.Contains(err.Error(), "550") {
		t.Errorf("error %q lacks operation or server reply", err)
	}

	srv = smtptest.Start(t, smtptest.WithRejectData())
	err = newMailer(t, srv, nil).Send(context.Background(), testMessage())
	if !errors.As(err, &se) || se.Op != "send" || !se.Temporary() {
		t.Fatalf("err = %v, want temporary *smtp.Error with Op send", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	m, err := smtp.New(smtp.Config{Host: "127.0.0.1", Port: 1, TLS: smtp.NoTLS, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = m.Send(context.Background(), testMessage())
	var se *smtp.Error
	if !errors.As(err, &se) || se.Op != "connect" || se.Addr != "127.0.0.1:1" {
		t.Fatalf("err = %v, want connect error for 127.0.0.1:1", err)
	}
}

func TestContextDeadline(t *testing.T) {
	var release func()
	srv := smtptest.Start(t, smtptest.WithHold(&release))
	t.Cleanup(func() { release() })
	m := newMailer(t, srv, nil) // Timeout 5s: the context must win
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := m.Send(ctx, testMessage())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Send took %v after a 200ms deadline", d)
	}
}

func TestContextCancel(t *testing.T) {
	var release func()
	srv := smtptest.Start(t, smtptest.WithHold(&release))
	t.Cleanup(func() { release() })
	m := newMailer(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	timer := time.AfterFunc(100*time.Millisecond, cancel)
	defer timer.Stop()
	start := time.Now()
	err := m.Send(ctx, testMessage())
	var se *smtp.Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &se) {
		t.Fatalf("err = %v, want *smtp.Error wrapping context.Canceled", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Send took %v after cancel", d)
	}

	// An already-cancelled context never connects.
	if err := m.Send(ctx, testMessage()); !errors.Is(err, context.Canceled) {
		t.Fatalf("pre-cancelled: err = %v", err)
	}
}

func TestConfigTimeout(t *testing.T) {
	var release func()
	srv := smtptest.Start(t, smtptest.WithHold(&release))
	t.Cleanup(func() { release() })
	m := newMailer(t, srv, func(c *smtp.Config) { c.Timeout = 200 * time.Millisecond })
	start := time.Now()
	err := m.Send(context.Background(), testMessage())
	var se *smtp.Error
	if !errors.As(err, &se) || se.Op != "send" {
		t.Fatalf("err = %v, want send timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Send took %v with a 200ms timeout", d)
	}
}

func TestConcurrentSends(t *testing.T) {
	srv := smtptest.Start(t)
	m := newMailer(t, srv, nil)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() { errs <- m.Send(context.Background(), testMessage()) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := srv.Wait(ctx, n); err != nil {
		t.Fatal(err)
	}
}

func TestNewValidation(t *testing.T) {
	bad := map[string]smtp.Config{
		"no host":         {},
		"blank host":      {Host: "  "},
		"unix socket":     {Host: "unix:///tmp/s"},
		"port range":      {Host: "mx.example", Port: 70000},
		"negative port":   {Host: "mx.example", Port: -1},
		"negative time":   {Host: "mx.example", Timeout: -time.Second},
		"unknown mode":    {Host: "mx.example", TLS: smtp.TLSMode(42)},
		"creds plaintext": {Host: "mx.example", TLS: smtp.NoTLS, Username: "u", Password: "p"},
		"password alone":  {Host: "mx.example", Password: "p"},
		"bad helo":        {Host: "mx.example", HELO: "a\r\nb"},
		"bad mech":        {Host: "mx.example", Username: "u", Auth: smtp.AuthMechanism(9)},
	}
	for name, cfg := range bad {
		if _, err := smtp.New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
	ports := map[smtp.TLSMode]string{
		smtp.StartTLS:              "mx.example:587",
		smtp.StartTLSOpportunistic: "mx.example:587",
		smtp.ImplicitTLS:           "mx.example:465",
		smtp.NoTLS:                 "mx.example:25",
	}
	for mode, want := range ports {
		m, err := smtp.New(smtp.Config{Host: "mx.example", TLS: mode})
		if err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		if m.Addr() != want {
			t.Errorf("%v: Addr = %s, want %s", mode, m.Addr(), want)
		}
	}
	if m, err := smtp.New(smtp.Config{Host: "::1", Port: 2525}); err != nil || m.Addr() != "[::1]:2525" {
		t.Errorf("IPv6: %v %v", m, err)
	}
}
