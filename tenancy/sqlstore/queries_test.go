package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/dbtest"
	"github.com/tenantry/tenantry/tenancy"
)

// fromTemplate returns n new accounts as a template copy makes them: each
// with a new primary user, its primary membership, tags, a team-members
// allocation, a set-password token and one event.
func fromTemplate(f *fixture, n int) []tenancy.NewAccount {
	out := make([]tenancy.NewAccount, n)
	for i := range out {
		u := f.user(i)
		u.ID, u.Email = uuid.NewString(), fmt.Sprintf("bulk%05d@example.com", i)
		a := f.account(i, u)
		a.ID, a.UID, a.Nickname = uuid.NewString(), fmt.Sprintf("BULK%05d", i), fmt.Sprintf("bulk-%05d", i)
		a.Tags = []string{"bulk", "template-copy"}
		out[i] = tenancy.NewAccount{
			Account: a, NewUser: &u,
			Members: []tenancy.Member{{PlatformID: f.pid, AccountID: a.ID, UserID: u.ID, Primary: true, CreatedAt: t0}},
			Allocations: []tenancy.Allocation{{PlatformID: f.pid, AccountID: a.ID,
				Resource: tenancy.ResourceTeamMembers, Limit: 10, UpdatedAt: t0}},
			Token: &tenancy.PasswordToken{PlatformID: f.pid, Hash: uuid.NewString(), UserID: u.ID,
				Purpose: tenancy.TokenSetPassword, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
			Events: []audit.Event{f.ev("account.create")},
		}
	}
	return out
}

// TestPageQueries checks that an accounts page with its figures (the
// accounts page's WithFigures: ListAccounts with tags, Figures,
// Allocations, Assignments) runs the same number of statements for 10, 50
// and 200 rows.
func TestPageQueries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlx.DB, n *dbtest.Counter) {
		f := newFixture(t, db)
		reqs := fromTemplate(f, 200)
		require.NoError(t, f.s.CreateAccounts(f.ctx, reqs))
		op := f.user(9999)
		op.Role = tenancy.RoleOperator
		require.NoError(t, f.s.InsertUser(f.ctx, op, f.ev("user.create")))
		var assigned []string
		for i, r := range reqs {
			if i%3 == 0 {
				assigned = append(assigned, r.Account.ID)
			}
			for _, m := range []string{"messages", "subscribers"}[:i%3] {
				require.NoError(t, f.s.AddActivity(f.ctx, tenancy.AddActivity{PlatformID: f.pid,
					AccountID: r.Account.ID, Metric: m, Day: t0.Truncate(24 * time.Hour), N: int64(i)}))
			}
		}
		require.NoError(t, f.s.Assign(f.ctx, tenancy.Assign{PlatformID: f.pid, OperatorID: op.ID,
			AccountIDs: assigned, Now: t0, Event: f.ev("operator.assign")}))

		counts := map[int]int64{}
		for _, size := range []int{10, 50, 200} {
			n.Reset()
			page := withFigures(t, f, size)
			counts[size] = n.Count()
			require.Equal(t, size, page)
		}
		t.Logf("%s: statements per page of 10, 50, 200 rows: %d, %d, %d", db.DriverName(), counts[10], counts[50], counts[200])
		require.Equal(t, counts[10], counts[50])
		require.Equal(t, counts[10], counts[200])
		require.EqualValues(t, 5, counts[10], "ListAccounts 2 (rows, tags), Figures 1, Allocations 1, Assignments 1")
	})
}

// withFigures reads a page of size accounts and its figures, checks them,
// and returns how many accounts it got.
func withFigures(t *testing.T, f *fixture, size int) int {
	ctx := f.ctx
	page, err := f.s.ListAccounts(ctx, tenancy.AccountQuery{PlatformID: f.pid, Sort: tenancy.SortName, Limit: size})
	require.NoError(t, err)
	ids := make([]string, len(page))
	for i, a := range page {
		ids[i] = a.ID
		require.Equal(t, []string{"bulk", "template-copy"}, a.Tags)
	}
	figures, err := f.s.Figures(ctx, f.pid, ids)
	require.NoError(t, err)
	require.Len(t, figures, len(ids))
	for i, fg := range figures {
		require.Equal(t, ids[i], fg.AccountID, "figures come in the order asked")
		require.EqualValues(t, 1, fg.Users)
	}
	allocs, err := f.s.Allocations(ctx, f.pid, ids)
	require.NoError(t, err)
	require.Len(t, allocs, len(ids))
	_, err = f.s.Assignments(ctx, f.pid, ids)
	require.NoError(t, err)
	return len(page)
}

// TestCreateAccountsBatched checks that CreateAccounts writes rows in
// multi-row statements: besides one statement per event (the audit store
// inserts events one at a time), a constant number per thousand accounts.
// It creates 10,000 accounts, the size of a template roll-out, or 1,500
// (still more than one batch) under -short or -race, where SQLite is many
// times slower.
func TestCreateAccountsBatched(t *testing.T) {
	total := 10000
	if testing.Short() || raceEnabled {
		total = 1500
	}
	dbtest.Each(t, func(t *testing.T, db *sqlx.DB, n *dbtest.Counter) {
		f := newFixture(t, db)
		reqs := fromTemplate(f, total)
		_, err := f.s.SetPool(f.ctx, tenancy.SetPool{PlatformID: f.pid, Resource: tenancy.ResourceTeamMembers,
			Capacity: int64(10 * total), Now: t0, Event: f.ev("pool.set")})
		require.NoError(t, err)

		n.Reset()
		start := time.Now()
		require.NoError(t, f.s.CreateAccounts(f.ctx, reqs))
		took := time.Since(start)
		events := int64(total)
		t.Logf("%s: %d accounts in %v, %d statements (%d for events)", db.DriverName(), total, took, n.Count(), events)
		// users, accounts, tags, members, allocations and tokens: at most
		// ceil(rows/1000) each; tags two per account; pools and token
		// deletes a few.
		perKind := int64((total + 999) / 1000)
		require.LessOrEqual(t, n.Count(), events+7*perKind+5)

		pools, err := f.s.Pools(f.ctx, f.pid)
		require.NoError(t, err)
		require.Equal(t, int64(10*total), pools[0].Allocated)
		got, err := f.s.ListAccounts(f.ctx, tenancy.AccountQuery{PlatformID: f.pid, Sort: tenancy.SortName})
		require.NoError(t, err)
		require.Len(t, got, total)

		// All or nothing: one taken nickname among many writes none.
		more := fromTemplate(f, 1200)
		for i := range more {
			more[i].Account.Nickname = fmt.Sprintf("more-%05d", i)
			more[i].Account.UID = fmt.Sprintf("MORE%05d", i)
			more[i].NewUser.Email = fmt.Sprintf("more%05d@example.com", i)
		}
		more[1100].Account.Nickname = reqs[0].Account.Nickname
		err = f.s.CreateAccounts(f.ctx, more)
		require.ErrorIs(t, err, tenancy.ErrConflict)
		require.ErrorContains(t, err, "nickname taken")
		_, err = f.s.GetAccount(f.ctx, f.pid, more[0].Account.ID)
		require.ErrorIs(t, err, tenancy.ErrNotFound)
	})
}
