package memstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// These tests look inside the store: pools' Allocated stays the exact sum of
// the allocations however calls race, and nothing of a deleted account or
// of a refused call is left behind.

const bots = tenancy.ResourceBotSlots

// requireQuotaInvariants checks every pool and allocation of the platform.
func requireQuotaInvariants(t *testing.T, s *Store) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[pid]
	sums := map[string]int64{}
	for accountID, byRes := range pd.allocs {
		require.True(t, hasKey(pd.accounts, accountID), "allocation of deleted account %q", accountID)
		for _, a := range byRes {
			require.True(t, 0 <= a.Used && a.Used <= a.Limit, "allocation %+v", a)
			sums[a.Resource] += a.Limit
		}
	}
	for res, p := range pd.pools {
		require.Equal(t, sums[res], p.Allocated, "pool %q", res)
		require.LessOrEqual(t, p.Allocated, p.Capacity, "pool %q", res)
	}
}

func withAllocation(r tenancy.NewAccount, res string, limit int64) tenancy.NewAccount {
	r.Allocations = append(r.Allocations, tenancy.Allocation{PlatformID: pid, AccountID: r.Account.ID, Resource: res, Limit: limit, UpdatedAt: t0})
	return r
}

func TestPoolAllocatedIsExactSumUnderRaces(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	_, err := s.SetPool(ctx, tenancy.SetPool{PlatformID: pid, Resource: bots, Capacity: 20, Now: t0, Event: ev("pool")})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			var mine []string
			for i := range 60 {
				id := fmt.Sprintf("a%d-%d", g, i)
				switch op := rng.IntN(6); {
				case op == 0 || len(mine) == 0:
					r := withAllocation(account(id, "", user("u"+id, id+"@x.test")), bots, rng.Int64N(4))
					if err := s.CreateAccounts(ctx, []tenancy.NewAccount{r}); err == nil {
						mine = append(mine, id)
					}
				case op == 1:
					_, _ = s.DeleteAccount(ctx, tenancy.DeleteAccount{PlatformID: pid, AccountID: mine[0], Now: t0, Event: ev("del")})
					mine = mine[1:]
				case op == 2:
					_, _ = s.SetPool(ctx, tenancy.SetPool{PlatformID: pid, Resource: bots, Capacity: rng.Int64N(30), Now: t0, Event: ev("pool")})
				case op == 3:
					_, _ = s.UseQuota(ctx, tenancy.UseQuota{PlatformID: pid, AccountID: mine[rng.IntN(len(mine))], Resource: bots, N: rng.Int64N(5) - 2})
				default:
					_, _ = s.AdjustAllocation(ctx, tenancy.AdjustAllocation{PlatformID: pid, AccountID: mine[rng.IntN(len(mine))],
						Resource: bots, Delta: rng.Int64N(7) - 3, Now: t0, Event: ev("adjust")})
				}
			}
		})
	}
	wg.Wait()
	requireQuotaInvariants(t, s)
}

func TestCreateAccountsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s, fa := newStore(t)
	_, err := s.SetPool(ctx, tenancy.SetPool{PlatformID: pid, Resource: bots, Capacity: 3, Now: t0, Event: ev("pool")})
	require.NoError(t, err)
	a1 := withAllocation(account("a1", "same", user("u1", "u1@x.test")), bots, 2)
	a2 := withAllocation(account("a2", "other", user("u2", "u2@x.test")), bots, 2)
	require.ErrorIs(t, s.CreateAccounts(ctx, []tenancy.NewAccount{a1, a2}), tenancy.ErrQuotaExceeded, "the pool is shared by the batch")
	a2.Allocations[0].Limit = 1
	a2.Account.Nickname = "same"
	require.ErrorIs(t, s.CreateAccounts(ctx, []tenancy.NewAccount{a1, a2}), tenancy.ErrConflict, "the nickname is taken by the batch")
	a2.Account.Nickname = "other"
	fa.failAfter.Store(3)
	require.ErrorIs(t, s.CreateAccounts(ctx, []tenancy.NewAccount{a1, a2}), errAuditDown)
	fa.failAfter.Store(-1 << 40)
	pd := s.platforms[pid]
	require.Empty(t, pd.accounts)
	require.Empty(t, pd.users)
	require.Empty(t, pd.allocs)
	require.Zero(t, pd.pools[bots].Allocated)

	// A later request may name what an earlier one adds. (The events the
	// audit store took before it failed stay there: new ones.)
	a1.Events = []audit.Event{ev("account.create"), ev("user.create")}
	a2.Events = []audit.Event{ev("account.create"), ev("user.create")}
	a2.Members = append(a2.Members, tenancy.Member{PlatformID: pid, AccountID: "a2", UserID: "u1", CreatedAt: t0})
	require.NoError(t, s.CreateAccounts(ctx, []tenancy.NewAccount{a1, a2}))
	require.Equal(t, int64(3), pd.pools[bots].Allocated)
	require.Len(t, pd.places["u1"], 2)
	requireQuotaInvariants(t, s)
}

func TestDeleteAccountLeavesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	_, err := s.SetPool(ctx, tenancy.SetPool{PlatformID: pid, Resource: bots, Capacity: 5, Now: t0, Event: ev("pool")})
	require.NoError(t, err)
	require.NoError(t, s.CreateAccount(ctx, withAllocation(account("a1", "", user("u1", "u1@x.test")), bots, 4)))
	require.NoError(t, s.InsertUser(ctx, user("op", "op@x.test"), ev("user.create")))
	require.NoError(t, s.Assign(ctx, tenancy.Assign{PlatformID: pid, OperatorID: "op", AccountIDs: []string{"a1"}, Now: t0, Event: ev("assign")}))
	require.NoError(t, s.InsertGrant(ctx, tenancy.Grant{PlatformID: pid, AccountID: "a1", ResourceID: "bot", UserID: "u1", CreatedAt: t0}, ev("grant")))
	require.NoError(t, s.AddActivity(ctx, tenancy.AddActivity{PlatformID: pid, AccountID: "a1", Metric: "messages", Day: t0.Truncate(24 * time.Hour), N: 3}))
	require.NoError(t, s.SetSSOSecret(ctx, tenancy.SetSSOSecret{PlatformID: pid, AccountID: "a1", Sealed: []byte("x"), Now: t0, Event: ev("sso")}))

	later := t0.Add(time.Hour)
	_, err = s.DeleteAccount(ctx, tenancy.DeleteAccount{PlatformID: pid, AccountID: "a1", Now: later, Event: ev("account.delete")})
	require.NoError(t, err)
	pd := s.platforms[pid]
	require.Empty(t, pd.allocs)
	require.Empty(t, pd.assigned)
	require.Empty(t, pd.grants)
	require.Empty(t, pd.daily)
	require.Empty(t, pd.totals)
	require.Empty(t, pd.ssoSecrets)
	require.Equal(t, tenancy.Pool{PlatformID: pid, Resource: bots, Capacity: 5, UpdatedAt: later}, pd.pools[bots])
}

func TestRefusedQuotaCallsChangeNothing(t *testing.T) {
	ctx := context.Background()
	s, fa := newStore(t)
	require.NoError(t, s.CreateAccount(ctx, withAllocation(account("a1", "", user("u1", "u1@x.test")), tenancy.ResourceTeamMembers, 1)))
	require.NoError(t, s.InsertUser(ctx, user("u2", "u2@x.test"), ev("user.create")))
	_, err := s.SetPool(ctx, tenancy.SetPool{PlatformID: pid, Resource: tenancy.ResourceTeamMembers, Capacity: 2, Now: t0, Event: ev("pool")})
	require.NoError(t, err)
	before := s.platforms[pid].allocs["a1"][tenancy.ResourceTeamMembers]

	fa.failAfter.Store(0)
	_, err = s.AdjustAllocation(ctx, tenancy.AdjustAllocation{PlatformID: pid, AccountID: "a1", Resource: tenancy.ResourceTeamMembers, Delta: 1, Now: t0, Event: ev("adjust")})
	require.ErrorIs(t, err, errAuditDown)
	fa.failAfter.Store(0)
	m := tenancy.Member{PlatformID: pid, AccountID: "a1", UserID: "u2", CreatedAt: t0}
	use := &tenancy.QuotaUse{Resource: tenancy.ResourceTeamMembers, N: 1}
	require.ErrorIs(t, s.InsertMember(ctx, tenancy.NewMember{Member: m, Quota: use, Event: ev("member.add")}), errAuditDown)
	fa.failAfter.Store(-1 << 40)
	require.Equal(t, before, s.platforms[pid].allocs["a1"][tenancy.ResourceTeamMembers])
	require.Equal(t, int64(1), s.platforms[pid].pools[tenancy.ResourceTeamMembers].Allocated)
	require.False(t, s.platforms[pid].isMember("a1", "u2"))

	require.NoError(t, s.InsertMember(ctx, tenancy.NewMember{Member: m, Quota: use, Event: ev("member.add")}))
	require.NoError(t, s.InsertUser(ctx, user("u3", "u3@x.test"), ev("user.create")))
	m.UserID = "u3"
	require.ErrorIs(t, s.InsertMember(ctx, tenancy.NewMember{Member: m, Quota: use, Event: ev("member.add")}), tenancy.ErrQuotaExceeded)
	require.False(t, s.platforms[pid].isMember("a1", "u3"))
	requireQuotaInvariants(t, s)
}
