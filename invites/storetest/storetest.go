package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/invites"
)

// Harness is what a Store implementation gives the suite.
type Harness struct {
	// Store is the store under test.
	Store invites.Store
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
		{"EmptyPermissionsAreNil", testEmptyPermissionsAreNil},
		{"GetNotFound", testGetNotFound},
		{"InsertDuplicatePending", testInsertDuplicatePending},
		{"InsertAfterDecided", testInsertAfterDecided},
		{"InsertAfterExpired", testInsertAfterExpired},
		{"InsertTokenHashInUse", testInsertTokenHashInUse},

		{"Update", testUpdate},
		{"UpdateNewToken", testUpdateNewToken},
		{"UpdateStale", testUpdateStale},
		{"UpdateNotFound", testUpdateNotFound},

		{"Claim", testClaim},
		{"ClaimExpired", testClaimExpired},
		{"ClaimRefusals", testClaimRefusals},

		{"ListFilters", testListFilters},
		{"ListPagination", testListPagination},
		{"CountSince", testCountSince},

		{"PlatformIsolation", testPlatformIsolation},
		{"PlatformSameKey", testPlatformSameKey},

		{"RaceClaim50", testRaceClaim50},
		{"RaceInsertPending", testRaceInsertPending},
		{"RaceUpdate", testRaceUpdate},
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

// listAll is the limit used to list "everything" of a subtest's platform.
const listAll = 500

// newID returns a new UUIDv7 string, as invites.Service makes IDs.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// newTokenHash returns the hex SHA-256 of a new random secret.
func newTokenHash() string {
	sum := sha256.Sum256([]byte(uuid.NewString()))
	return hex.EncodeToString(sum[:])
}

// newEmail returns a new canonical email address.
func newEmail() string { return "invitee-" + newID() + "@example.com" }

// env is one subtest's view of the stores: a context, and a platform of its
// own.
type env struct {
	t   *testing.T
	ctx context.Context
	s   invites.Store
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

// event returns a valid event of e's platform about invitation inv, with
// one change so that stores must keep Changes too.
func (e *env) event(action string, inv invites.Invitation) audit.Event {
	return audit.Event{
		PlatformID: e.pid, ID: newID(), At: base, AccountID: inv.AccountID,
		ActorID: actor, Action: action, TargetType: "invitation", TargetID: inv.ID,
		Reason:  "storetest",
		Changes: []audit.Change{{Field: "n", Before: "", After: fmt.Sprint(e.next())}},
	}
}

// newInvitation returns a valid Pending team-member invitation of e's
// platform with every field but DecidedAt and DecidedBy set, not stored.
// Each call is created one second after the previous one and expires a
// week (and some microseconds) later.
func (e *env) newInvitation(mods ...func(*invites.Invitation)) invites.Invitation {
	n := e.next()
	created := at(time.Duration(n)*time.Second + 1001*time.Microsecond)
	inv := invites.Invitation{
		PlatformID:  e.pid,
		ID:          newID(),
		Kind:        invites.KindTeamMember,
		Email:       newEmail(),
		InviterID:   "user-" + newID(),
		AccountID:   "acct-" + newID(),
		ResourceID:  "bot-" + newID(),
		Role:        "operator",
		Permissions: []string{"chats.read", "chats.write", "contacts.read"},
		AccountName: "Acme " + fmt.Sprint(n),
		Status:      invites.Pending,
		TokenHash:   newTokenHash(),
		ExpiresAt:   created.Add(7*day + 999*time.Microsecond),
		SentAt:      created.Add(3 * time.Microsecond),
		CreatedAt:   created,
		Version:     1,
	}
	for _, m := range mods {
		m(&inv)
	}
	return inv
}

// insert stores inv and checks that its event landed.
func (e *env) insert(inv invites.Invitation) invites.Invitation {
	e.t.Helper()
	ev := e.event("invitation.create", inv)
	require.NoError(e.t, e.s.Insert(e.ctx, inv, ev), "insert invitation %s", inv.ID)
	e.requireEvent(ev)
	return inv
}

// invitation builds an invitation, applies mods and stores it.
func (e *env) invitation(mods ...func(*invites.Invitation)) invites.Invitation {
	e.t.Helper()
	return e.insert(e.newInvitation(mods...))
}

// requireInsertConflict checks that inserting inv is ErrConflict and
// wrote nothing.
func (e *env) requireInsertConflict(inv invites.Invitation, what string) {
	e.t.Helper()
	ev := e.event("invitation.create", inv)
	err := e.s.Insert(e.ctx, inv, ev)
	require.ErrorIs(e.t, err, invites.ErrConflict, what)
	e.requireNoInvitation(inv.ID)
	e.requireNoEvent(ev)
}

// update writes inv changed by mod with its version bumped, checks that
// the event landed, and returns what was stored.
func (e *env) update(inv invites.Invitation, mod func(*invites.Invitation)) invites.Invitation {
	e.t.Helper()
	mod(&inv)
	inv.Version++
	ev := e.event("invitation.update", inv)
	require.NoError(e.t, e.s.Update(e.ctx, inv, ev), "update invitation %s", inv.ID)
	e.requireEvent(ev)
	e.requireStored(inv)
	return inv
}

// decide returns a mod that sets status s decided by who at when.
func decide(s invites.Status, who string, when time.Time) func(*invites.Invitation) {
	return func(i *invites.Invitation) { i.Status, i.DecidedBy, i.DecidedAt = s, who, when }
}

// claim returns a claim of inv's token by a new user at now, with its
// event.
func (e *env) claim(inv invites.Invitation, now time.Time) invites.Claim {
	return invites.Claim{
		PlatformID: e.pid, TokenHash: inv.TokenHash, UserID: "user-" + newID(), Now: now,
		Event: e.event("invitation.accept", inv),
	}
}

// accepted returns inv as a winning claim r leaves it.
func accepted(inv invites.Invitation, r invites.Claim) invites.Invitation {
	inv.Status, inv.DecidedAt, inv.DecidedBy = invites.Accepted, r.Now, r.UserID
	inv.Version++
	return inv
}

// requireClaimed runs claim r of inv, which must win, and checks what it
// returned, what is stored and its event; it returns the accepted
// invitation.
func (e *env) requireClaimed(inv invites.Invitation, r invites.Claim) invites.Invitation {
	e.t.Helper()
	got, err := e.s.Claim(e.ctx, r)
	require.NoError(e.t, err, "claim invitation %s", inv.ID)
	want := accepted(inv, r)
	requireInvitation(e.t, want, got)
	e.requireStored(want)
	e.requireEvent(r.Event)
	return want
}

// requireClaimRefused runs claim r, which must fail with want, and checks
// that it wrote nothing: stored (if any) is as it was, and no event.
func (e *env) requireClaimRefused(r invites.Claim, want error, stored *invites.Invitation, what string) {
	e.t.Helper()
	_, err := e.s.Claim(e.ctx, r)
	require.ErrorIs(e.t, err, want, what)
	if stored != nil {
		e.requireStored(*stored)
	}
	e.requireNoEvent(r.Event)
}

// requireStored checks that each invitation is stored as given, by ID and
// by its token hash.
func (e *env) requireStored(invs ...invites.Invitation) {
	e.t.Helper()
	for _, inv := range invs {
		got, err := e.s.Get(e.ctx, inv.PlatformID, inv.ID)
		require.NoError(e.t, err, "get invitation %s", inv.ID)
		requireInvitation(e.t, inv, got)
		got, err = e.s.GetByToken(e.ctx, inv.PlatformID, inv.TokenHash)
		require.NoError(e.t, err, "get invitation %s by token", inv.ID)
		requireInvitation(e.t, inv, got)
	}
}

// requireNoInvitation checks that invitation id does not exist on e's
// platform.
func (e *env) requireNoInvitation(id string) {
	e.t.Helper()
	_, err := e.s.Get(e.ctx, e.pid, id)
	require.ErrorIs(e.t, err, invites.ErrNotFound, "invitation %s must not exist", id)
}

// list returns the invitations matching q on e's platform.
func (e *env) list(q invites.Query) []invites.Invitation {
	e.t.Helper()
	q.PlatformID = e.pid
	if q.Limit == 0 {
		q.Limit = listAll
	}
	got, err := e.s.List(e.ctx, q)
	require.NoError(e.t, err, "list invitations %+v", q)
	return got
}

// count returns CountSince on e's platform.
func (e *env) count(inviterID string, since time.Time) int {
	e.t.Helper()
	n, err := e.s.CountSince(e.ctx, e.pid, inviterID, since)
	require.NoError(e.t, err, "count since %v by %q", since, inviterID)
	return n
}

// requireInvitation checks that got is want, field by field; empty
// Permissions are expected back as nil.
func requireInvitation(t testing.TB, want, got invites.Invitation) {
	t.Helper()
	conformance.RequireUTC(t, "invitation "+want.ID, got.ExpiresAt, got.SentAt, got.CreatedAt, got.DecidedAt)
	if len(want.Permissions) == 0 {
		want.Permissions = nil
	}
	require.Equal(t, want, got, "invitation %s", want.ID)
}

// requireInvitations checks that got is want, in order.
func requireInvitations(t testing.TB, want, got []invites.Invitation) {
	t.Helper()
	require.Equal(t, ids(want), ids(got), "invitation IDs")
	for i := range want {
		requireInvitation(t, want[i], got[i])
	}
}

func ids(invs []invites.Invitation) []string {
	return conformance.IDs(invs, func(i invites.Invitation) string { return i.ID })
}

// newestFirst returns invs sorted as List orders them.
func newestFirst(invs []invites.Invitation) []invites.Invitation {
	invs = slices.Clone(invs)
	slices.SortFunc(invs, func(a, b invites.Invitation) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return invs
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
