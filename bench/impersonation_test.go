package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

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

// session is the row as an impersonation.Session.
func (r handSessionRow) session() impersonation.Session {
	return impersonation.Session{PlatformID: r.PlatformID, ID: r.ID, TokenHash: r.TokenHash, ActorID: r.ActorID,
		SubjectID: r.SubjectID, SubjectEmail: r.SubjectEmail, AccountID: r.AccountID, AccountName: r.AccountName,
		Mode: impersonation.Mode(r.Mode), Reason: r.Reason, Ticket: r.Ticket, ReadOnly: r.ReadOnly,
		StartedAt: r.StartedAt.Time, ExpiresAt: r.ExpiresAt.Time, EndedAt: r.EndedAt.Time,
		EndReason: impersonation.EndReason(r.EndReason)}
}

const handSessionQuery = `SELECT platform_id, id, token_hash, actor_id, subject_id, subject_email,
	account_id, account_name, mode, reason, ticket, read_only, started_at, expires_at, ended_at, end_reason
FROM tenantry_impersonation_sessions WHERE platform_id = ? AND token_hash = ?`

// impersonationWorld is one database with tenancy and impersonation
// migrated, client accounts and a live session in each.
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
	for i := range impersonationSessions() {
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
// SQLite and PostgreSQL, in one loop that alternates them (see ratio), on
// impersonationSessions() live sessions, one token after the other:
//
//   - lookup: reading the session by its token's hash, as the middleware
//     does (target: x-baseline at most 1.5);
//   - request: a whole request through HTTP.Middleware, which also checks
//     the actor, the account and the subject again through tenancy (three
//     more reads: the price of "rights checked on every request"; no
//     target, reported for scale).
//
// Before timing, every token is read both ways and must give the same
// session.
func BenchmarkImpersonationLookup(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			w := newImpersonationWorld(b, d.open(b))
			w.same(b)
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
			b.Run("lookup", func(b *testing.B) { benchTokens(b, w, w.lookup, w.handLookup) })
			b.Run("request", func(b *testing.B) { benchTokens(b, w, request, w.handLookup) })
		})
	}
}

// benchTokens runs ours and the baseline through ratio, on the world's
// tokens in turn.
func benchTokens(b *testing.B, w *impersonationWorld, ours, theirs func(context.Context, string) error) {
	ctx := context.Background()
	i, j := 0, 0
	b.ReportAllocs()
	ratio(b, func() error {
		i++
		return ours(ctx, w.tokens[i%len(w.tokens)])
	}, func() error {
		j++
		return theirs(ctx, w.tokens[j%len(w.tokens)])
	})
}

// same requires the store and the hand-written query to read the same
// session for every token.
func (w *impersonationWorld) same(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	for _, token := range w.tokens {
		hash, err := secret.Hash(token)
		require.NoError(tb, err)
		got, err := w.store.GetByToken(ctx, w.pid, hash)
		require.NoError(tb, err)
		var want handSessionRow
		require.NoError(tb, w.db.GetContext(ctx, &want, w.hand, w.pid, hash))
		require.Equal(tb, want.session(), got)
		require.True(tb, got.EndedAt.IsZero(), "the session is live")
	}
}

// impersonationSessions is the number of accounts, each with a live
// session: 200, or 2,000 with -full.
func impersonationSessions() int { return size(200, 2_000) }
