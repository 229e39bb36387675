package storetest

import (
	"context"
	"crypto/rand"
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
	"github.com/tenantry/tenantry/tenancy"
)

// Harness is what a Store implementation gives the suite.
type Harness struct {
	// Store is the store under test.
	Store tenancy.Store
	// Audit reads back the events the Store wrote (same database / memory).
	Audit audit.Store
}

// Run runs every conformance test against stores made by newHarness.
//
// newHarness is called once per subtest, after t.Parallel; it may return the
// same store, or stores over one shared database, to several subtests.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Helper()
	tests := conformance.Tests[Harness]{
		{"PlatformRoundTrip", testPlatformRoundTrip},
		{"PlatformDuplicate", testPlatformDuplicate},
		{"PlatformUpdate", testPlatformUpdate},
		{"PlatformNotFound", testPlatformNotFound},

		{"UserRoundTrip", testUserRoundTrip},
		{"UserGetByEmail", testUserGetByEmail},
		{"UserDuplicate", testUserDuplicate},
		{"UserDeletedEmailReused", testUserDeletedEmailReused},
		{"UserUpdate", testUserUpdate},
		{"UserUpdateStale", testUserUpdateStale},
		{"UserUpdateNotFound", testUserUpdateNotFound},
		{"UserUpdateEmailTaken", testUserUpdateEmailTaken},
		{"UserListFilters", testUserListFilters},
		{"UserListPagination", testUserListPagination},

		{"AccountRoundTrip", testAccountRoundTrip},
		{"AccountCreateWritesAll", testAccountCreateWritesAll},
		{"AccountCreateExistingUser", testAccountCreateExistingUser},
		{"AccountCreateConflict", testAccountCreateConflict},
		{"AccountWithoutNickname", testAccountWithoutNickname},
		{"AccountGetByNicknameAndUID", testAccountGetByNicknameAndUID},
		{"AccountStoresCopies", testAccountStoresCopies},
		{"AccountUpdate", testAccountUpdate},
		{"AccountUpdateStale", testAccountUpdateStale},
		{"AccountUpdateNotFound", testAccountUpdateNotFound},
		{"AccountUpdateNicknameTaken", testAccountUpdateNicknameTaken},
		{"AccountDelete", testAccountDelete},
		{"AccountDeleteNotFound", testAccountDeleteNotFound},
		{"AccountListFilters", testAccountListFilters},
		{"AccountListSortNewest", testAccountListSortNewest},
		{"AccountListSortName", testAccountListSortName},

		{"MemberInsertAndList", testMemberInsertAndList},
		{"MemberDuplicate", testMemberDuplicate},
		{"MemberMissingAccountOrUser", testMemberMissing},
		{"MemberDelete", testMemberDelete},
		{"Memberships", testMemberships},

		{"TokenUse", testTokenUse},
		{"TokenReplacedBySamePurpose", testTokenReplaced},
		{"TokenWrongPurposeOrUnknown", testTokenWrongPurpose},
		{"TokenExpired", testTokenExpired},

		{"PlatformIsolation", testPlatformIsolation},
		{"PlatformSameIDs", testPlatformSameIDs},

		{"RaceCreateAccountNickname", testRaceCreateAccountNickname},
		{"RaceCreateAccountEmail", testRaceCreateAccountEmail},
		{"RaceInsertUserEmail", testRaceInsertUserEmail},
		{"RaceUseToken", testRaceUseToken},
		{"RaceUpdateAccount", testRaceUpdateAccount},
		{"RaceUpdateUser", testRaceUpdateUser},

		{"QuotaPoolSet", testQPoolSet},
		{"QuotaAdjustAllocation", testQAdjustAllocation},
		{"QuotaUse", testQUseQuota},
		{"QuotaAllocationsList", testQAllocationsList},
		{"QuotaCreateAccountAllocations", testQCreateAccountAllocations},
		{"QuotaCreateAccountPoolFull", testQCreateAccountPoolFull},
		{"QuotaDeleteAccountFrees", testQDeleteAccountFreesQuota},
		{"QuotaConvertTestAccount", testQConvertTestAccount},
		{"QuotaConvertStale", testQConvertStale},
		{"MemberQuota", testQMemberQuota},
		{"MemberUpdate", testQMemberUpdate},
		{"AccountCreateMany", testQCreateAccounts},
		{"AccountCreateManyAllOrNothing", testQCreateAccountsAllOrNothing},
		{"AccountDeleteCascade", testQDeleteAccountCascade},
		{"AccountListTestFilter", testQListTestFilter},
		{"OperatorAssign", testQOperatorAssign},
		{"OperatorAssignMissing", testQOperatorAssignMissing},
		{"OperatorListFilter", testQOperatorListFilter},
		{"Grants", testQGrants},
		{"Activity", testQActivity},
		{"ActivityFigures", testQFigures},
		{"SSOSecret", testQSSOSecret},
		{"SSONonce", testQSSONonce},
		{"SSONoncePurge", testQSSOPurge},
		{"PlatformIsolationMore", testQIsolation},
		{"PlatformSameIDsMore", testQSameIDs},

		{"RaceQuotaAdjustAllocation", testQRaceAdjustAllocation},
		{"RaceQuotaUse", testQRaceUseQuota},
		{"RaceQuotaTeamMembers", testQRaceTeamMembers},
		{"RaceQuotaConvertTestAccounts", testQRaceConvertTestAccounts},
		{"RaceQuotaConvertSameAccount", testQRaceConvertSameAccount},
		{"RaceQuotaMixed", testQRaceQuotaMixed},
		{"RaceActivity", testQRaceActivity},
		{"RaceSSONonce", testQRaceSSONonce},
	}
	conformance.Run(t, "", tests, newHarness)
	runServiceTests(t, newHarness)
}

