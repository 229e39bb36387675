package mailcatcher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"
)

// Defaults of the options.
const (
	// DefaultMaxMessages is how many messages a Catcher keeps.
	DefaultMaxMessages = 200
	// DefaultMaxMessageBytes is the largest message a Catcher accepts.
	DefaultMaxMessageBytes = 1 << 20
)

// ErrNotLoopback is returned by Start for an address that is not a loopback
// address when AllowNonLoopback was not given.
var ErrNotLoopback = errors.New("mailcatcher: address is not a loopback address")

// ErrClosed is returned by Wait when the Catcher was closed before enough
// messages arrived.
var ErrClosed = errors.New("mailcatcher: closed")

// Option configures a Catcher started by Start.
type Option func(*config)

type config struct {
	allowNonLoopback bool
	maxMessages      int
	maxBytes         int64
	log              *slog.Logger
	now              func() time.Time
	newID            func() string
}

// AllowNonLoopback lets Start listen on an address that is not a loopback
// address. The server has no TLS and no authentication and accepts mail for
// anyone: only use it on a private network (a container's interface, say).
func AllowNonLoopback() Option { return func(c *config) { c.allowNonLoopback = true } }

// WithMaxMessages sets how many messages are kept in memory; the oldest is
// dropped when a new one arrives beyond it. Defaults to DefaultMaxMessages
// (200). It must be at least 1.
func WithMaxMessages(n int) Option { return func(c *config) { c.maxMessages = n } }

// WithMaxMessageBytes sets the largest message accepted, headers included;
// a larger one is refused with a 552 reply and not kept. Defaults to
// DefaultMaxMessageBytes (1 MB). It must be at least 1.
func WithMaxMessageBytes(n int64) Option { return func(c *config) { c.maxBytes = n } }

// WithLogger makes the Catcher log each message received (at Info) and the
// server's internal errors (at Warn). Silent by default.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithClock sets the clock that stamps Message.ReceivedAt. Defaults to
// time.Now.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithNewID sets the function that makes Message.ID. Defaults to UUIDv7
// strings.
func WithNewID(newID func() string) Option { return func(c *config) { c.newID = newID } }

// Catcher is a running SMTP server that keeps the messages it receives. Its
// methods are safe for concurrent use.
type Catcher struct {
	cfg    config
	srv    *smtp.Server
	ln     net.Listener
	served chan struct{} // closed when Serve returned

	closeOnce sync.Once
	closeErr  error

	mu       sync.Mutex
	msgs     []Message // oldest first, at most cfg.maxMessages
	received int       // messages accepted since Start, dropped ones included
	closed   bool
	notify   chan struct{} // closed and replaced when a message arrives or on Close
}

// Start listens on addr ("127.0.0.1:0" for a free port) and serves SMTP
// until Close. addr must be a loopback address ("127.0.0.1", "[::1]" or
// "localhost") unless AllowNonLoopback is given.
func Start(addr string, opts ...Option) (*Catcher, error) {
	cfg := config{
		maxMessages: DefaultMaxMessages,
		maxBytes:    DefaultMaxMessageBytes,
		now:         time.Now,
		newID:       func() string { return uuid.Must(uuid.NewV7()).String() },
	}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case cfg.maxMessages < 1:
		return nil, fmt.Errorf("mailcatcher: start: WithMaxMessages(%d): must be at least 1", cfg.maxMessages)
	case cfg.maxBytes < 1:
		return nil, fmt.Errorf("mailcatcher: start: WithMaxMessageBytes(%d): must be at least 1", cfg.maxBytes)
	case cfg.now == nil:
		return nil, errors.New("mailcatcher: start: WithClock(nil)")
	case cfg.newID == nil:
		return nil, errors.New("mailcatcher: start: WithNewID(nil)")
	}
	if !cfg.allowNonLoopback {
		if err := checkLoopback(addr); err != nil {
			return nil, fmt.Errorf("mailcatcher: start: %w", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mailcatcher: start: %w", err)
	}
	if !cfg.allowNonLoopback {
		// "localhost" could resolve to anything: check what we really got.
		if ta, ok := ln.Addr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
			_ = ln.Close()
			return nil, fmt.Errorf("mailcatcher: start: %s: %w", ln.Addr(), ErrNotLoopback)
		}
	}

	c := &Catcher{cfg: cfg, ln: ln, served: make(chan struct{}), notify: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{c: c}, nil
	}))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = cfg.maxBytes
	srv.MaxRecipients = 100
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if cfg.log != nil {
		srv.ErrorLog = slogAdapter{cfg.log}
	}
	c.srv = srv
	go func() {
		defer close(c.served)
		err := srv.Serve(ln)
		if err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) && cfg.log != nil {
			cfg.log.Warn("mailcatcher: serve", "err", err)
		}
	}()
	return c, nil
}

