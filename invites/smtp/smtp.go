package smtp

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	mail "github.com/wneessen/go-mail"
)

// TLSMode selects how the connection to the SMTP server is protected.
type TLSMode int

const (
	// StartTLS (the default) connects in plain text and requires the
	// server to upgrade with STARTTLS; a server that does not offer it is
	// an error. Default port 587.
	StartTLS TLSMode = iota
	// ImplicitTLS speaks TLS from the first byte (SMTPS). Default port 465.
	ImplicitTLS
	// StartTLSOpportunistic upgrades with STARTTLS when the server offers
	// it and silently continues in plain text otherwise. Credentials are
	// still never sent in the clear to a non-loopback host. Default port 587.
	StartTLSOpportunistic
	// NoTLS never encrypts. It exists ONLY for tests against a loopback
	// server (see internal/smtptest); never use it in production. New
	// refuses it together with credentials. Default port 25.
	NoTLS
)

// String returns the mode's name.
func (m TLSMode) String() string {
	switch m {
	case StartTLS:
		return "starttls"
	case ImplicitTLS:
		return "implicit-tls"
	case StartTLSOpportunistic:
		return "starttls-opportunistic"
	case NoTLS:
		return "none"
	}
	return "TLSMode(" + strconv.Itoa(int(m)) + ")"
}

// AuthMechanism selects the SASL mechanism used when Config.Username is set.
type AuthMechanism int

const (
	// AuthPlain uses AUTH PLAIN (the default).
	AuthPlain AuthMechanism = iota
	// AuthLogin uses the legacy AUTH LOGIN.
	AuthLogin
)

// DefaultTimeout bounds each network operation when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config describes how to reach the SMTP server.
type Config struct {
	// Host is the server's host name or IP address. Required.
	Host string
	// Port defaults to 587 (StartTLS, StartTLSOpportunistic), 465
	// (ImplicitTLS) or 25 (NoTLS).
	Port int
	// Username and Password enable SMTP AUTH when Username is non-empty.
	Username, Password string
	// Auth picks the mechanism when Username is set; default AuthPlain.
	Auth AuthMechanism
	// TLS selects transport security; the zero value is StartTLS.
	TLS TLSMode
	// Timeout bounds the dial and each SMTP command; default 10s. The
	// context passed to Send can shorten it further.
	Timeout time.Duration
	// TLSConfig optionally customises TLS (e.g. RootCAs for a private CA).
	// It is cloned; an empty ServerName is set to Host and an unset
	// MinVersion to TLS 1.2.
	TLSConfig *tls.Config
	// HELO is the name sent in EHLO/HELO; default is the local host name.
	HELO string
}

// Message is one email to send. It mirrors invites.Message.
type Message struct {
	FromName, FromAddress string // the platform's sender name and address
	To                    string // recipient address, optionally "Name <addr>"
	Subject               string
	Text                  string // plain-text part
	HTML                  string // HTML part
}

// ErrHeaderInjection is returned (wrapped, naming the field) when a header
// field of a Message contains a CR, LF or NUL character.
var ErrHeaderInjection = errors.New("smtp: header field contains a line break")

// ErrInvalidMessage is returned (wrapped, with details) when a Message is
// malformed otherwise: a missing or unparsable address, or no body.
var ErrInvalidMessage = errors.New("smtp: invalid message")

// Error reports a failed SMTP operation. Op is "connect" (dial, EHLO,
// STARTTLS and AUTH), "send" (MAIL, RCPT and DATA) or "close" (QUIT).
type Error struct {
	Op   string // operation that failed
	Addr string // server address, host:port
	Err  error  // underlying error; wraps ctx.Err() when the context ended
}

// Error implements error.
func (e *Error) Error() string {
	return "smtp: " + e.Op + " " + e.Addr + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether the server answered with a transient (4xx)
// failure, so that retrying later may succeed.
func (e *Error) Temporary() bool {
	var se *mail.SendError
	return errors.As(e.Err, &se) && se.IsTemp()
}

// Mailer sends messages over SMTP. It is safe for concurrent use; each
// Send uses its own connection.
type Mailer struct {
	cfg  Config
	addr string
	tls  *tls.Config
	opts []mail.Option
}

// New validates cfg, applies defaults and returns a Mailer. It does not
// connect to the server.
func New(cfg Config) (*Mailer, error) {
	if strings.TrimSpace(cfg.Host) == "" {
		return nil, errors.New("smtp: config: Host is required")
	}
	if strings.ContainsAny(cfg.Host, " \r\n\t/") || strings.HasPrefix(cfg.Host, "unix:") {
		return nil, fmt.Errorf("smtp: config: invalid Host %q", cfg.Host)
	}
	if strings.ContainsAny(cfg.HELO, " \r\n\t\x00") {
		return nil, fmt.Errorf("smtp: config: invalid HELO %q", cfg.HELO)
	}
	switch cfg.TLS {
	case StartTLS, StartTLSOpportunistic:
		if cfg.Port == 0 {
			cfg.Port = mail.DefaultPortTLS
		}
	case ImplicitTLS:
		if cfg.Port == 0 {
			cfg.Port = mail.DefaultPortSSL
		}
	case NoTLS:
		if cfg.Port == 0 {
			cfg.Port = mail.DefaultPort
		}
		if cfg.Username != "" {
			return nil, errors.New("smtp: config: credentials require TLS (NoTLS is for loopback tests only)")
		}
	default:
		return nil, fmt.Errorf("smtp: config: unknown TLS mode %d", int(cfg.TLS))
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtp: config: Port %d out of range", cfg.Port)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("smtp: config: negative Timeout %v", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Username == "" && cfg.Password != "" {
		return nil, errors.New("smtp: config: Password set without Username")
	}

	var tlsCfg *tls.Config
	if cfg.TLSConfig != nil {
		tlsCfg = cfg.TLSConfig.Clone()
	} else {
		tlsCfg = &tls.Config{}
	}
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = cfg.Host
	}
	if tlsCfg.MinVersion == 0 {
		tlsCfg.MinVersion = tls.VersionTLS12
	}

	opts := []mail.Option{
		mail.WithPort(cfg.Port),
		mail.WithTimeout(cfg.Timeout),
		mail.WithTLSConfig(tlsCfg),
		mail.WithoutNoop(),
	}
	switch cfg.TLS {
	case StartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case StartTLSOpportunistic:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case ImplicitTLS:
		// The TLS handshake is done by our dialer; go-mail must not try
		// STARTTLS on top of it.
		opts = append(opts, mail.WithSSL(), mail.WithTLSPolicy(mail.NoTLS))
	case NoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if cfg.HELO != "" {
		opts = append(opts, mail.WithHELO(cfg.HELO))
	}
	if cfg.Username != "" {
		switch cfg.Auth {
		case AuthPlain:
			opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain))
		case AuthLogin:
			opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthLogin))
		default:
			return nil, fmt.Errorf("smtp: config: unknown Auth mechanism %d", int(cfg.Auth))
		}
		opts = append(opts, mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}

	return &Mailer{
		cfg:  cfg,
		addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)),
		tls:  tlsCfg,
		opts: opts,
	}, nil
}

