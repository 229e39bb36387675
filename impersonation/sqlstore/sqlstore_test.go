package sqlstore_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/impersonation/sqlstore"
	"github.com/tenantry/tenantry/internal/secret"
	"github.com/tenantry/tenantry/internal/testdb"
)

func TestNewRefusesUnknownDriver(t *testing.T) {
	_, err := sqlstore.New(sqlx.NewDb(nil, "mysql"))
	require.Error(t, err)
}

// sessionTables are the tables migration 1 of the impersonation line
// creates.
var sessionTables = []string{"tenantry_impersonation_sessions"}

func TestMigrateUpDownUp(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		require.NoError(t, sqlstore.Migrate(ctx, db))
		require.Equal(t, sessionTables, testdb.Tables(t, db, sessionTables))
		require.NoError(t, sqlstore.Migrate(ctx, db), "a second Migrate is a no-op")

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 0))
		require.Empty(t, testdb.Tables(t, db, sessionTables))
		require.Equal(t, []string{"tenantry_audit_events"}, testdb.Tables(t, db, []string{"tenantry_audit_events"}),
			"MigrateTo moves the impersonation line alone")

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 1))
		require.Equal(t, sessionTables, testdb.Tables(t, db, sessionTables))
		require.NoError(t, sqlstore.MigrateTo(ctx, db, 0))
		require.NoError(t, sqlstore.Migrate(ctx, db))
		require.Equal(t, sessionTables, testdb.Tables(t, db, sessionTables))
		require.Error(t, sqlstore.MigrateTo(ctx, db, 99))
	})
}

// TestNoTokenStored starts sessions from known tokens (as
// impersonation.Service makes them), ends some one by one and others
// together, and checks that no column of the raw table holds any token:
// neither its text (in either case) nor its bytes in hex or any base64
// form. The hash is allowed.
func TestNoTokenStored(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		var tokens []string
		for i := range 6 {
			token, hash := secret.New()
			tokens = append(tokens, token)
			se := session("p1", fmt.Sprintf("sess-%d", i), hash)
			se.AccountID = fmt.Sprintf("acct-%d", i%2)
			require.NoError(t, s.Insert(ctx, se, event(se, "start")))
			got, err := s.GetByToken(ctx, "p1", hash)
			require.NoError(t, err)
			require.Equal(t, se, got)
		}
		ended, err := s.End(ctx, impersonation.End{PlatformID: "p1", ID: "sess-0", At: now.Add(time.Minute),
			Reason: impersonation.EndExit, Event: audit.Event{PlatformID: "p1", ID: "ev-end-0", At: now,
				ActorID: "system:test", Action: "impersonation.end", TargetType: "session", TargetID: "sess-0"}})
		require.NoError(t, err)
		require.Equal(t, impersonation.EndExit, ended.EndReason)
		all, err := s.EndAll(ctx, impersonation.EndAll{PlatformID: "p1", AccountID: "acct-1", At: now.Add(time.Hour),
			Reason: impersonation.EndAccountClosed, Event: func(se impersonation.Session) audit.Event { return event(se, "end") }})
		require.NoError(t, err)
		require.Len(t, all, 3)

		var forms []string
		for _, tok := range tokens {
			b, err := base64.RawURLEncoding.DecodeString(tok)
			require.NoError(t, err)
			forms = append(forms, tok, hex.EncodeToString(b), base64.StdEncoding.EncodeToString(b),
				base64.RawStdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b))
		}
		rows, err := db.QueryxContext(ctx, `SELECT * FROM tenantry_impersonation_sessions`)
		require.NoError(t, err)
		defer rows.Close()
		n := 0
		for rows.Next() {
			n++
			vals, err := rows.SliceScan()
			require.NoError(t, err)
			for _, v := range vals {
				text := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					text = string(b)
				}
				for _, f := range forms {
					assert.NotContains(t, text, f, "a token is stored")
					assert.NotContains(t, strings.ToLower(text), strings.ToLower(f), "a token is stored")
					assert.NotContains(t, strings.ToUpper(text), strings.ToUpper(f), "a token is stored")
				}
			}
		}
		require.NoError(t, rows.Err())
		require.Equal(t, 6, n)
	})
}

