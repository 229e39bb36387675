// Command ownerportal is the owner portal of a demo white-label platform,
// built on the tenantry façade (tenantry.Open): a login, the accounts page
// (filters, search, license badges, summary figures), each account's
// details and controls, "log in as", licenses, users, and the customer
// dashboard with the impersonation banner.
//
// Run it from the repository root:
//
//	go run ./examples/ownerportal
//
// and open http://localhost:8080. On first start it creates the SQLite file
// ownerportal.db in the working folder and fills it with demo data (a
// platform, its owner and operator, and about thirty accounts in every
// state); later starts reuse it. Delete the file to start over.
//
// Flags:
//
//	-addr  address to listen on (default ":8080")
//	-db    SQLite file, or a postgres:// or postgresql:// URL for PostgreSQL
//	       (default "ownerportal.db", or $TENANTRY_DB when set)
//
//	-accounts N  also generate N extra accounts (for the scale check;
//	       100000 takes a few seconds on SQLite)
//
// Log in as owner@demo.example / demo-owner-password (the owner), or
// operator@demo.example / demo-operator-password (an operator), or
// hello@northwind.example / demo-client-password (a customer). The
// passwords are fixed demo passwords: keep the demo on a trusted machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, log); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		log.Error("ownerportal stopped", "error", err)
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	addr      string
	db        string
	accounts  int
	smtp      string
	baseURL   string
	secretKey string
}

// parseFlags reads the flags; the environment variable TENANTRY_DB, when
// set, replaces the default of -db.
func parseFlags(args []string, getenv func(string) string, out io.Writer) (options, error) {
	defDB := "ownerportal.db"
	if v := getenv("TENANTRY_DB"); v != "" {
		defDB = v
	}
	var o options
	fs := flag.NewFlagSet("ownerportal", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.addr, "addr", ":8080", "address to listen on")
	fs.StringVar(&o.db, "db", defDB, "SQLite file, or a postgres:// or postgresql:// URL (env TENANTRY_DB sets the default)")
	fs.IntVar(&o.accounts, "accounts", 0, "generate this many extra accounts (scale check)")
	fs.StringVar(&o.smtp, "smtp", "", "send invitations to this SMTP server (host:port; STARTTLS when offered); default: the built-in loopback mail catcher, read at /mailbox")
	fs.StringVar(&o.baseURL, "base-url", "", "address invitation links start with (default: the listener's address)")
	fs.StringVar(&o.secretKey, "secret-key", "ownerportal.key", "file with the 32-byte key sealing login providers' client secrets (created on first start)")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return o, nil
}

// run opens and seeds the database, then serves until ctx ends, and shuts
// the server down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger) error {
	o, err := parseFlags(args, getenv, os.Stderr)
	if err != nil {
		return err
	}
	if o.accounts < 0 {
		return fmt.Errorf("-accounts must not be negative")
	}
	app, err := openApp(ctx, o, log)
	if err != nil {
		return err
	}
	defer app.close()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	if o.baseURL == "" {
		app.mail.setBaseURL(siteURL(ln.Addr()))
	}
	srv := &http.Server{
		Handler:           app.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("serving the owner portal", "url", siteURL(ln.Addr()), "login", siteURL(ln.Addr())+"/login")
	return serve(ctx, srv, ln, log)
}

// serve runs srv on ln until ctx ends, then gives requests in flight up to
// 10 seconds to finish.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// siteURL is the address to open in a browser for a listener's address.
func siteURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}
