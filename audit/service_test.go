package audit_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/audit/memstore"
)

// now is the tests' clock: not UTC, with nanoseconds, to see them dropped.
var now = time.Date(2024, time.March, 1, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))

func clock() time.Time { return now }

// spy records what the Service asks of its store.
type spy struct {
	audit.Store
	queries []audit.StoreQuery
	purges  []int // the limit of each PurgeBefore call
	cutoffs []time.Time
	err     error // returned by PurgeBefore when set
}

func (s *spy) List(ctx context.Context, q audit.StoreQuery) ([]audit.Event, error) {
	s.queries = append(s.queries, q)
	return s.Store.List(ctx, q)
}

func (s *spy) PurgeBefore(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	s.purges, s.cutoffs = append(s.purges, limit), append(s.cutoffs, cutoff)
	if s.err != nil {
		return 0, s.err
	}
	return s.Store.PurgeBefore(ctx, cutoff, limit)
}

func newService(cfg *audit.Config) (*audit.Service, *spy) {
	s := &spy{Store: memstore.New()}
	return audit.New(s, cfg), s
}

func minimal(platform string) audit.Event {
	return audit.Event{PlatformID: platform, ActorID: "u-1", Action: "account.update"}
}

// requireInvalid checks that err is ErrInvalid naming field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, audit.ErrInvalid)
	var inv *audit.InvalidError
	require.ErrorAs(t, err, &inv)
	require.Equal(t, field, inv.Field)
	require.NotEmpty(t, inv.Reason)
	require.Contains(t, err.Error(), field)
}

func TestRecordDefaults(t *testing.T) {
	svc, _ := newService(&audit.Config{Now: clock})
	e, err := svc.Record(context.Background(), minimal("p"))
	require.NoError(t, err)

	u, err := uuid.Parse(e.ID)
	require.NoError(t, err)
	require.Equal(t, uuid.Version(7), u.Version())
	require.Equal(t, now.UTC().Truncate(time.Microsecond), e.At)
	require.Equal(t, time.UTC, e.At.Location())

	page, err := svc.List(context.Background(), audit.Query{PlatformID: "p"})
	require.NoError(t, err)
	require.Equal(t, []audit.Event{e}, page.Events)
}

func TestRecordKeepsGivenIDAndTime(t *testing.T) {
	svc, _ := newService(&audit.Config{Now: clock, NewID: func() string { panic("not called") }})
	in := minimal("p")
	in.ID, in.At = "evt-given", now.Add(-time.Hour)
	e, err := svc.Record(context.Background(), in)
	require.NoError(t, err)
	require.Equal(t, "evt-given", e.ID)
	require.Equal(t, now.Add(-time.Hour).UTC().Truncate(time.Microsecond), e.At)
}

func TestRecordValidation(t *testing.T) {
	svc, _ := newService(nil)
	for field, mutate := range map[string]func(*audit.Event){
		"platform_id": func(e *audit.Event) { e.PlatformID = "" },
		"actor_id":    func(e *audit.Event) { e.ActorID = "" },
		"action":      func(e *audit.Event) { e.Action = "" },
	} {
		t.Run(field, func(t *testing.T) {
			e := minimal("p-invalid")
			mutate(&e)
			got, err := svc.Record(context.Background(), e)
			requireInvalid(t, err, field)
			require.ErrorContains(t, err, "audit: record: ")
			require.Zero(t, got)
		})
	}
	page, err := svc.List(context.Background(), audit.Query{PlatformID: "p-invalid"})
	require.NoError(t, err)
	require.Empty(t, page.Events, "nothing stored")
}

func TestRecordConflict(t *testing.T) {
	svc, _ := newService(&audit.Config{Now: clock, NewID: func() string { return "evt-same" }})
	_, err := svc.Record(context.Background(), minimal("p"))
	require.NoError(t, err)
	_, err = svc.Record(context.Background(), minimal("p"))
	require.ErrorIs(t, err, audit.ErrConflict)
}

// record stores n events on platform p, all at the same instant, IDs
// evt-000 to evt-(n-1).
func record(t *testing.T, svc *audit.Service, p string, n int) {
	t.Helper()
	for i := range n {
		e := minimal(p)
		e.ID = fmt.Sprintf("evt-%03d", i)
		_, err := svc.Record(context.Background(), e)
		require.NoError(t, err)
	}
}

