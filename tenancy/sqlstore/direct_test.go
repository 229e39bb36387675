package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// These tests check what is particular to the SQL store: which value a
// conflict names, the SQL of listings and the atomicity of token spending.
// The conformance suite (storetest) covers the contract itself.

var t0 = time.Date(2026, time.January, 2, 3, 4, 5, 678901000, time.UTC)

type fixture struct {
	t   *testing.T
	ctx context.Context
	s   *sqlstore.Store
	pid string
}

func newFixture(t *testing.T, db *sqlx.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
	f := &fixture{t: t, ctx: ctx, s: s, pid: uuid.NewString()}
	p := tenancy.Platform{ID: f.pid, Name: "P", CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, s.InsertPlatform(ctx, p, f.ev("platform.create")))
	return f
}

func (f *fixture) ev(action string) audit.Event {
	return audit.Event{PlatformID: f.pid, ID: uuid.NewString(), At: t0, ActorID: "system:test", Action: action}
}

func (f *fixture) user(n int) tenancy.User {
	return tenancy.User{
		PlatformID: f.pid, ID: fmt.Sprintf("u-%03d", n), Email: fmt.Sprintf("user%03d@example.com", n),
		Name: fmt.Sprintf("User %d", n), Status: tenancy.UserActive, Version: 1,
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func (f *fixture) account(n int, primary tenancy.User) tenancy.Account {
	return tenancy.Account{
		PlatformID: f.pid, ID: fmt.Sprintf("a-%03d", n), UID: fmt.Sprintf("UID%03d", n),
		Nickname: fmt.Sprintf("nick-%03d", n), Name: fmt.Sprintf("Name %03d", n),
		Email: primary.Email, PrimaryUserID: primary.ID, Status: tenancy.AccountActive,
		Tags: []string{"b", "a"}, Version: 1,
		CreatedAt: t0.Add(time.Duration(n) * time.Second), UpdatedAt: t0,
	}
}

// create stores a with u as new primary user.
func (f *fixture) create(a tenancy.Account, u tenancy.User) error {
	return f.s.CreateAccount(f.ctx, tenancy.NewAccount{
		Account: a, NewUser: &u,
		Members: []tenancy.Member{{PlatformID: f.pid, AccountID: a.ID, UserID: u.ID, Primary: true, CreatedAt: t0}},
		Events:  []audit.Event{f.ev("account.create")},
	})
}

func TestDirect(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		t.Run("ConflictNamesField", func(t *testing.T) { testConflictNamesField(t, newFixture(t, db)) })
		t.Run("ListAccounts", func(t *testing.T) { testListAccounts(t, newFixture(t, db)) })
		t.Run("TokenRace", func(t *testing.T) { testTokenRace(t, newFixture(t, db)) })
		t.Run("DeleteAccount", func(t *testing.T) { testDeleteAccount(t, newFixture(t, db)) })
	})
}

func testConflictNamesField(t *testing.T, f *fixture) {
	u1 := f.user(1)
	a1 := f.account(1, u1)
	require.NoError(t, f.create(a1, u1))
	got, err := f.s.GetAccountByNickname(f.ctx, f.pid, a1.Nickname)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, got.Tags)
	require.Equal(t, a1.CreatedAt, got.CreatedAt)

	a2 := f.account(2, f.user(2))
	a2.Nickname = a1.Nickname
	err = f.create(a2, f.user(2))
	require.ErrorIs(t, err, tenancy.ErrConflict)
	require.ErrorContains(t, err, "nickname taken")

	a2 = f.account(2, f.user(2))
	a2.UID = a1.UID
	require.ErrorContains(t, f.create(a2, f.user(2)), "uid taken")

	u2 := f.user(2)
	u2.Email = u1.Email
	require.ErrorContains(t, f.create(f.account(2, u2), u2), "email taken")

	_, err = f.s.GetUser(f.ctx, f.pid, "u-002")
	require.ErrorIs(t, err, tenancy.ErrNotFound, "a failed create writes nothing")

	a1.Version = 5
	require.ErrorIs(t, f.s.UpdateAccount(f.ctx, a1, f.ev("account.update")), tenancy.ErrStale)
	a1.ID = "missing"
	require.ErrorIs(t, f.s.UpdateAccount(f.ctx, a1, f.ev("account.update")), tenancy.ErrNotFound)
}

func testListAccounts(t *testing.T, f *fixture) {
	for i := 1; i <= 7; i++ {
		a := f.account(i, f.user(i))
		a.Name = []string{"delta", "Alpha", "charlie", "Bravo", "alpha", "50%_off", "echo"}[i-1]
		a.Tags = []string{fmt.Sprintf("t%d", i%2)}
		require.NoError(t, f.create(a, f.user(i)))
	}
	names := func(q tenancy.AccountQuery) []string {
		q.PlatformID = f.pid
		var out []string
		for {
			q.Limit = 2
			page, err := f.s.ListAccounts(f.ctx, q)
			require.NoError(t, err)
			if len(page) == 0 {
				return out
			}
			for _, a := range page {
				require.NotEmpty(t, a.Tags, "tags are read for every row")
				out = append(out, a.Name)
			}
			last := page[len(page)-1]
			q.After = &tenancy.AccountCursor{Name: last.Name, CreatedAt: last.CreatedAt, ID: last.ID}
		}
	}
	require.Equal(t, []string{"echo", "50%_off", "alpha", "Bravo", "charlie", "Alpha", "delta"}, names(tenancy.AccountQuery{}))
	require.Equal(t, []string{"50%_off", "Alpha", "alpha", "Bravo", "charlie", "delta", "echo"}, names(tenancy.AccountQuery{Sort: tenancy.SortName}))
	require.Equal(t, []string{"50%_off"}, names(tenancy.AccountQuery{Search: "%_"}))
	require.Equal(t, []string{"Alpha", "alpha"}, names(tenancy.AccountQuery{Search: "ALP", Sort: tenancy.SortName}))
	require.Equal(t, []string{"50%_off", "Bravo", "Alpha"}, names(tenancy.AccountQuery{Tag: "t0"}))
	require.Equal(t, []string{"charlie"}, names(tenancy.AccountQuery{Search: "nick-003"}))
}

