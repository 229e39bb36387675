package storetest

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/conformance"
)

// Harness is what a Store implementation gives the suite.
type Harness struct {
	// Store is the store under test.
	Store impersonation.Store
	// Audit reads back the events the Store wrote (same database or
	// memory).
	Audit audit.Store
}

// Run runs every conformance test against stores made by newHarness.
//
// newHarness is called once per subtest, after t.Parallel; it may return the
// same store, or stores over one shared database, to several subtests.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Helper()
	tests := conformance.Tests[Harness]{
		{"RoundTrip", testRoundTrip},
		{"GetNotFound", testGetNotFound},
		{"InsertConflict", testInsertConflict},
		{"InsertEventFails", testInsertEventFails},

		{"End", testEnd},
		{"EndTwice", testEndTwice},
		{"EndNotFound", testEndNotFound},
		{"EndPastExpiry", testEndPastExpiry},
		{"EndEventFails", testEndEventFails},

		{"EndAllByAccount", testEndAllByAccount},
		{"EndAllByUser", testEndAllByUser},
		{"EndAllByAccountAndUser", testEndAllByAccountAndUser},
		{"EndAllExpiredOnly", testEndAllExpiredOnly},
		{"EndAllLimit", testEndAllLimit},
		{"EndAllSkipsEnded", testEndAllSkipsEnded},
		{"EndAllNoMatch", testEndAllNoMatch},
		{"EndAllEventFails", testEndAllEventFails},

		{"ListFilters", testListFilters},
		{"ListPagination", testListPagination},

		{"Record", testRecord},

		{"PlatformIsolation", testPlatformIsolation},
		{"PlatformSameIDs", testPlatformSameIDs},

		{"RaceEnd50", testRaceEnd50},
		{"RaceEndAllEnd", testRaceEndAllEnd},
		{"RaceInsertToken", testRaceInsertToken},
		{"RaceInsertID", testRaceInsertID},
	}
	conformance.Run(t, "", tests, newHarness)
}

// base is the suite's fixed clock. It carries microseconds on purpose, so
// that a store keeping less precision fails the round trips.
var base = time.Date(2026, time.March, 1, 10, 0, 0, 123456000, time.UTC)

// day is 24 hours.
const day = 24 * time.Hour

// at returns base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

// actor is the ActorID of every event the suite builds.
const actor = "system:storetest"

// The actions of the events the suite builds. End events, whoever builds
// them, use actionEnd, so that the suite can count them per session.
const (
	actionStart  = "impersonation.start"
	actionEnd    = "impersonation.end"
	actionRefuse = "impersonation.refuse"
)

// listAll is the limit used to list "everything" of a subtest's platform.
const listAll = 500

// newID returns a new UUIDv7 string, as impersonation.Service makes IDs.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// newTokenHash returns the hex SHA-256 of 32 new random bytes, as
// impersonation.Service hashes a session token.
func newTokenHash() string {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // never fails (crypto/rand)
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:])
}

// newEmail returns a new canonical email address.
func newEmail() string { return "client-" + newID() + "@example.com" }

// env is one subtest's view of the stores: a context, and a platform of its
// own.
type env struct {
	t   *testing.T
	ctx context.Context
	s   impersonation.Store
	a   audit.Store
	pid string
	seq *atomic.Int64
}

// setup checks h and picks a new platform for the subtest.
func setup(t *testing.T, h Harness) *env {
	t.Helper()
	require.NotNil(t, h.Store, "Harness.Store")
	require.NotNil(t, h.Audit, "Harness.Audit")
	return &env{t: t, ctx: t.Context(), s: h.Store, a: h.Audit, pid: newID(), seq: new(atomic.Int64)}
}

// other returns an env over the same stores on another new platform.
func (e *env) other() *env {
	o := *e
	o.pid = newID()
	return &o
}

// with returns e for subtest t.
func (e *env) with(t *testing.T) *env {
	o := *e
	o.t = t
	return &o
}

// next returns the next number of the subtest's sequence.
func (e *env) next() int64 { return e.seq.Add(1) }