func TestListDefaultPageAndCursor(t *testing.T) {
	svc, spy := newService(&audit.Config{Now: clock})
	record(t, svc, "p", 51)
	ctx := context.Background()

	first, err := svc.List(ctx, audit.Query{PlatformID: "p"})
	require.NoError(t, err)
	require.Len(t, first.Events, 50, "50 by default")
	require.Equal(t, 51, spy.queries[0].Limit, "one more, to know there is a next page")
	require.Equal(t, "evt-050", first.Events[0].ID)
	require.NotEmpty(t, first.Next)

	second, err := svc.List(ctx, audit.Query{PlatformID: "p", After: first.Next})
	require.NoError(t, err)
	require.Len(t, second.Events, 1)
	require.Equal(t, "evt-000", second.Events[0].ID)
	require.Empty(t, second.Next, "last page")
}

func TestListWalksEveryPage(t *testing.T) {
	svc, _ := newService(&audit.Config{Now: clock})
	record(t, svc, "p", 23)
	seen := map[string]bool{}
	q := audit.Query{PlatformID: "p", Limit: 5}
	for pages := 1; ; pages++ {
		page, err := svc.List(context.Background(), q)
		require.NoError(t, err)
		for _, e := range page.Events {
			require.False(t, seen[e.ID], "duplicate %s", e.ID)
			seen[e.ID] = true
		}
		if page.Next == "" {
			require.Equal(t, 5, pages)
			break
		}
		q.After = page.Next
	}
	require.Len(t, seen, 23)
}

func TestListPassesTheQueryDecoded(t *testing.T) {
	svc, spy := newService(nil)
	since, until := now.Add(-time.Hour), now
	cursor := audit.Cursor{At: now.Add(-time.Minute).UTC().Truncate(time.Microsecond), ID: "evt-9"}
	_, err := svc.List(context.Background(), audit.Query{
		PlatformID: "p", AccountID: "acc", ActorID: "u-1", Action: "a.b",
		Since: since, Until: until, After: audit.EncodeCursor(cursor), Limit: 10,
	})
	require.NoError(t, err)
	require.Equal(t, audit.StoreQuery{
		PlatformID: "p", AccountID: "acc", ActorID: "u-1", Action: "a.b",
		Since: since.UTC().Truncate(time.Microsecond), Until: until.UTC().Truncate(time.Microsecond),
		After: &cursor, Limit: 11,
	}, spy.queries[0])
}

func TestListValidation(t *testing.T) {
	svc, _ := newService(nil)
	b64 := base64.RawURLEncoding.EncodeToString
	cases := []struct {
		name  string
		q     audit.Query
		field string
	}{
		{"no platform", audit.Query{}, "platform_id"},
		{"negative limit", audit.Query{PlatformID: "p", Limit: -1}, "limit"},
		{"limit too large", audit.Query{PlatformID: "p", Limit: 1001}, "limit"},
		{"since equals until", audit.Query{PlatformID: "p", Since: now, Until: now}, "since"},
		{"since after until", audit.Query{PlatformID: "p", Since: now, Until: now.Add(-time.Second)}, "since"},
		{"cursor not base64", audit.Query{PlatformID: "p", After: "!!not a cursor!!"}, "after"},
		{"cursor not json", audit.Query{PlatformID: "p", After: b64([]byte("garbage"))}, "after"},
		{"cursor without id", audit.Query{PlatformID: "p", After: b64([]byte(`{"t":1}`))}, "after"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.List(context.Background(), tc.q)
			requireInvalid(t, err, tc.field)
			require.ErrorContains(t, err, "audit: list: ")
		})
	}
	_, err := svc.List(context.Background(), audit.Query{PlatformID: "p", Limit: 1000})
	require.NoError(t, err, "1000 is allowed")
}

func TestCursorRoundTrip(t *testing.T) {
	c := audit.Cursor{At: now.UTC().Truncate(time.Microsecond), ID: "evt-1"}
	got, err := audit.DecodeCursor(audit.EncodeCursor(c))
	require.NoError(t, err)
	require.Equal(t, c, got)
}

// old records n events on platform p, one a minute from at.
func old(t *testing.T, svc *audit.Service, p string, at time.Time, n int) {
	t.Helper()
	for i := range n {
		e := minimal(p)
		e.At = at.Add(time.Duration(i) * time.Minute)
		_, err := svc.Record(context.Background(), e)
		require.NoError(t, err)
	}
}

