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
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// app is the portal wired on its database.
type app struct {
	db      *sqlx.DB
	handler *server
}

func (a *app) close() { _ = a.db.Close() }

// openApp opens the database named by dbArg, migrates it, seeds the demo
// data on first use, and builds the web handler.
func openApp(ctx context.Context, dbArg string, log *slog.Logger) (*app, error) {
	db, err := openDB(dbArg, log)
	if err != nil {
		return nil, err
	}
	a := &app{db: db}
	if err := a.init(ctx, log); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *app) init(ctx context.Context, log *slog.Logger) error {
	if err := sqlstore.Migrate(ctx, a.db); err != nil {
		return err
	}
	store, err := sqlstore.New(a.db)
	if err != nil {
		return err
	}
	cfg := &tenancy.Config{Logger: log}
	seeded, err := seedDemo(ctx, store, cfg, time.Now())
	if err != nil {
		return err
	}
	if seeded {
		log.Info("seeded the demo platform", "platform", demoPlatformID, "accounts", len(demoAccounts))
	} else {
		log.Info("demo platform found; not seeding again", "platform", demoPlatformID)
	}
	log.Info("demo logins (fixed demo passwords; there is no login page yet)",
		"owner", ownerEmail, "owner_password", ownerPassword,
		"operator", operatorEmail, "operator_password", operatorPassword)
	a.handler, err = newServer(tenancy.New(store, cfg), demoPlatformID, log)
	return err
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
