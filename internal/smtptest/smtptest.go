// Package smtptest runs a loopback SMTP server for tests. It is built on
// github.com/emersion/go-smtp, listens on 127.0.0.1 on a random port,
// records every accepted message, and can offer STARTTLS with a freshly
// generated self-signed certificate and require authentication.
package smtptest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message accepted by the server.
type Received struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO)
	Data []byte   // raw message as received after DATA
	TLS  bool     // whether the session was protected by TLS
	User string   // authenticated username, empty without AUTH
}

// Option configures a Server started by Start.
type Option func(*config)

type config struct {
	startTLS   bool
	implicit   bool
	user, pass string
	rejectMail error
	rejectData error
	hold       chan struct{}
}

// WithStartTLS makes the server advertise STARTTLS using a self-signed
// certificate for 127.0.0.1 and localhost; clients trust it via CertPool.
func WithStartTLS() Option { return func(c *config) { c.startTLS = true } }

// WithImplicitTLS makes the server speak TLS from the first byte (SMTPS)
// with the same kind of self-signed certificate as WithStartTLS.
func WithImplicitTLS() Option { return func(c *config) { c.implicit = true } }

// WithAuth makes the server require AUTH PLAIN or LOGIN with the given
// credentials before MAIL FROM. It is only offered over TLS, so it is
// normally combined with WithStartTLS.
func WithAuth(username, password string) Option {
	return func(c *config) { c.user, c.pass = username, password }
}

// WithRejectMail makes the server answer MAIL FROM with a permanent 550
// rejection, to test error paths.
func WithRejectMail() Option {
	return func(c *config) {
		c.rejectMail = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "sender rejected"}
	}
}

// WithRejectData makes the server answer DATA with a temporary 451
// failure after reading the message, to test error paths.
func WithRejectData() Option {
	return func(c *config) {
		c.rejectData = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
}

// WithHold makes every session block in MAIL FROM until the returned
// release function is called (or the server closes), to test client
// timeouts and cancellation. release is safe to call more than once.
func WithHold(release *func()) Option {
	return func(c *config) {
		c.hold = make(chan struct{})
		var once sync.Once
		*release = func() { once.Do(func() { close(c.hold) }) }
	}
}

// Server is a running loopback SMTP server. It is closed automatically
// when the test that started it finishes.
type Server struct {
	cfg    config
	srv    *smtp.Server
	addr   *net.TCPAddr
	pool   *x509.CertPool
	closed chan struct{}

	mu     sync.Mutex
	msgs   []Received
	notify chan struct{} // closed and replaced whenever a message arrives
}

// Start starts a server on 127.0.0.1:0 and registers its shutdown with
// t.Cleanup.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{notify: make(chan struct{}), closed: make(chan struct{})}
	for _, o := range opts {
		o(&s.cfg)
	}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.EnableSMTPUTF8 = true
	logger := &testLogger{t: t}
	srv.ErrorLog = logger
	if s.cfg.startTLS || s.cfg.implicit {
		cert, pool, err := selfSigned()
		if err != nil {
			t.Fatalf("smtptest: generate certificate: %v", err)
		}
		s.pool = pool
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = ln.Addr().(*net.TCPAddr)
	if s.cfg.implicit {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	s.srv = srv
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Errorf("smtptest: serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		close(s.closed)
		_ = srv.Close()
		_ = ln.Close() // Close may run before Serve registered ln
		<-done
		logger.stop()
	})
	return s
}

// testLogger routes go-smtp's error log to the test log until the test
// ends; connection goroutines may still log after that.
type testLogger struct {
	t       testing.TB
	mu      sync.Mutex
	stopped bool
}

func (l *testLogger) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}

func (l *testLogger) Printf(format string, v ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Logf("smtptest: "+format, v...)
	}
}

func (l *testLogger) Println(v ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Log(append([]interface{}{"smtptest:"}, v...)...)
	}
}

// Addr returns the host and port the server listens on.
func (s *Server) Addr() (host string, port int) {
	return s.addr.IP.String(), s.addr.Port
}

// HostPort returns the listening address as "host:port".
func (s *Server) HostPort() string {
	return net.JoinHostPort(s.addr.IP.String(), strconv.Itoa(s.addr.Port))
}

// CertPool returns a pool trusting the server's self-signed certificate,
// or nil when the server was started without WithStartTLS or
// WithImplicitTLS.
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// Messages returns a copy of the messages received so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Wait blocks until at least n messages have been received and returns
// them, or returns ctx's error (with the messages received so far).
func (s *Server) Wait(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			out := append([]Received(nil), s.msgs...)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.notify
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Messages(), ctx.Err()
		}
	}
}

func (s *Server) add(r Received) {
	s.mu.Lock()
	s.msgs = append(s.msgs, r)
	close(s.notify)
	s.notify = make(chan struct{})
	s.mu.Unlock()
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: s, conn: c}, nil
}

// session is one SMTP session; go-smtp drives it from a single goroutine.
type session struct {
	srv    *Server
	conn   *smtp.Conn
	user   string
	authed bool
	from   string
	to     []string
}

func (ss *session) tls() bool {
	_, ok := ss.conn.TLSConnectionState()
	return ok
}

// AuthMechanisms implements smtp.AuthSession.
func (ss *session) AuthMechanisms() []string {
	if ss.srv.cfg.user == "" {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

// Auth implements smtp.AuthSession.
func (ss *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != ss.srv.cfg.user || pass != ss.srv.cfg.pass {
			return smtp.ErrAuthFailed
		}
		ss.user, ss.authed = user, true
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, user, pass string) error {
			if identity != "" && identity != user {
				return smtp.ErrAuthFailed
			}
			return check(user, pass)
		}), nil
	case sasl.Login:
		return newLoginServer(check), nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	cfg := &ss.srv.cfg
	if cfg.user != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	if cfg.hold != nil {
		select {
		case <-cfg.hold:
		case <-ss.srv.closed:
		}
	}
	if cfg.rejectMail != nil {
		return cfg.rejectMail
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	if ss.srv.cfg.rejectData != nil {
		return ss.srv.cfg.rejectData
	}
	ss.srv.add(Received{From: ss.from, To: append([]string(nil), ss.to...), Data: buf.Bytes(), TLS: ss.tls(), User: ss.user})
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// loginServer implements the server side of the (non-standard but
// ubiquitous) LOGIN mechanism, which go-sasl no longer ships.
type loginServer struct {
	check      func(user, pass string) error
	step       int
	user       string
	authorized bool
}

func newLoginServer(check func(user, pass string) error) sasl.Server {
	return &loginServer{check: check}
}

func (a *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch a.step {
	case 0:
		a.step++
		if response != nil { // initial response carries the username
			a.user = string(response)
			a.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		a.user = string(response)
		a.step++
		return []byte("Password:"), false, nil
	case 2:
		a.step++
		return nil, true, a.check(a.user, string(response))
	}
	return nil, true, errors.New("smtptest: unexpected LOGIN response")
}

// selfSigned returns a fresh ECDSA certificate valid for 127.0.0.1, ::1
// and localhost, and a pool trusting it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
