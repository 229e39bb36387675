package sqlstore_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/dbtest"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/sqlstore"
)

// event returns an audit event of platform pid.
func event(pid, action string) audit.Event {
	return audit.Event{PlatformID: pid, ID: uuid.NewString(), At: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		ActorID: "system:test", Action: action}
}

// newStore migrates db and returns a Store on it.
func newStore(t *testing.T, db *sqlx.DB) *sqlstore.Store {
	t.Helper()
	return testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
}

// TestGateFactsOneStatement checks that GateFacts is one statement,
// whatever the account has.
func TestGateFactsOneStatement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlx.DB, n *dbtest.Counter) {
		ctx := context.Background()
		s := newStore(t, db)
		pid, account := uuid.NewString(), uuid.NewString()
		plan := licensing.Plan{PlatformID: pid, ID: "plan", Name: "Pro", Features: []string{"b", "a"},
			Limits: map[string]int64{"seats": 3}, Version: 1,
			CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 1000, time.UTC), UpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 1000, time.UTC)}
		require.NoError(t, s.InsertPlan(ctx, plan, event(pid, "plan.create")))
		l := issue(t, s, pid, account)
		o := licensing.Override{PlatformID: pid, AccountID: account, Feature: "x", Enabled: true,
			UpdatedAt: time.Date(2026, 2, 1, 0, 0, 0, 5000, time.UTC)}
		require.NoError(t, s.SetOverride(ctx, o, event(pid, "feature.override")))

		n.Reset()
		f, err := s.GateFacts(ctx, pid, account)
		require.NoError(t, err)
		require.EqualValues(t, 1, n.Count(), "statements")
		require.Equal(t, &l, f.License)
		plan.Features = []string{"a", "b"}
		require.Equal(t, &plan, f.Plan)
		require.Equal(t, []licensing.Override{o}, f.Overrides)

		n.Reset()
		f, err = s.GateFacts(ctx, pid, uuid.NewString())
		require.NoError(t, err)
		require.EqualValues(t, 1, n.Count(), "statements")
		require.Equal(t, licensing.Facts{}, f)
	})
}

// TestZeroTimesRoundTrip checks that zero times come back zero, and that
// a license with a zero end is due first.
func TestZeroTimesRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlx.DB, _ *dbtest.Counter) {
		ctx := context.Background()
		s := newStore(t, db)
		pid := uuid.NewString()
		l := licensing.License{PlatformID: pid, ID: uuid.NewString(), Number: "N", Status: licensing.Active, Version: 1}
		require.NoError(t, s.WriteLicenses(ctx, []licensing.LicenseChange{{License: l, Insert: true}}, event(pid, "x")))
		got, err := s.GetLicense(ctx, pid, l.ID)
		require.NoError(t, err)
		require.Equal(t, l, got)
		due, err := s.DueLicenses(ctx, time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC), 1)
		require.NoError(t, err)
		require.Equal(t, []licensing.License{l}, due)
	})
}

// TestCreditOverflow checks that a grant past int64 is ErrInvalid and
// writes nothing.
func TestCreditOverflow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlx.DB, _ *dbtest.Counter) {
		ctx := context.Background()
		s := newStore(t, db)
		pid, account := uuid.NewString(), uuid.NewString()
		grant := func(delta int64) error {
			e := licensing.CreditEntry{PlatformID: pid, AccountID: account, Kind: "sms", ID: uuid.NewString(),
				Delta: delta, At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
			_, _, err := s.ApplyCredit(ctx, e, event(pid, "credit"))
			return err
		}
		require.NoError(t, grant(math.MaxInt64-1))
		require.ErrorIs(t, grant(2), licensing.ErrInvalid)
		require.ErrorIs(t, grant(math.MinInt64), licensing.ErrInsufficientCredits)
		require.NoError(t, grant(1))
		b, err := s.Balances(ctx, pid, account)
		require.NoError(t, err)
		require.Equal(t, map[string]int64{"sms": math.MaxInt64}, b)
	})
}

// TestWriteLicensesJudgesTheOutcome checks that, as in memstore, a batch is
// judged by its outcome: an account's new active license may come before
// the old one's revocation, and two licenses may swap numbers.
func TestWriteLicensesJudgesTheOutcome(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlx.DB, n *dbtest.Counter) {
		ctx := context.Background()
		s := newStore(t, db)
		pid, account := uuid.NewString(), uuid.NewString()
		old := issue(t, s, pid, account)
		other := issue(t, s, pid, "")

		repl := old
		repl.ID, repl.Number = uuid.NewString(), "LIC-NEW"
		revoked := old
		revoked.Status, revoked.Version = licensing.Revoked, old.Version+1
		swapped := other
		swapped.Number, swapped.Version = old.Number, other.Version+1
		revoked.Number = other.Number
		n.Reset()
		require.NoError(t, s.WriteLicenses(ctx, []licensing.LicenseChange{
			{License: repl, Insert: true}, {License: revoked}, {License: swapped},
		}, event(pid, "license.replace")))
		t.Logf("%s: statements for an insert and two updates: %d", db.DriverName(), n.Count())
		for _, want := range []licensing.License{repl, revoked, swapped} {
			got, err := s.GetLicense(ctx, pid, want.ID)
			require.NoError(t, err)
			require.Equal(t, want, got)
		}

		// The outcome still may not hold two active licenses for one account.
		again := old
		again.ID, again.Number = uuid.NewString(), "LIC-AGAIN"
		err := s.WriteLicenses(ctx, []licensing.LicenseChange{{License: again, Insert: true}}, event(pid, "x"))
		require.ErrorIs(t, err, licensing.ErrConflict)
		require.ErrorContains(t, err, "already has an active license")
	})
}