// TestStore checks each method on both dialects without the conformance
// suite: round trips, errors, EndAll's selection and order, List's
// filters and pages, and that a failed write writes nothing.
func TestStore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)

		a := session("p1", "a", "hash-a")
		b := session("p1", "b", "hash-b")
		b.StartedAt, b.ReadOnly, b.Mode, b.AccountID, b.ActorID = now.Add(time.Second), true, impersonation.AsStaff, "acct-2", "staff-2"
		c := session("p1", "c", "hash-c")
		c.StartedAt, c.ExpiresAt, c.SubjectID = now, now.Add(time.Minute), "staff-2" // same start as a
		other := session("p2", "a", "hash-a")                                        // same ID and hash, other platform
		for _, se := range []impersonation.Session{a, b, c, other} {
			require.NoError(t, s.Insert(ctx, se, event(se, "start")))
		}

		dup := session("p1", "a", "hash-new")
		require.ErrorIs(t, s.Insert(ctx, dup, event(dup, "dup")), impersonation.ErrConflict)
		dup = session("p1", "z", "hash-b")
		err := s.Insert(ctx, dup, event(dup, "dup"))
		require.ErrorIs(t, err, impersonation.ErrConflict)
		require.ErrorContains(t, err, "token hash in use")
		dup = session("p1", "y", "hash-y")
		require.ErrorIs(t, s.Insert(ctx, dup, event(a, "start")), impersonation.ErrConflict, "event ID used")
		_, err = s.Get(ctx, "p1", "y")
		require.ErrorIs(t, err, impersonation.ErrNotFound, "the failed insert wrote nothing")

		got, err := s.Get(ctx, "p1", "b")
		require.NoError(t, err)
		require.Equal(t, b, got)
		got, err = s.GetByToken(ctx, "p2", "hash-a")
		require.NoError(t, err)
		require.Equal(t, other, got)
		_, err = s.GetByToken(ctx, "p3", "hash-a")
		require.ErrorIs(t, err, impersonation.ErrNotFound)
		_, err = s.Get(ctx, "p2", "b")
		require.ErrorIs(t, err, impersonation.ErrNotFound)

		// List: newest first, ties by ID descending, pages by cursor.
		list, err := s.List(ctx, impersonation.Query{PlatformID: "p1"})
		require.NoError(t, err)
		require.Equal(t, []string{"b", "c", "a"}, ids(list))
		list, err = s.List(ctx, impersonation.Query{PlatformID: "p1", Limit: 2})
		require.NoError(t, err)
		require.Equal(t, []string{"b", "c"}, ids(list))
		last := list[1]
		list, err = s.List(ctx, impersonation.Query{PlatformID: "p1", After: &impersonation.Cursor{StartedAt: last.StartedAt, ID: last.ID}})
		require.NoError(t, err)
		require.Equal(t, []string{"a"}, ids(list))
		list, err = s.List(ctx, impersonation.Query{PlatformID: "p1", ActiveAt: now.Add(2 * time.Minute)})
		require.NoError(t, err)
		require.Equal(t, []string{"b", "a"}, ids(list))
		list, err = s.List(ctx, impersonation.Query{PlatformID: "p1", AccountID: "acct-2"})
		require.NoError(t, err)
		require.Equal(t, []string{"b"}, ids(list))
		list, err = s.List(ctx, impersonation.Query{PlatformID: "p1", SubjectID: "staff-2"})
		require.NoError(t, err)
		require.Equal(t, []string{"c"}, ids(list))
		list, err = s.List(ctx, impersonation.Query{PlatformID: "p9"})
		require.NoError(t, err)
		require.Nil(t, list)

		// End, then End again.
		endA := impersonation.End{PlatformID: "p1", ID: "a", At: now.Add(3 * time.Minute), Reason: impersonation.EndExit, Event: event(a, "end")}
		ended, err := s.End(ctx, endA)
		require.NoError(t, err)
		want := a
		want.EndedAt, want.EndReason = endA.At, impersonation.EndExit
		require.Equal(t, want, ended)
		got, err = s.GetByToken(ctx, "p1", "hash-a")
		require.NoError(t, err)
		require.Equal(t, want, got)
		endA.Event = event(a, "end-again")
		_, err = s.End(ctx, endA)
		require.ErrorIs(t, err, impersonation.ErrEnded)
		_, err = s.End(ctx, impersonation.End{PlatformID: "p1", ID: "nope", At: now, Reason: impersonation.EndExit, Event: event(a, "x")})
		require.ErrorIs(t, err, impersonation.ErrNotFound)
		// An event ID in use rolls the end back.
		_, err = s.End(ctx, impersonation.End{PlatformID: "p1", ID: "b", At: now, Reason: impersonation.EndExit, Event: event(a, "start")})
		require.ErrorIs(t, err, impersonation.ErrConflict)
		got, err = s.Get(ctx, "p1", "b")
		require.NoError(t, err)
		require.True(t, got.EndedAt.IsZero())

		// EndAll by user: actor of b, subject of c; the expired-only sweep first.
		endAll := impersonation.EndAll{PlatformID: "p1", UserID: "staff-2", ExpiredOnly: true, At: now.Add(time.Minute),
			Reason: impersonation.EndExpired, Event: func(se impersonation.Session) audit.Event { return event(se, "end") }}
		swept, err := s.EndAll(ctx, endAll)
		require.NoError(t, err)
		require.Equal(t, []string{"c"}, ids(swept), "c expires at its At")
		require.Equal(t, impersonation.EndExpired, swept[0].EndReason)
		require.Equal(t, now.Add(time.Minute), swept[0].EndedAt)
		endAll.ExpiredOnly, endAll.Reason = false, impersonation.EndUserClosed
		rest, err := s.EndAll(ctx, endAll)
		require.NoError(t, err)
		require.Equal(t, []string{"b"}, ids(rest))
		rest, err = s.EndAll(ctx, endAll)
		require.NoError(t, err)
		require.Nil(t, rest)

		// A zero At, or no Event for a matching session, ends nothing.
		_, err = s.End(ctx, impersonation.End{PlatformID: "p2", ID: "a", Reason: impersonation.EndExit, Event: event(other, "end")})
		require.ErrorIs(t, err, impersonation.ErrInvalid)
		_, err = s.EndAll(ctx, impersonation.EndAll{PlatformID: "p2", Reason: impersonation.EndExit, Event: endAll.Event})
		require.ErrorIs(t, err, impersonation.ErrInvalid)
		_, err = s.EndAll(ctx, impersonation.EndAll{PlatformID: "p2", At: now, Reason: impersonation.EndExit})
		require.ErrorIs(t, err, impersonation.ErrInvalid)
		got, err = s.Get(ctx, "p2", "a")
		require.NoError(t, err)
		require.Equal(t, other, got)

		events, err := s.Audit().List(ctx, audit.StoreQuery{PlatformID: "p1", Limit: 100})
		require.NoError(t, err)
		require.Len(t, events, 3+1+2, "3 starts, 1 End, 2 from EndAll")

		require.NoError(t, s.Record(ctx, event(a, "refused")))
		require.ErrorIs(t, s.Record(ctx, event(a, "refused")), impersonation.ErrConflict)
	})
}