// Addr returns the server address the Mailer sends to, as host:port.
func (m *Mailer) Addr() string { return m.addr }

// Send delivers msg over a new connection. It returns a wrapped
// ErrHeaderInjection or ErrInvalidMessage before connecting when msg is
// unusable, and an *Error for network and protocol failures. Cancelling
// ctx, or reaching its deadline, aborts the exchange at any stage.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	gm, err := buildMsg(msg)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return &Error{Op: "connect", Addr: m.addr, Err: err}
	}

	// Track the connection so that ctx can abort it at any stage; go-mail
	// only uses the context for the dial itself.
	var (
		mu   sync.Mutex
		conn net.Conn
	)
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{}
		var c net.Conn
		var err error
		if m.cfg.TLS == ImplicitTLS {
			c, err = (&tls.Dialer{NetDialer: d, Config: m.tls}).DialContext(dctx, network, addr)
		} else {
			c, err = d.DialContext(dctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		mu.Lock()
		conn = c
		mu.Unlock()
		if err := ctx.Err(); err != nil {
			_ = c.Close()
			return nil, err
		}
		return c, nil
	}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if conn != nil {
			_ = conn.Close()
		}
	})
	defer func() {
		stop()
		mu.Lock()
		defer mu.Unlock()
		if conn != nil {
			_ = conn.Close()
		}
	}()

	client, err := mail.NewClient(m.cfg.Host, append(m.opts[:len(m.opts):len(m.opts)], mail.WithDialContextFunc(dial))...)
	if err != nil {
		return &Error{Op: "connect", Addr: m.addr, Err: err}
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return m.fail(ctx, "connect", err)
	}
	if err := client.SendWithSMTPClient(sc, gm); err != nil {
		return m.fail(ctx, "send", err)
	}
	// The server accepted the message; a failing QUIT must not make the
	// caller retry and deliver it twice, so its error is ignored.
	_ = client.CloseWithSMTPClient(sc)
	return nil
}

func (m *Mailer) fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%v)", cerr, err)
	}
	return &Error{Op: op, Addr: m.addr, Err: err}
}

// buildMsg validates msg and turns it into a go-mail message.
func buildMsg(msg Message) (*mail.Msg, error) {
	for _, f := range []struct{ name, v string }{
		{"FromName", msg.FromName},
		{"FromAddress", msg.FromAddress},
		{"To", msg.To},
		{"Subject", msg.Subject},
	} {
		if strings.ContainsAny(f.v, "\r\n\x00") {
			return nil, fmt.Errorf("%w: %s", ErrHeaderInjection, f.name)
		}
	}
	from, err := parseAddr("FromAddress", msg.FromAddress)
	if err != nil {
		return nil, err
	}
	if from.Name != "" {
		return nil, fmt.Errorf("%w: FromAddress must be a bare address, put the name in FromName", ErrInvalidMessage)
	}
	to, err := parseAddr("To", msg.To)
	if err != nil {
		return nil, err
	}
	if msg.Text == "" && msg.HTML == "" {
		return nil, fmt.Errorf("%w: no Text or HTML body", ErrInvalidMessage)
	}

	gm := mail.NewMsg(mail.WithNoDefaultUserAgent())
	gm.FromMailAddress(&netmail.Address{Name: msg.FromName, Address: from.Address})
	gm.ToMailAddress(to)
	gm.Subject(msg.Subject)
	gm.SetDate()
	gm.SetMessageIDWithValue(messageID(from.Address))
	switch {
	case msg.Text != "" && msg.HTML != "":
		gm.SetBodyString(mail.TypeTextPlain, msg.Text)
		gm.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	case msg.Text != "":
		gm.SetBodyString(mail.TypeTextPlain, msg.Text)
	default:
		gm.SetBodyString(mail.TypeTextHTML, msg.HTML)
	}
	return gm, nil
}

func parseAddr(field, s string) (*netmail.Address, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w: %s is required", ErrInvalidMessage, field)
	}
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidMessage, field, err)
	}
	return a, nil
}

// messageID returns a random Message-ID in the sender's domain, so the
// sending machine's host name is not disclosed.
func messageID(from string) string {
	domain := "localhost"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i+1 < len(from) {
		domain = from[i+1:]
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:]) + "@" + domain
}