func TestPurgeLoopsInBatches(t *testing.T) {
	ctx := context.Background()
	svc, spy := newService(&audit.Config{Now: clock, Retention: 24 * time.Hour, PurgeBatch: 3})
	cutoff := now.Add(-24 * time.Hour).UTC().Truncate(time.Microsecond)
	old(t, svc, "p", cutoff.Add(-time.Hour), 10) // all before the cutoff
	old(t, svc, "p", cutoff, 2)                  // at the cutoff and after: kept

	res, err := svc.Purge(ctx)
	require.NoError(t, err)
	require.Equal(t, audit.PurgeResult{Deleted: 10, Batches: 4, Cutoff: cutoff}, res)
	require.Equal(t, []int{3, 3, 3, 3}, spy.purges, "3+3+3+1: a short batch ends it")
	require.Equal(t, []time.Time{cutoff, cutoff, cutoff, cutoff}, spy.cutoffs)

	page, err := svc.List(ctx, audit.Query{PlatformID: "p"})
	require.NoError(t, err)
	require.Len(t, page.Events, 2)

	res, err = svc.Purge(ctx)
	require.NoError(t, err)
	require.Equal(t, audit.PurgeResult{Cutoff: cutoff}, res, "nothing left")
}

func TestPurgeExactMultipleOfBatch(t *testing.T) {
	svc, spy := newService(&audit.Config{Now: clock, Retention: time.Hour, PurgeBatch: 3})
	old(t, svc, "p", now.Add(-48*time.Hour), 9)
	res, err := svc.Purge(context.Background())
	require.NoError(t, err)
	require.Equal(t, 9, res.Deleted)
	require.Equal(t, 3, res.Batches)
	require.Len(t, spy.purges, 4, "a last call finds nothing")
}

func TestPurgeDefaults(t *testing.T) {
	svc, spy := newService(&audit.Config{Now: clock})
	res, err := svc.Purge(context.Background())
	require.NoError(t, err)
	require.Equal(t, now.Add(-audit.DefaultRetention).UTC().Truncate(time.Microsecond), res.Cutoff)
	require.Equal(t, 183*24*time.Hour, audit.DefaultRetention)
	require.Equal(t, []int{500}, spy.purges, "the first adaptive batch")
}

func TestPurgeStopsOnErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	svc, spy := newService(&audit.Config{Now: clock})
	_, err := svc.Purge(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, spy.purges)

	boom := errors.New("disk on fire")
	spy.err = boom
	_, err = svc.Purge(context.Background())
	require.ErrorIs(t, err, boom)
	require.ErrorContains(t, err, "audit: purge: ")
}

func TestPrincipal(t *testing.T) {
	cases := []struct {
		name        string
		p           audit.Principal
		actor       string
		onBehalfOf  string
		system      bool
		impersonate bool
	}{
		{"user", audit.Principal{PlatformID: "p", UserID: "u-1"}, "u-1", "", false, false},
		{"impersonation", audit.Principal{PlatformID: "p", UserID: "u-cust", ActorID: "op-1", SessionID: "s-1"}, "op-1", "u-cust", false, true},
		{"actor is the user", audit.Principal{PlatformID: "p", UserID: "u-1", ActorID: "u-1"}, "u-1", "", false, false},
		{"system", audit.System("retention"), "system:retention", "", true, false},
		{"unnamed system", audit.System("  "), "system:system", "", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.actor, tc.p.Actor())
			require.Equal(t, tc.onBehalfOf, tc.p.OnBehalfOf())
			require.Equal(t, tc.system, tc.p.IsSystem())
			require.Equal(t, tc.impersonate, tc.p.IsImpersonating())

			ctx := audit.WithPrincipal(context.Background(), tc.p)
			got, ok := audit.PrincipalFrom(ctx)
			require.True(t, ok)
			require.Equal(t, tc.p, got)
			require.Equal(t, audit.Event{PlatformID: "p", ActorID: tc.actor, OnBehalfOfID: tc.onBehalfOf, Action: "x.y"},
				audit.FromContext(ctx, "p", "x.y"))
		})
	}
}

func TestNoPrincipal(t *testing.T) {
	_, ok := audit.PrincipalFrom(context.Background())
	require.False(t, ok)
	_, ok = audit.PrincipalFrom(audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p"}))
	require.False(t, ok, "neither a user nor a system")

	svc, _ := newService(nil)
	_, err := svc.Record(context.Background(), audit.FromContext(context.Background(), "p", "x.y"))
	requireInvalid(t, err, "actor_id")
}