// event returns a valid event of e's platform about session s, with one
// change so that stores must keep Changes too.
func (e *env) event(action string, s impersonation.Session) audit.Event {
	return audit.Event{
		PlatformID: e.pid, ID: newID(), At: base, AccountID: s.AccountID,
		ActorID: actor, OnBehalfOfID: s.SubjectID, Action: action,
		TargetType: "impersonation_session", TargetID: s.ID, Reason: "storetest",
		Changes: []audit.Change{{Field: "n", Before: "", After: fmt.Sprint(e.next())}},
	}
}

// newSession returns a valid live client session of e's platform with every
// field but EndedAt and EndReason set, not stored. Each call starts one
// second after the previous one and expires an hour (and some
// microseconds) later.
func (e *env) newSession(mods ...func(*impersonation.Session)) impersonation.Session {
	n := e.next()
	started := at(time.Duration(n)*time.Second + 1001*time.Microsecond)
	s := impersonation.Session{
		PlatformID:   e.pid,
		ID:           newID(),
		TokenHash:    newTokenHash(),
		ActorID:      "staff-" + newID(),
		SubjectID:    "user-" + newID(),
		SubjectEmail: newEmail(),
		AccountID:    "acct-" + newID(),
		AccountName:  fmt.Sprint("Acme ", n),
		Mode:         impersonation.AsClient,
		Reason:       fmt.Sprint("support request ", n),
		Ticket:       fmt.Sprint("T-", n),
		StartedAt:    started,
		ExpiresAt:    started.Add(time.Hour + 999*time.Microsecond),
	}
	for _, m := range mods {
		m(&s)
	}
	return s
}

// insert stores s and checks that its event landed.
func (e *env) insert(s impersonation.Session) impersonation.Session {
	e.t.Helper()
	ev := e.event(actionStart, s)
	require.NoError(e.t, e.s.Insert(e.ctx, s, ev), "insert session %s", s.ID)
	e.requireEvent(ev)
	return s
}

// session builds a session, applies mods and stores it.
func (e *env) session(mods ...func(*impersonation.Session)) impersonation.Session {
	e.t.Helper()
	return e.insert(e.newSession(mods...))
}

// requireInsertConflict checks that inserting s is ErrConflict and wrote
// nothing; stored, the session that holds the ID or hash, is unchanged.
func (e *env) requireInsertConflict(s, stored impersonation.Session, what string) {
	e.t.Helper()
	ev := e.event(actionStart, s)
	require.ErrorIs(e.t, e.s.Insert(e.ctx, s, ev), impersonation.ErrConflict, what)
	e.requireNoEvent(ev)
	e.requireStored(stored)
}

// endedAs returns s ended at when for reason.
func endedAs(s impersonation.Session, when time.Time, reason impersonation.EndReason) impersonation.Session {
	s.EndedAt, s.EndReason = when, reason
	return s
}

// endOf returns an End of session s at when for reason, with its event.
func (e *env) endOf(s impersonation.Session, when time.Time, reason impersonation.EndReason) impersonation.End {
	return impersonation.End{
		PlatformID: e.pid, ID: s.ID, At: when, Reason: reason,
		Event: e.event(actionEnd, endedAs(s, when, reason)),
	}
}

// requireEnd runs r on session s, which must win, and checks what it
// returned, what is stored and its event; it returns the ended session.
func (e *env) requireEnd(s impersonation.Session, r impersonation.End) impersonation.Session {
	e.t.Helper()
	got, err := e.s.End(e.ctx, r)
	require.NoError(e.t, err, "end session %s", s.ID)
	want := endedAs(s, r.At, r.Reason)
	requireSession(e.t, want, got)
	e.requireStored(want)
	e.requireEvent(r.Event)
	return want
}

// requireEndRefused runs r, which must fail with want, and checks that it
// wrote nothing: stored (if any) is as it was, and no event.
func (e *env) requireEndRefused(r impersonation.End, want error, stored *impersonation.Session, what string) {
	e.t.Helper()
	_, err := e.s.End(e.ctx, r)
	require.ErrorIs(e.t, err, want, what)
	if stored != nil {
		e.requireStored(*stored)
	}
	e.requireNoEvent(r.Event)
}

