package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/impersonation/sqlstore"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/testdb"
)

// handSession is the benchmark's baseline row: the session as a competent
// engineer would read it by hand with sqlx.
type handSession struct {
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

const handGetByToken = `SELECT platform_id, id, token_hash, actor_id, subject_id, subject_email,
	account_id, account_name, mode, reason, ticket, read_only, started_at, expires_at, ended_at, end_reason
FROM tenantry_impersonation_sessions WHERE platform_id = ? AND token_hash = ?`

// BenchmarkGetByToken compares Store.GetByToken, the per-request read of
// a session, with the hand-written query, on 2,000 sessions of 4
// platforms.
func BenchmarkGetByToken(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *sqlx.DB
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}} {
		b.Run(d.name, func(b *testing.B) {
			ctx := context.Background()
			db := d.open(b)
			s := testdb.Store(b, db, sqlstore.Migrate, sqlstore.New)
			const n = 2000
			for i := range n {
				se := session(fmt.Sprintf("p%d", i%4), fmt.Sprintf("sess-%05d", i), fmt.Sprintf("hash-%05d", i))
				se.StartedAt = now.Add(time.Duration(i) * time.Second)
				require.NoError(b, s.Insert(ctx, se, event(se, "start")))
			}
			want, err := s.GetByToken(ctx, "p1", "hash-01001")
			require.NoError(b, err)
			query := db.Rebind(handGetByToken)
			var r handSession
			require.NoError(b, db.GetContext(ctx, &r, query, "p1", "hash-01001"))
			require.Equal(b, want.ID, r.ID)

			b.Run("tenantry", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					k := 1 + 4*(i%(n/4))
					if _, err := s.GetByToken(ctx, "p1", fmt.Sprintf("hash-%05d", k)); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("hand", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					k := 1 + 4*(i%(n/4))
					var r handSession
					if err := db.GetContext(ctx, &r, query, "p1", fmt.Sprintf("hash-%05d", k)); err != nil {
						b.Fatal(err)
					}
					_ = impersonation.Session{ID: r.ID}
				}
			})
		})
	}
}