// TestEndAllLimitOrder checks that EndAll with a limit ends the oldest
// sessions first and returns them in StartedAt then ID order.
func TestEndAllLimitOrder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		for i, id := range []string{"e", "d", "c", "b", "a"} {
			se := session("p1", id, "hash-"+id)
			se.StartedAt = now.Add(time.Duration(i/2) * time.Microsecond) // e,d tie; c,b tie
			require.NoError(t, s.Insert(ctx, se, event(se, "start")))
		}
		e := impersonation.EndAll{PlatformID: "p1", Limit: 3, At: now.Add(time.Hour), Reason: impersonation.EndExpired,
			Event: func(se impersonation.Session) audit.Event { return event(se, "end") }}
		got, err := s.EndAll(ctx, e)
		require.NoError(t, err)
		require.Equal(t, []string{"d", "e", "b"}, ids(got))
		got, err = s.EndAll(ctx, e)
		require.NoError(t, err)
		require.Equal(t, []string{"c", "a"}, ids(got))
	})
}

// TestRaceEndAllEnd races End of every session against EndAll of them
// all: each session is ended once, by one of them, with one event.
func TestRaceEndAllEnd(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		const n = 20
		for i := range n {
			se := session("p1", fmt.Sprintf("s%02d", i), fmt.Sprintf("hash-%02d", i))
			require.NoError(t, s.Insert(ctx, se, event(se, "start")))
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		endedBy := map[string]int{}
		for round := range 3 {
			wg.Go(func() {
				got, err := s.EndAll(ctx, impersonation.EndAll{PlatformID: "p1", At: now.Add(time.Hour),
					Reason: impersonation.EndAccountClosed, Event: func(se impersonation.Session) audit.Event {
						return event(se, fmt.Sprintf("endall-%d", round))
					}})
				assert.NoError(t, err)
				mu.Lock()
				defer mu.Unlock()
				for _, se := range got {
					endedBy[se.ID]++
				}
			})
		}
		for i := n - 1; i >= 0; i-- {
			wg.Go(func() {
				id := fmt.Sprintf("s%02d", i)
				_, err := s.End(ctx, impersonation.End{PlatformID: "p1", ID: id, At: now.Add(time.Minute),
					Reason: impersonation.EndExit, Event: audit.Event{PlatformID: "p1", ID: "ev-end-" + id, At: now,
						ActorID: "system:test", Action: "impersonation.end", TargetType: "session", TargetID: id}})
				if err != nil {
					assert.ErrorIs(t, err, impersonation.ErrEnded)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				endedBy[id]++
			})
		}
		wg.Wait()
		require.Len(t, endedBy, n)
		for id, k := range endedBy {
			require.Equal(t, 1, k, "session %s ended %d times", id, k)
		}
		events, err := s.Audit().List(ctx, audit.StoreQuery{PlatformID: "p1", Limit: 1000})
		require.NoError(t, err)
		require.Len(t, events, 2*n, "one start and one end event per session")
	})
}

// now is the tests' fixed clock, with microseconds.
var now = time.Date(2026, time.March, 1, 10, 0, 0, 123456000, time.UTC)

// session returns a live session of platform pid with this ID and token
// hash, every field set.
func session(pid, id, hash string) impersonation.Session {
	return impersonation.Session{
		PlatformID: pid, ID: id, TokenHash: hash, ActorID: "staff-1", SubjectID: "client-1",
		SubjectEmail: "client@example.com", AccountID: "acct-1", AccountName: "Acme",
		Mode: impersonation.AsClient, Reason: "support", Ticket: "T-1", StartedAt: now,
		ExpiresAt: now.Add(time.Hour),
	}
}

// event returns a valid event about se, its ID made of se's and what.
func event(se impersonation.Session, what string) audit.Event {
	return audit.Event{
		PlatformID: se.PlatformID, ID: fmt.Sprintf("ev-%s-%s", se.ID, what), At: se.StartedAt,
		AccountID: se.AccountID, ActorID: se.ActorID, OnBehalfOfID: se.SubjectID,
		Action: "impersonation." + what, TargetType: "impersonation_session", TargetID: se.ID,
	}
}

// ids returns the sessions' IDs in order.
func ids(ss []impersonation.Session) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}