// checkLoopback refuses a host that is not a loopback IP or "localhost".
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%q: %w (use 127.0.0.1, or the AllowNonLoopback option)", addr, ErrNotLoopback)
}

// Addr returns the address the Catcher listens on, as host:port (for
// example "127.0.0.1:53124").
func (c *Catcher) Addr() string { return c.ln.Addr().String() }

// Close stops the server, ending open sessions, and wakes every Wait. The
// messages received stay readable. Calling it again returns the first
// result.
func (c *Catcher) Close() error {
	c.closeOnce.Do(func() {
		err := c.srv.Close()
		_ = c.ln.Close() // in case Close ran before Serve registered ln
		<-c.served
		if err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			c.closeErr = fmt.Errorf("mailcatcher: close: %w", err)
		}
		c.mu.Lock()
		c.closed = true
		close(c.notify)
		c.notify = make(chan struct{})
		c.mu.Unlock()
	})
	return c.closeErr
}

// Messages returns the messages kept, newest first. The slice is a copy;
// the messages' Raw bytes are shared and must not be modified.
func (c *Catcher) Messages() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Message, len(c.msgs))
	for i, m := range c.msgs {
		out[len(c.msgs)-1-i] = m.clone()
	}
	return out
}

// Message returns the kept message with the given ID, and whether there is
// one (a message dropped to respect WithMaxMessages is gone).
func (c *Catcher) Message(id string) (Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.msgs) - 1; i >= 0; i-- {
		if c.msgs[i].ID == id {
			return c.msgs[i].clone(), true
		}
	}
	return Message{}, false
}

// Wait returns nil once at least n messages have been accepted since Start
// (messages dropped since count too), ctx's error wrapped when ctx ends
// first, or ErrClosed when the Catcher is closed first.
func (c *Catcher) Wait(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		got, closed, ch := c.received, c.closed, c.notify
		c.mu.Unlock()
		if got >= n {
			return nil
		}
		if closed {
			return fmt.Errorf("mailcatcher: wait for %d messages, got %d: %w", n, got, ErrClosed)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("mailcatcher: wait for %d messages, got %d: %w", n, got, ctx.Err())
		}
	}
}

func (c *Catcher) add(m Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.msgs) == c.cfg.maxMessages {
		c.msgs[0] = Message{} // let the dropped message be collected
		c.msgs = c.msgs[1:]
	}
	c.msgs = append(c.msgs, m)
	c.received++
	close(c.notify)
	c.notify = make(chan struct{})
}

// session is one SMTP session; go-smtp drives it from a single goroutine.
type session struct {
	c    *Catcher
	from string
	to   []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from, s.to = from, nil
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	// go-smtp's reader fails with a 552 reply past MaxMessageBytes.
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	cfg := &s.c.cfg
	m := parse(raw, s.from, s.to)
	m.ID = cfg.newID()
	m.ReceivedAt = cfg.now().UTC()
	s.c.add(m)
	if cfg.log != nil {
		cfg.log.Info("mailcatcher: message received", "id", m.ID, "to", m.To, "subject", m.Subject, "bytes", len(raw))
	}
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }

// slogAdapter routes go-smtp's error log to a slog.Logger.
type slogAdapter struct{ log *slog.Logger }

func (a slogAdapter) Printf(format string, v ...any) {
	a.log.Warn("mailcatcher: " + strings.TrimSpace(fmt.Sprintf(format, v...)))
}

func (a slogAdapter) Println(v ...any) {
	a.log.Warn("mailcatcher: " + strings.TrimSpace(fmt.Sprintln(v...)))
}
