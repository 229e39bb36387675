package memstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	auditmem "github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/tenancy"
)

// These tests cover what the conformance suite cannot see from outside: a
// failing audit store, and the indexes staying in step.

var t0 = time.Date(2024, time.May, 1, 9, 0, 0, 123456000, time.UTC)

const pid = "p1"

// flakyAudit is an audit store whose inserts fail once failAfter more have
// succeeded (never when failAfter is negative).
type flakyAudit struct {
	audit.Store
	failAfter atomic.Int64
}

var errAuditDown = errors.New("audit down")

func (f *flakyAudit) Insert(ctx context.Context, e audit.Event) error {
	if f.failAfter.Add(-1) == -1 {
		return errAuditDown
	}
	return f.Store.Insert(ctx, e)
}

var evSeq atomic.Int64

func ev(action string) audit.Event {
	return audit.Event{PlatformID: pid, ID: fmt.Sprintf("e%d", evSeq.Add(1)), At: t0, ActorID: "system:test", Action: action}
}

func newStore(t *testing.T) (*Store, *flakyAudit) {
	t.Helper()
	fa := &flakyAudit{Store: auditmem.New()}
	fa.failAfter.Store(-1 << 40)
	s := New(fa)
	require.NoError(t, s.InsertPlatform(context.Background(), tenancy.Platform{ID: pid, Name: "P", CreatedAt: t0, UpdatedAt: t0}, ev("platform.create")))
	return s, fa
}

func user(id, email string) tenancy.User {
	return tenancy.User{PlatformID: pid, ID: id, Email: email, Name: "N " + id, Status: tenancy.UserActive, Version: 1, CreatedAt: t0, UpdatedAt: t0}
}