// base is the suite's fixed clock. It carries microseconds on purpose, so
// that a store keeping less precision fails the round trips.
var base = time.Date(2026, time.March, 1, 10, 0, 0, 123456000, time.UTC)

// at returns base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

// actor is the ActorID of every event the suite builds.
const actor = "system:storetest"

// racers is how many goroutines each race starts together.
const racers = 32

// listAll is the limit used to list "everything" of a subtest's platform.
const listAll = 500

// newID returns a new UUIDv7 string, as tenancy.Service makes IDs.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// newUID returns a random public account UID (16 uppercase hex digits).
func newUID() string {
	return strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:16])
}

// newHash returns the hex SHA-256 of a new random secret, as a password
// token's Hash.
func newHash() string {
	var secret [32]byte
	_, _ = rand.Read(secret[:])
	sum := sha256.Sum256(secret[:])
	return hex.EncodeToString(sum[:])
}

// fakePasswordHash returns an encoded-argon2id-looking string unique to n.
func fakePasswordHash(n string) string {
	return "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$" + n
}

// env is one subtest's view of the stores: a context, and a platform of its
// own that every builder uses.
type env struct {
	t   *testing.T
	ctx context.Context
	s   tenancy.Store
	a   audit.Store
	pid string
	seq *atomic.Int64
}

// setup checks h and creates a new platform for the subtest.
func setup(t *testing.T, h Harness) *env {
	t.Helper()
	require.NotNil(t, h.Store, "Harness.Store")
	require.NotNil(t, h.Audit, "Harness.Audit")
	e := &env{t: t, ctx: t.Context(), s: h.Store, a: h.Audit, seq: new(atomic.Int64)}
	e.pid = e.insertPlatform(e.newPlatform()).ID
	return e
}

// other returns an env over the same stores on another new platform.
func (e *env) other() *env {
	e.t.Helper()
	o := *e
	o.pid = e.insertPlatform(e.newPlatform()).ID
	return &o
}

// next returns the next number of the subtest's sequence.
func (e *env) next() int64 { return e.seq.Add(1) }

// event returns a minimal valid event of e's platform.
func (e *env) event(action string) audit.Event {
	return eventOn(e.pid, action)
}

// eventOn returns a minimal valid event of platform pid.
func eventOn(pid, action string) audit.Event {
	return audit.Event{PlatformID: pid, ID: newID(), At: base, ActorID: actor, Action: action}
}

// newPlatform returns a valid platform with a random ID, not stored.
func (e *env) newPlatform() tenancy.Platform {
	return tenancy.Platform{
		ID:        newID(),
		Name:      "Storetest platform",
		CreatedAt: at(time.Microsecond),
		UpdatedAt: at(2 * time.Microsecond),
	}
}

// insertPlatform stores p.
func (e *env) insertPlatform(p tenancy.Platform) tenancy.Platform {
	e.t.Helper()
	require.NoError(e.t, e.s.InsertPlatform(e.ctx, p, eventOn(p.ID, "platform.create")), "insert platform")
	return p
}