func testTokenRace(t *testing.T, f *fixture) {
	u := f.user(1)
	require.NoError(t, f.s.InsertUser(f.ctx, u, f.ev("user.create")))
	tok := tenancy.PasswordToken{PlatformID: f.pid, Hash: "h1", UserID: u.ID, Purpose: tenancy.TokenResetPassword,
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	require.NoError(t, f.s.InsertToken(f.ctx, tok, f.ev("token.create")))

	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = f.s.UseToken(f.ctx, tenancy.UseToken{
				PlatformID: f.pid, Hash: "h1", Purposes: []tenancy.TokenPurpose{tenancy.TokenResetPassword},
				Now: t0.Add(time.Minute), PasswordHash: "new", Event: audit.Event{
					PlatformID: f.pid, ID: uuid.NewString(), At: t0, Action: "user.password"},
			})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			require.ErrorIs(t, err, tenancy.ErrNotFound)
		}
	}
	require.Equal(t, 1, won)
	got, err := f.s.GetUser(f.ctx, f.pid, u.ID)
	require.NoError(t, err)
	require.Equal(t, "new", got.PasswordHash)
	require.Equal(t, int64(2), got.Version)

	tok.Hash = "h2"
	require.NoError(t, f.s.InsertToken(f.ctx, tok, f.ev("token.create")))
	use := tenancy.UseToken{PlatformID: f.pid, Hash: "h2", Purposes: []tenancy.TokenPurpose{tenancy.TokenResetPassword},
		Now: tok.ExpiresAt, Event: f.ev("user.password")}
	_, err = f.s.UseToken(f.ctx, use)
	require.ErrorIs(t, err, tenancy.ErrExpired)
	_, err = f.s.UseToken(f.ctx, use)
	require.ErrorIs(t, err, tenancy.ErrNotFound, "an expired token is deleted")
}

func testDeleteAccount(t *testing.T, f *fixture) {
	u1, u2, staff := f.user(1), f.user(2), f.user(3)
	staff.Role = tenancy.RoleAdmin
	a1, a2 := f.account(1, u1), f.account(2, u2)
	require.NoError(t, f.create(a1, u1))
	require.NoError(t, f.create(a2, u2))
	require.NoError(t, f.s.InsertUser(f.ctx, staff, f.ev("user.create")))
	for _, m := range []tenancy.Member{
		{PlatformID: f.pid, AccountID: a1.ID, UserID: u2.ID, CreatedAt: t0, Permissions: []string{"leads"}},
		{PlatformID: f.pid, AccountID: a1.ID, UserID: staff.ID, CreatedAt: t0},
	} {
		require.NoError(t, f.s.InsertMember(f.ctx, tenancy.NewMember{Member: m, Event: f.ev("member.add")}))
	}
	tok := tenancy.PasswordToken{PlatformID: f.pid, Hash: "h", UserID: u1.ID, Purpose: tenancy.TokenSetPassword,
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	require.NoError(t, f.s.InsertToken(f.ctx, tok, f.ev("token.create")))

	ms, err := f.s.Memberships(f.ctx, f.pid, u2.ID)
	require.NoError(t, err)
	require.Len(t, ms, 2)

	now := t0.Add(time.Hour)
	out, err := f.s.DeleteAccount(f.ctx, tenancy.DeleteAccount{PlatformID: f.pid, AccountID: a1.ID, Now: now, Event: f.ev("account.delete")})
	require.NoError(t, err)
	require.Equal(t, []string{u1.ID}, out.DeletedUserIDs)
	require.Equal(t, a1.ID, out.Account.ID)
	got, err := f.s.GetUser(f.ctx, f.pid, u1.ID)
	require.NoError(t, err)
	require.Equal(t, tenancy.UserDeleted, got.Status)
	require.Empty(t, got.Name)
	require.Equal(t, now, got.UpdatedAt)
	_, err = f.s.UseToken(f.ctx, tenancy.UseToken{PlatformID: f.pid, Hash: "h",
		Purposes: []tenancy.TokenPurpose{tenancy.TokenSetPassword}, Now: t0, Event: f.ev("x")})
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	_, err = f.s.DeleteAccount(f.ctx, tenancy.DeleteAccount{PlatformID: f.pid, AccountID: a1.ID, Now: now, Event: f.ev("account.delete")})
	require.ErrorIs(t, err, tenancy.ErrNotFound)

	// The email is free again; the deleted user is still found by it.
	u4 := f.user(4)
	u4.Email = u1.Email
	require.NoError(t, f.s.InsertUser(f.ctx, u4, f.ev("user.create")))
	byEmail, err := f.s.GetUserByEmail(f.ctx, f.pid, u1.Email)
	require.NoError(t, err)
	require.Equal(t, u4.ID, byEmail.ID)
}
