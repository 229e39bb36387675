package tenantry_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	impsql "github.com/tenantry/tenantry/impersonation/sqlstore"
	"github.com/tenantry/tenantry/internal/secret"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// handSessionRow is the baseline's row: the session as one would read it
// by hand with sqlx, every column the banner and the checks use.
type handSessionRow struct {
	PlatformID   string      `db:"platform_id"`
	ID           string      `db:"id"`
	TokenHash    string      `db:"token_hash"`
	ActorID      string      `db:"actor_id"`
	SubjectID    string      `db:"subject_id"`
	SubjectEmail string      `db:"subject_email"`
	AccountID    string      `db:"account_id"`
	AccountName  string      `db:"account_name"`
	Mode         string      `db:"mode"`
	Reason       string      `db:"reason"`
	Ticket       string      `db:"ticket"`
	ReadOnly     bool        `db:"read_only"`
	StartedAt    sqlkit.Time `db:"started_at"`
	ExpiresAt    sqlkit.Time `db:"expires_at"`
	EndedAt      sqlkit.Time `db:"ended_at"`
	EndReason    string      `db:"end_reason"`
}

const handSessionQuery = `SELECT platform_id, id, token_hash, actor_id, subject_id, subject_email,
	account_id, account_name, mode, reason, ticket, read_only, started_at, expires_at, ended_at, end_reason
FROM tenantry_impersonation_sessions WHERE platform_id = ? AND token_hash = ?`

// impersonationWorld is one database with tenancy and impersonation
// migrated, 200 client accounts and a live session in each.
type impersonationWorld struct {
	db     *sqlx.DB
	store  *impsql.Store
	svc    *impersonation.Service
	pid    string
	tokens []string
	hand   string
}

func newImpersonationWorld(tb testing.TB, db *sqlx.DB) *impersonationWorld {
	ctx := audit.WithPrincipal(context.Background(), audit.System("bench"))
	ten := testdb.Store(tb, db, sqlstore.Migrate, sqlstore.New)
	w := &impersonationWorld{db: db, store: testdb.Store(tb, db, impsql.Migrate, impsql.New), hand: db.Rebind(handSessionQuery)}
	tsvc := tenancy.New(ten, nil)
	w.svc = impersonation.New(w.store, tenantry.ImpersonationDirectory(ten), nil)
	p, err := tsvc.CreatePlatform(ctx, tenancy.CreatePlatformParams{Name: "Bench"})
	require.NoError(tb, err)
	w.pid = p.ID
	op, err := tsvc.CreateUser(ctx, tenancy.CreateUserParams{PlatformID: w.pid, Email: "op@reseller.example", Name: "Operator", Role: tenancy.RoleOperator})
	require.NoError(tb, err)
	actor := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: w.pid, UserID: op.User.ID})
	for i := range 200 {
		acc, err := tsvc.CreateAccount(ctx, tenancy.CreateAccountParams{PlatformID: w.pid, Name: fmt.Sprintf("Client %d", i), Email: fmt.Sprintf("c%d@example.com", i)})
		require.NoError(tb, err)
		st, err := w.svc.Start(actor, impersonation.StartParams{PlatformID: w.pid, AccountID: acc.Account.ID, Mode: impersonation.AsClient})
		require.NoError(tb, err)
		w.tokens = append(w.tokens, st.Token)
	}
	return w
}

// lookup is what the middleware reads by token: hash it, read the session.
func (w *impersonationWorld) lookup(ctx context.Context, token string) error {
	hash, err := secret.Hash(token)
	if err != nil {
		return err
	}
	_, err = w.store.GetByToken(ctx, w.pid, hash)
	return err
}

// handLookup is the baseline: the same read written by hand.
func (w *impersonationWorld) handLookup(ctx context.Context, token string) error {
	hash, err := secret.Hash(token)
	if err != nil {
		return err
	}
	var r handSessionRow
	return w.db.GetContext(ctx, &r, w.hand, w.pid, hash)
}

// BenchmarkImpersonationLookup measures the per-request work of the
// impersonation middleware beside a hand-written query by token hash, on
// SQLite and PostgreSQL, in one loop that alternates them ("x" is the
// ratio):
//
//   - lookup: reading the session by its token's hash (the target: at
//     most 1.5x the hand-written query);
//   - request: a whole request through HTTP.Middleware, which also checks
//     the actor, the account and the subject again through tenancy (three
//     more reads: the price of "rights checked on every request").
func BenchmarkImpersonationLookup(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *sqlx.DB
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}} {
		b.Run(d.name, func(b *testing.B) {
			w := newImpersonationWorld(b, d.open(b))
			mw := (&impersonation.HTTP{
				Service:  w.svc,
				Platform: func(*http.Request) (string, error) { return w.pid, nil },
			}).Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			request := func(_ context.Context, token string) error {
				r := httptest.NewRequest("GET", "/dashboard", nil)
				r.Header.Set("Tenantry-Impersonation", token)
				rec := httptest.NewRecorder()
				mw.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					return fmt.Errorf("status %d", rec.Code)
				}
				return nil
			}
			b.Run("lookup", func(b *testing.B) { benchPair(b, w, w.lookup, w.handLookup) })
			b.Run("request", func(b *testing.B) { benchPair(b, w, request, w.handLookup) })
		})
	}
}

// benchPair runs ours and the baseline alternately on the same tokens and
// reports the ratio of their total times.
func benchPair(b *testing.B, w *impersonationWorld, ours, theirs func(context.Context, string) error) {
	ctx := context.Background()
	timed := func(fn func(context.Context, string) error, token string) time.Duration {
		start := time.Now()
		if err := fn(ctx, token); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var o, t time.Duration
	n := 0
	for b.Loop() {
		token := w.tokens[n%len(w.tokens)]
		if n%2 == 0 {
			o += timed(ours, token)
			t += timed(theirs, token)
		} else {
			t += timed(theirs, token)
			o += timed(ours, token)
		}
		n++
	}
	b.ReportMetric(float64(o)/float64(t), "x")
	b.ReportMetric(float64(o.Nanoseconds())/float64(n), "tenantry-ns/op")
	b.ReportMetric(float64(t.Nanoseconds())/float64(n), "handwritten-ns/op")
}