func account(id, nick string, primary tenancy.User) tenancy.NewAccount {
	a := tenancy.Account{PlatformID: pid, ID: id, UID: "uid-" + id, Nickname: nick, Name: "Acc " + id, Email: primary.Email,
		PrimaryUserID: primary.ID, Status: tenancy.AccountActive, Tags: []string{"b", "a"}, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	m := tenancy.Member{PlatformID: pid, AccountID: id, UserID: primary.ID, Primary: true, CreatedAt: t0}
	return tenancy.NewAccount{Account: a, NewUser: &primary, Members: []tenancy.Member{m}, Events: []audit.Event{ev("account.create"), ev("user.create")}}
}

func TestAuditFailureChangesNothing(t *testing.T) {
	ctx := context.Background()
	s, fa := newStore(t)
	fa.failAfter.Store(1) // the second event of the account fails
	err := s.CreateAccount(ctx, account("a1", "nick", user("u1", "u1@x.test")))
	require.ErrorIs(t, err, errAuditDown)
	_, err = s.GetAccount(ctx, pid, "a1")
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	_, err = s.GetUserByEmail(ctx, pid, "u1@x.test")
	require.ErrorIs(t, err, tenancy.ErrNotFound)

	fa.failAfter.Store(-1 << 40)
	require.NoError(t, s.CreateAccount(ctx, account("a1", "nick", user("u1", "u1@x.test"))))
	fa.failAfter.Store(0)
	u := user("u1", "new@x.test")
	u.Version = 2
	require.ErrorIs(t, s.UpdateUser(ctx, u, ev("user.update")), errAuditDown)
	got, err := s.GetUser(ctx, pid, "u1")
	require.NoError(t, err)
	require.Equal(t, "u1@x.test", got.Email)
	require.Equal(t, int64(1), got.Version)
}

func TestDuplicateEventInBatchWritesNothing(t *testing.T) {
	s, _ := newStore(t)
	r := account("a1", "", user("u1", "u1@x.test"))
	r.Events[1].ID = r.Events[0].ID
	require.ErrorIs(t, s.CreateAccount(context.Background(), r), tenancy.ErrConflict)
	got, err := s.Audit().List(context.Background(), audit.StoreQuery{PlatformID: pid, Limit: 10})
	require.NoError(t, err)
	require.Len(t, got, 1) // the platform's only
}

func TestIndexesFollowUpdatesAndDeletes(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	require.NoError(t, s.CreateAccount(ctx, account("a1", "old", user("u1", "u1@x.test"))))
	a, err := s.GetAccount(ctx, pid, "a1")
	require.NoError(t, err)
	a.Nickname, a.UID, a.Version = "new", "ignored", 2
	require.NoError(t, s.UpdateAccount(ctx, a, ev("account.update")))
	_, err = s.GetAccountByNickname(ctx, pid, "old")
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	got, err := s.GetAccountByNickname(ctx, pid, "new")
	require.NoError(t, err)
	require.Equal(t, "uid-a1", got.UID, "UID is not mutable")

	res, err := s.DeleteAccount(ctx, tenancy.DeleteAccount{PlatformID: pid, AccountID: "a1", Now: t0.Add(time.Hour), Event: ev("account.delete")})
	require.NoError(t, err)
	require.Equal(t, []string{"u1"}, res.DeletedUserIDs)
	require.Empty(t, s.platforms[pid].nicknames)
	require.Empty(t, s.platforms[pid].uids)
	require.Empty(t, s.platforms[pid].emails)
	require.Empty(t, s.platforms[pid].members)
	require.Empty(t, s.platforms[pid].places)
	// The email is free again; the deleted user is still found when no
	// live one holds it.
	require.NoError(t, s.InsertUser(ctx, user("u2", "u1@x.test"), ev("user.create")))
	live, err := s.GetUserByEmail(ctx, pid, "u1@x.test")
	require.NoError(t, err)
	require.Equal(t, "u2", live.ID)
}

func TestReturnsCopies(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	r := account("a1", "", user("u1", "u1@x.test"))
	require.NoError(t, s.CreateAccount(ctx, r))
	r.Account.Tags[0] = "mutated"
	a, err := s.GetAccount(ctx, pid, "a1")
	require.NoError(t, err)
	require.Equal(t, []string{"b", "a"}, a.Tags, "tags returned as given")
	a.Tags[0] = "mutated"
	list, err := s.ListAccounts(ctx, tenancy.AccountQuery{PlatformID: pid})
	require.NoError(t, err)
	require.Equal(t, []string{"b", "a"}, list[0].Tags)
	require.Nil(t, list[0].Sites)
}

func TestTimesAreMicroUTC(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	u := user("u1", "u1@x.test")
	u.CreatedAt = time.Date(2024, 1, 1, 12, 0, 0, 123456789, time.FixedZone("X", 3600))
	require.NoError(t, s.InsertUser(ctx, u, ev("user.create")))
	got, err := s.GetUser(ctx, pid, "u1")
	require.NoError(t, err)
	require.Equal(t, time.Date(2024, 1, 1, 11, 0, 0, 123456000, time.UTC), got.CreatedAt)
}

func TestUseTokenRace(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	require.NoError(t, s.InsertUser(ctx, user("u1", "u1@x.test"), ev("user.create")))
	tok := tenancy.PasswordToken{PlatformID: pid, Hash: "h", UserID: "u1", Purpose: tenancy.TokenResetPassword, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	require.NoError(t, s.InsertToken(ctx, tok, ev("token.create")))
	var wins atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := s.UseToken(ctx, tenancy.UseToken{PlatformID: pid, Hash: "h", Purposes: []tenancy.TokenPurpose{tenancy.TokenResetPassword},
				Now: t0, PasswordHash: "x", Event: audit.Event{PlatformID: pid, ID: fmt.Sprintf("use%d", evSeq.Add(1)), At: t0, Action: "user.password"}})
			if err == nil {
				wins.Add(1)
			} else {
				require.ErrorIs(t, err, tenancy.ErrNotFound)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(1), wins.Load())
	u, err := s.GetUser(ctx, pid, "u1")
	require.NoError(t, err)
	require.Equal(t, int64(2), u.Version)
}
