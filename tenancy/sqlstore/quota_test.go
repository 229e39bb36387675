package sqlstore_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/tenancy"
)

// TestPoolCreationRace checks the lock between SetPool creating a pool and
// allocations that find no pool: however they interleave, the pool's
// Allocated ends equal to the sum of the resource's allocations, with
// accounts being deleted (giving their units back) at the same time.
func TestPoolCreationRace(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		f := newFixture(t, db)
		const accounts = 24
		ids := make([]string, accounts)
		for i := range ids {
			u := f.user(i)
			a := f.account(i, u)
			require.NoError(t, f.create(a, u))
			ids[i] = a.ID
		}
		for round := range 3 {
			resource := fmt.Sprintf("slots-%d", round)
			for _, id := range ids[:accounts/2] { // allocations before the pool exists
				_, err := f.s.AdjustAllocation(f.ctx, tenancy.AdjustAllocation{PlatformID: f.pid, AccountID: id,
					Resource: resource, Delta: 2, Now: t0, Event: f.ev("quota.adjust")})
				require.NoError(t, err)
			}
			var wg sync.WaitGroup
			for i, id := range ids {
				wg.Go(func() {
					var err error
					if round == 2 && i%4 == 0 {
						_, err = f.s.DeleteAccount(f.ctx, tenancy.DeleteAccount{PlatformID: f.pid, AccountID: id,
							Now: t0, Event: f.ev("account.delete")})
					} else {
						_, err = f.s.AdjustAllocation(f.ctx, tenancy.AdjustAllocation{PlatformID: f.pid, AccountID: id,
							Resource: resource, Delta: 1, Now: t0, Event: f.ev("quota.adjust")})
					}
					if err != nil {
						require.ErrorIs(t, err, tenancy.ErrNotFound, "only a deleted account fails")
					}
				})
				if i == accounts/2 {
					wg.Go(func() {
						_, err := f.s.SetPool(f.ctx, tenancy.SetPool{PlatformID: f.pid, Resource: resource,
							Capacity: 1000, Now: t0, Event: f.ev("pool.set")})
						require.NoError(t, err)
					})
				}
			}
			wg.Wait()
			allocs, err := f.s.Allocations(f.ctx, f.pid, nil)
			require.NoError(t, err)
			sums := map[string]int64{}
			for _, a := range allocs {
				sums[a.Resource] += a.Limit
			}
			pools, err := f.s.Pools(f.ctx, f.pid)
			require.NoError(t, err)
			require.Len(t, pools, round+1)
			for _, p := range pools {
				require.Equal(t, sums[p.Resource], p.Allocated, "round %d: pool %s counts every allocation once", round, p.Resource)
			}
			require.Equal(t, int64(1000), pools[round].Capacity)
		}
	})
}