// newUser returns a valid active regular user of e's platform with every
// field set, not stored. Its email is userNNNN@example.com.
func (e *env) newUser() tenancy.User {
	n := e.next()
	created := at(time.Duration(n)*time.Second + 1001*time.Microsecond)
	return tenancy.User{
		PlatformID:   e.pid,
		ID:           newID(),
		Email:        fmt.Sprintf("user%04d@example.com", n),
		Name:         fmt.Sprintf("User %04d", n),
		Role:         tenancy.RoleNone,
		Status:       tenancy.UserActive,
		PasswordHash: fakePasswordHash(fmt.Sprint(n)),
		Version:      1,
		CreatedAt:    created,
		UpdatedAt:    created.Add(2 * time.Microsecond),
	}
}

// insertUser stores u.
func (e *env) insertUser(u tenancy.User) tenancy.User {
	e.t.Helper()
	ev := e.event("user.create")
	require.NoError(e.t, e.s.InsertUser(e.ctx, u, ev), "insert user %s", u.Email)
	return u
}

// user builds a user, applies mods and stores it.
func (e *env) user(mods ...func(*tenancy.User)) tenancy.User {
	e.t.Helper()
	u := e.newUser()
	for _, m := range mods {
		m(&u)
	}
	return e.insertUser(u)
}

// updateUser stores u with its version bumped and returns what was stored.
func (e *env) updateUser(u tenancy.User, mod func(*tenancy.User)) tenancy.User {
	e.t.Helper()
	mod(&u)
	u.Version++
	require.NoError(e.t, e.s.UpdateUser(e.ctx, u, eventOn(u.PlatformID, "user.update")), "update user %s", u.ID)
	return u
}

// deleteUser marks u deleted through UpdateUser at when, as DeleteAccount
// would, and returns what was stored.
func (e *env) deleteUser(u tenancy.User, when time.Time) tenancy.User {
	e.t.Helper()
	return e.updateUser(u, func(u *tenancy.User) {
		u.Status, u.Name, u.UpdatedAt = tenancy.UserDeleted, "", when
	})
}

// newAccount returns a valid active, unlocked account of e's platform with
// every field set (test expiry, secure and template flags included), whose
// primary admin is primary; not stored.
func (e *env) newAccount(primary tenancy.User) tenancy.Account {
	n := e.next()
	created := at(time.Duration(n)*time.Second + 2002*time.Microsecond)
	return tenancy.Account{
		PlatformID:    e.pid,
		ID:            newID(),
		UID:           newUID(),
		Nickname:      fmt.Sprintf("acct-%04d", n),
		Name:          fmt.Sprintf("Account %04d", n),
		Email:         primary.Email,
		PrimaryUserID: primary.ID,
		Contact: tenancy.Contact{
			Address: fmt.Sprintf("%d Rue de la Paix\n75002 Paris", n),
			Phone:   "+33 1 23 45 67 89",
			Website: "https://example.com/" + fmt.Sprint(n),
		},
		Language:      "fr-FR",
		TimeZone:      "Europe/Paris",
		LogoURL:       "https://cdn.example.com/logo.png",
		Tags:          []string{"gold", "beta", "eu"},
		Note:          "Note: ünïcode, 'quotes' and \"double\"",
		Plan:          "pro",
		Status:        tenancy.AccountActive,
		Secure:        true,
		Template:      true,
		TestExpiresAt: created.Add(14*24*time.Hour + 999999*time.Microsecond),
		LinksAllowed:  true,
		Onboarding:    tenancy.Onboarding{StepsDone: []string{"profile", "widget", "billing"}},
		Sites:         []string{"https://shop.example.com", "https://example.com/blog"},
		Version:       1,
		CreatedAt:     created,
		UpdatedAt:     created.Add(3 * time.Microsecond),
	}
}

// newMember returns the member of a for u, created at a.CreatedAt.
func newMember(a tenancy.Account, u tenancy.User, primary bool, perms ...string) tenancy.Member {
	return tenancy.Member{
		PlatformID: a.PlatformID, AccountID: a.ID, UserID: u.ID,
		Primary: primary, Permissions: perms, CreatedAt: a.CreatedAt,
	}
}

// newAccountRequest returns the request creating a with a new primary user
// u (its primary member), no token and two events.
func (e *env) newAccountRequest(a tenancy.Account, u tenancy.User) tenancy.NewAccount {
	return tenancy.NewAccount{
		Account: a,
		NewUser: &u,
		Members: []tenancy.Member{newMember(a, u, true)},
		Events:  []audit.Event{e.event("user.create"), e.event("account.create")},
	}
}