// builder is an EndAll.Event callback that builds a distinct event per
// call and remembers what it was given and what it built.
type builder struct {
	pid string

	mu sync.Mutex
	// given is every session the callback received, in call order.
	given []impersonation.Session
	// built maps a session ID to the last event built for it: a store that
	// retries a transaction may call the callback again, and only the last
	// call's events are committed.
	built map[string]audit.Event
	// fail, when set, makes the event of that session ID reuse the ID of
	// event failWith, which is already stored, so that writing it fails.
	fail     string
	failWith audit.Event
}

func newBuilder(pid string) *builder {
	return &builder{pid: pid, built: map[string]audit.Event{}}
}

// event is the callback.
func (b *builder) event(s impersonation.Session) audit.Event {
	ev := audit.Event{
		PlatformID: b.pid, ID: newID(), At: base, AccountID: s.AccountID,
		ActorID: actor, OnBehalfOfID: s.SubjectID, Action: actionEnd,
		TargetType: "impersonation_session", TargetID: s.ID, Reason: string(s.EndReason),
		Changes: []audit.Change{{Field: "ended_at", After: s.EndedAt.Format(time.RFC3339Nano)}},
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != "" && s.ID == b.fail {
		ev.ID = b.failWith.ID
	}
	b.given = append(b.given, s)
	b.built[s.ID] = ev
	return ev
}

// events returns every event built, in no order.
func (b *builder) events() []audit.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]audit.Event, 0, len(b.built))
	for _, ev := range b.built {
		out = append(out, ev)
	}
	return out
}

// endAll returns r on e's platform with a new builder as its callback.
func (e *env) endAll(r impersonation.EndAll) (impersonation.EndAll, *builder) {
	r.PlatformID = e.pid
	b := newBuilder(e.pid)
	r.Event = b.event
	return r, b
}

// requireEndAll runs EndAll r on e's platform and checks that it ended
// exactly want (live sessions, in any order): it returned them ended at
// r.At for r.Reason in StartedAt then ID order, stores them so, gave the
// callback each one already ended, and wrote the event it built for each
// and no other end event for them. It returns the ended sessions.
func (e *env) requireEndAll(r impersonation.EndAll, want ...impersonation.Session) []impersonation.Session {
	e.t.Helper()
	r, b := e.endAll(r)
	got, err := e.s.EndAll(e.ctx, r)
	require.NoError(e.t, err, "end all %+v", r)
	ended := make([]impersonation.Session, len(want))
	for i, s := range want {
		ended[i] = endedAs(s, r.At, r.Reason)
	}
	ended = oldestFirst(ended)
	if len(ended) == 0 {
		require.Empty(e.t, got, "end all %+v ends nothing", r)
		e.requireNoEvent(b.events()...)
		return nil
	}
	requireSessions(e.t, ended, got)
	e.requireStored(ended...)
	e.requireBuilt(b, ended)
	return ended
}

// requireBuilt checks that b was given each of ended as it was ended, and
// that the event b last built for each is that session's only end event.
func (e *env) requireBuilt(b *builder, ended []impersonation.Session) {
	e.t.Helper()
	byID := make(map[string]impersonation.Session, len(ended))
	for _, s := range ended {
		byID[s.ID] = s
	}
	b.mu.Lock()
	given := slices.Clone(b.given)
	built := make(map[string]audit.Event, len(b.built))
	for id, ev := range b.built {
		built[id] = ev
	}
	b.mu.Unlock()
	for _, s := range given {
		if want, ok := byID[s.ID]; ok {
			requireSession(e.t, want, s) // the callback sees it ended
		}
	}
	for _, s := range ended {
		ev, ok := built[s.ID]
		require.True(e.t, ok, "EndAll calls Event for session %s", s.ID)
		e.requireOneEndEvent(s.ID, ev)
	}
}

