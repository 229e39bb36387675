package sqlstore

import (
	"context"
	"fmt"
	"strings"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/sqlkit"
)

// domainRecord names a domain of a platform.
func domainRecord(platformID, host string) record {
	return record{
		table: domainsTable,
		key:   sq.Eq{"platform_id": platformID, "host": host},
		what:  fmt.Sprintf("domain %q", host),
	}
}

// InsertDomain adds d with ev. A host already held by any platform is
// branding.ErrConflict (the unique key on host alone decides racing
// claims), as is a second primary domain of the platform. Listeners hear
// of the platform (see ListenChanges).
func (s *Store) InsertDomain(ctx context.Context, d branding.Domain, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		ins := s.base.Builder().Insert(domainsTable).Columns(domainColumns...).Values(s.domainValues(d)...)
		if err := sqlkit.Exec(ctx, tx, ins); err != nil {
			return err
		}
		return s.domainWritten(ctx, tx, d.PlatformID, ev)
	})
	if err != nil {
		return fail("insert domain", err)
	}
	s.delivered(d.PlatformID)
	return nil
}

// GetDomain returns the platform's domain with this host, or
// branding.ErrNotFound (also when the host is another platform's).
func (s *Store) GetDomain(ctx context.Context, platformID, host string) (branding.Domain, error) {
	var r domainRow
	sel := s.base.Builder().Select(domainColumns...).From(domainsTable).
		Where(sq.Eq{"platform_id": platformID, "host": host})
	if err := sqlkit.Get(ctx, s.base.DB, &r, sel); err != nil {
		return branding.Domain{}, fail("get domain", err)
	}
	return r.domain(), nil
}

// UpdateDomain writes d's VerifiedAt, Primary, VerificationToken and
// Version with ev if the stored version is d.Version-1
// (branding.ErrNotFound when missing, ErrStale when its version moved).
//
// When d.Primary is set, the platform's other primary domain, if any,
// first loses Primary (its version bumped), then d is written: in this
// order, so that the partial unique index of primaries never sees two. On
// PostgreSQL the platform's domains are first locked (SELECT ... FOR
// UPDATE, in host order), so that concurrent moves of the primary run one
// after the other, each clearing the primary the one before set, as on
// SQLite, where the transaction holds the write lock. Listeners hear of
// the platform (see ListenChanges).
func (s *Store) UpdateDomain(ctx context.Context, d branding.Domain, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if d.Primary {
			if s.pg() {
				lock := s.base.Builder().Select("host").From(domainsTable).
					Where(sq.Eq{"platform_id": d.PlatformID}).OrderBy("host").Suffix("FOR UPDATE")
				var hosts []string
				if err := sqlkit.Select(ctx, tx, &hosts, lock); err != nil {
					return err
				}
			}
			demote := s.base.Builder().Update(domainsTable).
				Set("is_primary", false).
				Set("version", sq.Expr("version + 1")).
				Where(sq.Eq{"platform_id": d.PlatformID, "is_primary": true}).
				Where(sq.NotEq{"host": d.Host})
			if err := sqlkit.Exec(ctx, tx, demote); err != nil {
				return err
			}
		}
		set := map[string]any{
			"verification_token": d.VerificationToken, "verified_at": s.tmNull(d.VerifiedAt),
			"is_primary": d.Primary, "version": d.Version,
		}
		if err := s.updateVersioned(ctx, tx, domainRecord(d.PlatformID, d.Host), set, d.Version); err != nil {
			return err
		}
		return s.domainWritten(ctx, tx, d.PlatformID, ev)
	})
	if err != nil {
		return fail("update domain", err)
	}
	s.delivered(d.PlatformID)
	return nil
}

// DeleteDomain removes the domain with ev; branding.ErrNotFound when it
// is missing. Listeners hear of the platform (see ListenChanges).
func (s *Store) DeleteDomain(ctx context.Context, platformID, host string, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.deleteRow(ctx, tx, domainRecord(platformID, host)); err != nil {
			return err
		}
		return s.domainWritten(ctx, tx, platformID, ev)
	})
	if err != nil {
		return fail("delete domain", err)
	}
	s.delivered(platformID)
	return nil
}

// domainWritten ends a transaction that changed the platform's domains:
// it queues the notification (PostgreSQL) and writes ev.
func (s *Store) domainWritten(ctx context.Context, tx *sqlx.Tx, platformID string, ev audit.Event) error {
	if err := s.notifyTx(ctx, tx, platformID); err != nil {
		return err
	}
	return s.base.WriteEvents(ctx, tx, ev)
}

// Domains lists the platform's domains by host; nil when none.
func (s *Store) Domains(ctx context.Context, platformID string) ([]branding.Domain, error) {
	var rows []domainRow
	sel := s.base.Builder().Select(domainColumns...).From(domainsTable).
		Where(sq.Eq{"platform_id": platformID}).OrderBy("host")
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("domains", err)
	}
	return sqlkit.Convert(rows, domainRow.domain), nil
}

// LookupHost returns the domain with this host, of whatever platform, and
// that platform's verified primary host ("" when none), or
// branding.ErrNotFound. It is the routing read of every request: one
// statement, outside any transaction, on the unique key of host, with a
// scalar subquery on the platform's one-primary index.
func (s *Store) LookupHost(ctx context.Context, host string) (branding.Route, error) {
	var r domainRow
	var primary string
	if err := s.base.DB.QueryRowContext(ctx, s.lookupSQL, host).Scan(append(r.dest(), &primary)...); err != nil {
		return branding.Route{}, fail("lookup host", err)
	}
	return branding.Route{Domain: r.domain(), PrimaryHost: primary}, nil
}

// lookupSQL writes LookupHost's statement for dialect d. The subquery's
// condition on is_primary is the partial index's own, so that both
// databases use the index; a primary counts when it is verified (or the
// platform's default host), as branding.Domain.Verified says.
func lookupSQL(d sqlkit.Dialect) string {
	isTrue := func(col string) string { return col }
	if d == sqlkit.SQLite {
		isTrue = func(col string) string { return col + " = 1" }
	}
	cols := make([]string, len(domainColumns))
	for i, c := range domainColumns {
		cols[i] = "d." + c
	}
	q := "SELECT " + strings.Join(cols, ", ") + ",\n" +
		"  COALESCE((SELECT p.host FROM " + domainsTable + " p\n" +
		"    WHERE p.platform_id = d.platform_id AND " + isTrue("p.is_primary") + "\n" +
		"      AND (p.verified_at IS NOT NULL OR " + isTrue("p.is_default") + ")), '')\n" +
		"FROM " + domainsTable + " d WHERE d.host = ?"
	return d.Rebind(q)
}