// account creates an account with a new primary user and its primary
// member; mods change the account before it is stored. It returns the
// stored account and user.
func (e *env) account(mods ...func(*tenancy.Account)) (tenancy.Account, tenancy.User) {
	e.t.Helper()
	u := e.newUser()
	a := e.newAccount(u)
	for _, m := range mods {
		m(&a)
	}
	require.NoError(e.t, e.s.CreateAccount(e.ctx, e.newAccountRequest(a, u)), "create account %s", a.Name)
	return a, u
}

// updateAccount stores a with its version bumped and returns what was
// stored.
func (e *env) updateAccount(a tenancy.Account, mod func(*tenancy.Account)) tenancy.Account {
	e.t.Helper()
	mod(&a)
	a.Version++
	require.NoError(e.t, e.s.UpdateAccount(e.ctx, a, e.event("account.update")), "update account %s", a.ID)
	return a
}

// addMember stores m.
func (e *env) addMember(m tenancy.Member) tenancy.Member {
	e.t.Helper()
	require.NoError(e.t, e.s.InsertMember(e.ctx, tenancy.NewMember{Member: m, Event: e.event("member.add")}), "insert member")
	return m
}

// newToken returns a password token of u for purpose, valid for a day
// from base, not stored.
func newToken(u tenancy.User, purpose tenancy.TokenPurpose) tenancy.PasswordToken {
	return tenancy.PasswordToken{
		PlatformID: u.PlatformID, Hash: newHash(), UserID: u.ID, Purpose: purpose,
		CreatedAt: at(time.Microsecond), ExpiresAt: at(24 * time.Hour),
	}
}

// token stores a new token of u for purpose.
func (e *env) token(u tenancy.User, purpose tenancy.TokenPurpose) tenancy.PasswordToken {
	e.t.Helper()
	tok := newToken(u, purpose)
	require.NoError(e.t, e.s.InsertToken(e.ctx, tok, eventOn(u.PlatformID, "user.token")), "insert token")
	return tok
}

// useToken returns a request spending hash on e's platform before every
// token of the suite expires.
func (e *env) useToken(hash string, purposes ...tenancy.TokenPurpose) tenancy.UseToken {
	if len(purposes) == 0 {
		purposes = []tenancy.TokenPurpose{tenancy.TokenSetPassword, tenancy.TokenResetPassword}
	}
	return tenancy.UseToken{
		PlatformID: e.pid, Hash: hash, Purposes: purposes,
		Now:          at(time.Hour + 777*time.Microsecond),
		PasswordHash: fakePasswordHash("new-" + hash[:8]),
		Event:        audit.Event{PlatformID: e.pid, ID: newID(), At: base, ActorID: actor, Action: "user.set_password"},
	}
}

// requireTokenGone checks that the token with hash cannot be used.
func (e *env) requireTokenGone(hash string) {
	e.t.Helper()
	r := e.useToken(hash)
	_, err := e.s.UseToken(e.ctx, r)
	require.ErrorIs(e.t, err, tenancy.ErrNotFound, "token %s… must be gone", hash[:8])
	e.requireNoEvent(r.Event.ID)
}

// requireTokenWorks spends the token with hash and checks it succeeded.
func (e *env) requireTokenWorks(hash string) tenancy.User {
	e.t.Helper()
	u, err := e.s.UseToken(e.ctx, e.useToken(hash))
	require.NoError(e.t, err, "token %s… must work", hash[:8])
	return u
}

// ---- reading back ----

// getUser returns the stored user.
func (e *env) getUser(id string) tenancy.User {
	e.t.Helper()
	u, err := e.s.GetUser(e.ctx, e.pid, id)
	require.NoError(e.t, err, "get user %s", id)
	return u
}

// getAccount returns the stored account.
func (e *env) getAccount(id string) tenancy.Account {
	e.t.Helper()
	a, err := e.s.GetAccount(e.ctx, e.pid, id)
	require.NoError(e.t, err, "get account %s", id)
	return a
}

// members returns the stored members of account id.
func (e *env) members(id string) []tenancy.Member {
	e.t.Helper()
	ms, err := e.s.Members(e.ctx, e.pid, id)
	require.NoError(e.t, err, "members of %s", id)
	return ms
}

// memberships returns the stored memberships of user id.
func (e *env) memberships(id string) []tenancy.Membership {
	e.t.Helper()
	ms, err := e.s.Memberships(e.ctx, e.pid, id)
	require.NoError(e.t, err, "memberships of %s", id)
	return ms
}

