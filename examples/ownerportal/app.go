package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// features is the demo product's feature catalog: what licensing plans
// switch on.
var features = []licensing.Feature{
	{Key: "live_chat", Name: "Live chat"},
	{Key: "analytics", Name: "Analytics"},
	{Key: "broadcasts", Name: "Broadcasts"},
	{Key: "api", Name: "API access"},
	{Key: "white_label", Name: "White label"},
}

// app is the portal wired on its database.
type app struct {
	db      *sqlx.DB
	portal  *tenantry.Portal
	handler *server
	mail    *outbox
}

func (a *app) close() {
	a.mail.close()
	_ = a.db.Close()
}

// openApp opens the database named by o.db, migrates it, seeds the demo
// data on first use (and o.accounts generated accounts), and builds the
// web handler.
func openApp(ctx context.Context, o options, log *slog.Logger) (*app, error) {
	db, err := openDB(o.db, log)
	if err != nil {
		return nil, err
	}
	a := &app{db: db}
	if err := a.init(ctx, o, log); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// openPortal opens the façade on db with the demo's catalog; tcfg tunes
// tenancy (the tests hash passwords cheaply). mail, when set, sends the
// invitations; key seals login providers' secrets.
func openPortal(ctx context.Context, db *sqlx.DB, tcfg *tenancy.Config, log *slog.Logger, mail *outbox, key []byte) (*tenantry.Portal, error) {
	cfg := &tenantry.Config{Features: features, Tenancy: tcfg, Logger: log, SecretKey: key}
	if mail != nil {
		cfg.Mailer, cfg.LinkURL = mail, mail.LinkURL
	}
	return tenantry.Open(ctx, db, cfg)
}

func (a *app) init(ctx context.Context, o options, log *slog.Logger) error {
	out, err := newOutbox(o.smtp, log)
	if err != nil {
		return err
	}
	a.mail = out
	if o.baseURL != "" {
		out.setBaseURL(o.baseURL)
	}
	key, err := loadSecretKey(o.secretKey)
	if err != nil {
		return err
	}
	cfg := &tenancy.Config{Logger: log}
	p, err := openPortal(ctx, a.db, cfg, log, out, key)
	if err != nil {
		return err
	}
	a.portal = p
	store, err := sqlstore.New(a.db)
	if err != nil {
		return err
	}
	seeded, err := seedDemo(ctx, seedEnv{db: a.db, store: store, portal: p, cfg: cfg}, time.Now())
	if err != nil {
		return err
	}
	if seeded {
		log.Info("seeded the demo platform", "platform", demoPlatformID, "accounts", len(demoAccounts))
	} else {
		log.Info("demo platform found; not seeding again", "platform", demoPlatformID)
	}
	if o.accounts > 0 {
		st, err := generateAccounts(ctx, a.db, demoPlatformID, o.accounts, time.Now())
		if err != nil {
			return fmt.Errorf("generate accounts: %w", err)
		}
		log.Info("generated accounts", "accounts", st.accounts, "took", st.took.Round(time.Millisecond))
	}
	log.Info("demo logins (fixed demo passwords)",
		"owner", ownerEmail, "owner_password", ownerPassword,
		"operator", operatorEmail, "operator_password", operatorPassword,
		"customer", clientEmail, "customer_password", clientPassword)
	a.handler, err = newServer(p, demoPlatformID, log)
	if err != nil {
		return err
	}
	a.handler.mail = out
	return nil
}

// isPostgres reports whether the -db value is a PostgreSQL URL.
func isPostgres(dbArg string) bool {
	return strings.HasPrefix(dbArg, "postgres://") || strings.HasPrefix(dbArg, "postgresql://")
}

// openDB opens PostgreSQL for a postgres:// URL, else the SQLite file.
func openDB(dbArg string, log *slog.Logger) (*sqlx.DB, error) {
	if isPostgres(dbArg) {
		log.Info("opening PostgreSQL", "url", redact(dbArg))
		return tenantry.OpenPostgres(dbArg)
	}
	path, err := filepath.Abs(dbArg)
	if err != nil {
		return nil, err
	}
	log.Info("opening SQLite", "file", path)
	return tenantry.OpenSQLite(path)
}

// redact hides the password of a database URL, in its user part or in a
// password parameter, for the log.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Sprintf("(%d characters, not a valid URL)", len(dsn))
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