// requireOneEndEvent checks that session id has exactly one end event on
// e's platform, and that it is want.
func (e *env) requireOneEndEvent(id string, want audit.Event) {
	e.t.Helper()
	var found []string
	for _, ev := range e.events().On(e.pid) {
		if ev.Action == actionEnd && ev.TargetID == id {
			found = append(found, ev.ID)
		}
	}
	require.Len(e.t, found, 1, "session %s has exactly one end event", id)
	e.requireEvent(want)
}

// requireStored checks that each session is stored as given, by ID and by
// its token hash.
func (e *env) requireStored(ss ...impersonation.Session) {
	e.t.Helper()
	for _, s := range ss {
		got, err := e.s.Get(e.ctx, s.PlatformID, s.ID)
		require.NoError(e.t, err, "get session %s", s.ID)
		requireSession(e.t, s, got)
		got, err = e.s.GetByToken(e.ctx, s.PlatformID, s.TokenHash)
		require.NoError(e.t, err, "get session %s by token", s.ID)
		requireSession(e.t, s, got)
	}
}

// requireNoSession checks that session id does not exist on e's platform.
func (e *env) requireNoSession(id string) {
	e.t.Helper()
	_, err := e.s.Get(e.ctx, e.pid, id)
	require.ErrorIs(e.t, err, impersonation.ErrNotFound, "session %s must not exist", id)
}

// requireNoToken checks that no session of e's platform has token hash h.
func (e *env) requireNoToken(h string) {
	e.t.Helper()
	_, err := e.s.GetByToken(e.ctx, e.pid, h)
	require.ErrorIs(e.t, err, impersonation.ErrNotFound, "token hash %s must find nothing", h)
}

// list returns the sessions matching q on e's platform.
func (e *env) list(q impersonation.Query) []impersonation.Session {
	e.t.Helper()
	q.PlatformID = e.pid
	if q.Limit == 0 {
		q.Limit = listAll
	}
	got, err := e.s.List(e.ctx, q)
	require.NoError(e.t, err, "list sessions %+v", q)
	return got
}

// requireSession checks that got is want, field by field, its times in
// UTC.
func requireSession(t testing.TB, want, got impersonation.Session) {
	t.Helper()
	conformance.RequireUTC(t, "session "+want.ID, got.StartedAt, got.ExpiresAt, got.EndedAt)
	require.Equal(t, want, got, "session %s", want.ID)
}

// requireSessions checks that got is want, in order.
func requireSessions(t testing.TB, want, got []impersonation.Session) {
	t.Helper()
	require.Equal(t, ids(want), ids(got), "session IDs")
	for i := range want {
		requireSession(t, want[i], got[i])
	}
}

func ids(ss []impersonation.Session) []string {
	return conformance.IDs(ss, func(s impersonation.Session) string { return s.ID })
}

// oldest orders sessions as EndAll returns them: StartedAt then ID,
// ascending.
func oldest(a, b impersonation.Session) int {
	return cmp.Or(a.StartedAt.Compare(b.StartedAt), strings.Compare(a.ID, b.ID))
}

// oldestFirst returns ss sorted as EndAll returns them.
func oldestFirst(ss []impersonation.Session) []impersonation.Session {
	ss = slices.Clone(ss)
	slices.SortFunc(ss, oldest)
	return ss
}

// newestFirst returns ss sorted as List returns them.
func newestFirst(ss []impersonation.Session) []impersonation.Session {
	ss = slices.Clone(ss)
	slices.SortFunc(ss, func(a, b impersonation.Session) int { return oldest(b, a) })
	return ss
}

// ---- events ----

// events reads back what the subtest's stores recorded.
func (e *env) events() conformance.Events {
	return conformance.Events{T: e.t, Ctx: e.ctx, Store: e.a, Limit: listAll}
}

// requireEvent checks that each event was recorded as given.
func (e *env) requireEvent(evs ...audit.Event) {
	e.t.Helper()
	e.events().Require(evs...)
}

// requireNoEvent checks that none of evs was recorded on its platform.
func (e *env) requireNoEvent(evs ...audit.Event) {
	e.t.Helper()
	e.events().RequireNone(evs...)
}