// requireNoUser checks that user id does not exist on e's platform.
func (e *env) requireNoUser(id string) {
	e.t.Helper()
	_, err := e.s.GetUser(e.ctx, e.pid, id)
	require.ErrorIs(e.t, err, tenancy.ErrNotFound, "user %s must not exist", id)
}

// requireNoAccount checks that account id does not exist on e's platform.
func (e *env) requireNoAccount(id string) {
	e.t.Helper()
	_, err := e.s.GetAccount(e.ctx, e.pid, id)
	require.ErrorIs(e.t, err, tenancy.ErrNotFound, "account %s must not exist", id)
}

// requireNoMembers checks that account id has no member on platform pid
// (ErrNotFound or an empty list).
func (e *env) requireNoMembers(pid, id string) {
	e.t.Helper()
	ms, err := e.s.Members(e.ctx, pid, id)
	if err != nil {
		require.ErrorIs(e.t, err, tenancy.ErrNotFound, "members of %s", id)
		return
	}
	require.Empty(e.t, ms, "members of %s", id)
}

// requireNoMemberships checks that user id has no place on platform pid
// (ErrNotFound or an empty list).
func (e *env) requireNoMemberships(pid, id string) {
	e.t.Helper()
	ms, err := e.s.Memberships(e.ctx, pid, id)
	if err != nil {
		require.ErrorIs(e.t, err, tenancy.ErrNotFound, "memberships of %s", id)
		return
	}
	require.Empty(e.t, ms, "memberships of %s", id)
}

// ---- events ----

// events reads back what the subtest's stores recorded.
func (e *env) events() conformance.Events {
	return conformance.Events{T: e.t, Ctx: e.ctx, Store: e.a, Limit: listAll}
}

// eventsOn returns every event recorded on platform pid, by ID.
func (e *env) eventsOn(pid string) map[string]audit.Event {
	e.t.Helper()
	return e.events().On(pid)
}

// requireEvent checks that each event was recorded as given.
func (e *env) requireEvent(evs ...audit.Event) {
	e.t.Helper()
	e.events().Require(evs...)
}

// requireNoEvent checks that no event with these IDs was recorded on e's
// platform.
func (e *env) requireNoEvent(ids ...string) {
	e.t.Helper()
	e.events().RequireNoIDs(e.pid, ids...)
}

// requireNoEventOn checks that no event with these IDs was recorded on
// platform pid.
func (e *env) requireNoEventOn(pid string, ids ...string) {
	e.t.Helper()
	e.events().RequireNoIDs(pid, ids...)
}

// ---- comparing records ----

// requireUser checks that got is want, field by field.
func requireUser(t *testing.T, want, got tenancy.User) {
	t.Helper()
	conformance.RequireUTC(t, "user "+want.ID, got.CreatedAt, got.UpdatedAt)
	require.Equal(t, want, got, "user %s", want.ID)
}

// set returns s sorted, nil when empty: slices the suite compares as sets.
func set(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// list returns s, nil when empty: slices whose order is kept.
func list(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func normAccount(a tenancy.Account) tenancy.Account {
	a.Tags = set(a.Tags)
	a.Sites = set(a.Sites)
	a.Onboarding.StepsDone = list(a.Onboarding.StepsDone)
	return a
}

// requireAccount checks that got is want, field by field.
func requireAccount(t *testing.T, want, got tenancy.Account) {
	t.Helper()
	conformance.RequireUTC(t, "account "+want.ID, got.CreatedAt, got.UpdatedAt, got.TestExpiresAt)
	require.Equal(t, normAccount(want), normAccount(got), "account %s", want.ID)
}

func normMember(m tenancy.Member) tenancy.Member {
	m.Permissions = set(m.Permissions)
	return m
}

// requireMembers checks that got lists want, in order.
func requireMembers(t *testing.T, want, got []tenancy.Member) {
	t.Helper()
	require.Len(t, got, len(want), "members")
	for i := range want {
		conformance.RequireUTC(t, "member", got[i].CreatedAt)
		require.Equal(t, normMember(want[i]), normMember(got[i]), "member %d", i)
	}
}

func userIDs(us []tenancy.User) []string {
	return conformance.IDs(us, func(u tenancy.User) string { return u.ID })
}

func accountIDs(as []tenancy.Account) []string {
	return conformance.IDs(as, func(a tenancy.Account) string { return a.ID })
}
