package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tenantry/tenantry/examples/ownerportal/mailcatcher"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/invites/smtp"
)

func init() {
	registerPages("mailbox", "mail")
	registerRoutes(func(s *server) {
		s.mux.HandleFunc("GET /mailbox", s.requireStaff(s.mailbox))
		s.mux.HandleFunc("GET /mailbox/{id}", s.requireStaff(s.mailMessage))
	})
}

// defaultSender is the From address of the demo's emails (the platform's
// sender name from the white label goes with it).
const defaultSender = "no-reply@demo.example"

// outbox sends the portal's emails over real SMTP: to the -smtp server
// when one is given, else to the loopback mail catcher it starts, whose
// messages the mailbox page shows. It builds the invitations' accept links
// from the portal's base URL, set once the listener is up.
type outbox struct {
	// catcher is the built-in mail catcher; nil with -smtp.
	catcher *mailcatcher.Catcher
	mailer  *smtp.Mailer
	from    string

	mu   sync.RWMutex
	base string
}

// newOutbox sends through smtpAddr ("host:port"), or, when it is empty,
// through a mail catcher it starts on a free loopback port. The -smtp
// server gets STARTTLS when it offers it (no credentials are sent: the
// demo has none).
func newOutbox(smtpAddr string, log *slog.Logger) (*outbox, error) {
	o := &outbox{from: defaultSender}
	cfg := smtp.Config{TLS: smtp.StartTLSOpportunistic, Timeout: 10 * time.Second, HELO: "ownerportal.localhost"}
	if smtpAddr == "" {
		c, err := mailcatcher.Start("127.0.0.1:0", mailcatcher.WithLogger(log))
		if err != nil {
			return nil, fmt.Errorf("mail catcher: %w", err)
		}
		o.catcher = c
		smtpAddr = c.Addr()
		// Plain SMTP is only ever used with the loopback catcher.
		cfg.TLS = smtp.NoTLS
	}
	host, port, err := net.SplitHostPort(smtpAddr)
	if err == nil {
		cfg.Host = host
		cfg.Port, err = strconv.Atoi(port)
	}
	if err == nil {
		o.mailer, err = smtp.New(cfg)
	}
	if err != nil {
		o.close()
		return nil, fmt.Errorf("-smtp %q: want host:port: %w", smtpAddr, err)
	}
	return o, nil
}

// close stops the mail catcher, if any.
func (o *outbox) close() {
	if o != nil && o.catcher != nil {
		_ = o.catcher.Close()
	}
}

// addr is the SMTP server the portal sends to, host:port.
func (o *outbox) addr() string { return o.mailer.Addr() }

// setBaseURL sets the address the accept links start with
// ("http://localhost:8080", no trailing slash).
func (o *outbox) setBaseURL(base string) {
	o.mu.Lock()
	o.base = strings.TrimRight(base, "/")
	o.mu.Unlock()
}

func (o *outbox) baseURL() string {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.base == "" {
		return "http://localhost:8080"
	}
	return o.base
}

// Send delivers an invitation email; the white label names the sender, the
// demo gives the address.
func (o *outbox) Send(ctx context.Context, m invites.Message) error {
	if m.FromAddress == "" {
		m.FromAddress = o.from
	}
	return o.mailer.Send(ctx, smtp.Message(m))
}

// LinkURL is an invitation's accept link: <base>/invite/<token>.
func (o *outbox) LinkURL(_ invites.Invitation, token string) string {
	return o.baseURL() + "/invite/" + url.PathEscape(token)
}

var _ invites.Mailer = (*outbox)(nil)

// mailRow is one line of the mailbox.
type mailRow struct {
	ID, To, Subject string
	At              time.Time
}

// mailboxView is the data of the mailbox page.
type mailboxView struct {
	SMTP     string
	Catcher  bool
	Messages []mailRow
}

// smtpInfo says which SMTP server the invitations go to.
func (s *server) smtpInfo() (addr string, catcher bool) {
	if s.mail == nil {
		return "", false
	}
	return s.mail.addr(), s.mail.catcher != nil
}

// mailbox lists the mail catcher's messages, newest first: GET /mailbox.
func (s *server) mailbox(w http.ResponseWriter, r *http.Request) {
	v := mailboxView{}
	v.SMTP, v.Catcher = s.smtpInfo()
	if v.Catcher {
		for _, m := range s.mail.catcher.Messages() {
			at := m.ReceivedAt
			if at.IsZero() {
				at = m.Date
			}
			v.Messages = append(v.Messages, mailRow{ID: m.ID, To: strings.Join(m.To, ", "), Subject: m.Subject, At: at})
		}
	}
	s.render(w, r, http.StatusOK, "mailbox", "Mailbox", v)
}

// mailView is the data of one message's page. HTML is the sender's HTML:
// the template puts it only in the srcdoc of a sandboxed iframe, escaped.
type mailView struct {
	ID, From, To, Subject string
	At                    time.Time
	Text, HTML            string
	Links                 []string
}

// mailMessage shows one caught message: GET /mailbox/{id}.
func (s *server) mailMessage(w http.ResponseWriter, r *http.Request) {
	if s.mail == nil || s.mail.catcher == nil {
		s.fail(w, r, http.StatusNotFound, "The portal sends its mail to an outside SMTP server: read it there.")
		return
	}
	m, ok := s.mail.catcher.Message(r.PathValue("id"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such message (the mailbox keeps the last 200).")
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "mail", m.Subject, mailView{ID: m.ID, From: m.From, To: strings.Join(m.To, ", "),
		Subject: m.Subject, At: m.ReceivedAt, Text: m.Text, HTML: m.HTML, Links: m.Links()})
}
