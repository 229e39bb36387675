package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// casbinModel is RBAC with domains, the domain being the account: a member
// holds roles in an account (g = user, role, account); a role grants a
// permission in every account (p = role, "*", permission). The primary
// admin holds role "admin", which grants every permission; a team member
// holds role "perm:<p>" for each permission p of theirs.
const casbinModel = `
[request_definition]
r = sub, dom, obj

[policy_definition]
p = sub, dom, obj

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && (p.dom == "*" || r.dom == p.dom) && r.obj == p.obj
`

// canMember is one member of the accounts-page data set.
type canMember struct {
	account, user string
	primary       bool
	perms         []string
}

// canAsk is one permission check.
type canAsk struct{ account, user, perm string }

// canKey is the plain map's key.
type canKey struct{ platform, account, user, perm string }

// canAsks is the number of checks the warm benchmark cycles through:
// 100,000 with -full (the size of the Service's permission cache by
// default; the benchmark gives it room for twice that), 10,000 otherwise.
func canAsks() int { return size(10_000, 100_000) }

// BenchmarkCan measures the team member permission check
// (tenancy.Service.Can) with the member in the Service's permission
// cache, beside casbin v2's SyncedEnforcer and CachedEnforcer (RBAC with
// domains, see casbinModel) and a plain Go map, all holding the same
// members and permissions: those of the accounts-page data set (see
// pageBenchSpec; 100,000 accounts of 10 members with -full), read from its
// SQLite database. The Service is on the real tenancy store of that
// database (its cache is filled through it, and trusted for an hour);
// casbin and the map are
// loaded with every member; the checks cycle through canAsks() (account,
// user, permission) triples drawn at random, a tenth of them asked of a
// user who is not a member of that account. The warm check touches no
// storage, so there is no PostgreSQL half.
//
// Sub-benchmarks: tenantry, synced, cached and map alone (with
// allocations: target for tenantry under 100 ns and 0 allocs), and the
// ratios in one loop (see ratioBatch) of tenantry to each: vs-synced,
// vs-cached, vs-map. Before timing, every check is made four ways and must
// give the same answer. load-ns reports how long casbin took to load the
// policies.
func BenchmarkCan(b *testing.B) {
	db, _ := pageBenchSQLite(b)
	ctx := context.Background()
	members := canMembers(b, db)
	asks := canDraw(members, canAsks())

	store, err := sqlstore.New(db)
	require.NoError(b, err)
	// PermissionTTL an hour: the checks below fill the cache minutes
	// before the timing starts (casbin takes that long to load), and a
	// 30-second TTL would time cold checks instead.
	svc := tenancy.New(store, &tenancy.Config{PermissionCacheSize: 2 * len(asks), PermissionTTL: time.Hour})

	plain := make(map[canKey]bool)
	var policies, groupings [][]string
	for _, p := range pagePerms {
		policies = append(policies, []string{"admin", "*", p}, []string{"perm:" + p, "*", p})
	}
	for _, m := range members {
		perms := m.perms
		if m.primary {
			perms = pagePerms
			groupings = append(groupings, []string{m.user, "admin", m.account})
		} else {
			for _, p := range m.perms {
				groupings = append(groupings, []string{m.user, "perm:" + p, m.account})
			}
		}
		for _, p := range perms {
			plain[canKey{pagePlatformID, m.account, m.user, p}] = true
		}
	}
	start := time.Now()
	synced, err := casbin.NewSyncedEnforcer(casbinEnforcerModel(b))
	require.NoError(b, err)
	casbinLoad(b, synced.GetModel(), policies, groupings)
	require.NoError(b, synced.BuildRoleLinks())
	syncedLoad := time.Since(start)
	start = time.Now()
	cached, err := casbin.NewCachedEnforcer(casbinEnforcerModel(b))
	require.NoError(b, err)
	casbinLoad(b, cached.GetModel(), policies, groupings)
	require.NoError(b, cached.BuildRoleLinks())
	cachedLoad := time.Since(start)
	b.Logf("%d members, %d casbin grouping rules, %d policies; %d checks (synced loaded in %v, cached in %v)",
		len(members), len(groupings), len(policies), len(asks), syncedLoad.Round(time.Millisecond), cachedLoad.Round(time.Millisecond))

	// Every check four ways; this also fills the Service's cache (through
	// its store) and the CachedEnforcer's.
	allowed := 0
	for _, a := range asks {
		want := plain[canKey{pagePlatformID, a.account, a.user, a.perm}]
		got, err := svc.Can(ctx, pagePlatformID, a.account, a.user, a.perm)
		require.NoError(b, err)
		require.Equal(b, want, got, "tenancy: %+v", a)
		got, err = synced.Enforce(a.user, a.account, a.perm)
		require.NoError(b, err)
		require.Equal(b, want, got, "casbin synced: %+v", a)
		got, err = cached.Enforce(a.user, a.account, a.perm)
		require.NoError(b, err)
		require.Equal(b, want, got, "casbin cached: %+v", a)
		if want {
			allowed++
		}
	}
	b.Logf("all four agree on %d checks, %d allowed", len(asks), allowed)

	var sink int
	count := func(ok bool, err error) error {
		if ok {
			sink++
		}
		return err
	}
	sides := []struct {
		name string
		op   func(i int) error
	}{
		{"tenantry", func(i int) error {
			a := asks[i%len(asks)]
			return count(svc.Can(ctx, pagePlatformID, a.account, a.user, a.perm))
		}},
		{"synced", func(i int) error { a := asks[i%len(asks)]; return count(synced.Enforce(a.user, a.account, a.perm)) }},
		{"cached", func(i int) error { a := asks[i%len(asks)]; return count(cached.Enforce(a.user, a.account, a.perm)) }},
		{"map", func(i int) error {
			a := asks[i%len(asks)]
			return count(plain[canKey{pagePlatformID, a.account, a.user, a.perm}], nil)
		}},
	}
	for _, s := range sides {
		b.Run(s.name, func(b *testing.B) { alone(b, s.op) })
	}
	for _, s := range sides[1:] {
		b.Run("vs-"+s.name, func(b *testing.B) { b.ReportAllocs(); ratioBatch(b, 100, sides[0].op, s.op) })
	}
	b.ReportMetric(float64(syncedLoad.Nanoseconds()), "synced-load-ns")
	b.ReportMetric(float64(cachedLoad.Nanoseconds()), "cached-load-ns")
	runtime.KeepAlive(sink)
}

// casbinEnforcerModel parses casbinModel.
func casbinEnforcerModel(tb testing.TB) model.Model {
	m, err := model.NewModelFromString(casbinModel)
	require.NoError(tb, err)
	return m
}

// casbinLoad puts the rules in m, as an adapter's LoadPolicy does.
func casbinLoad(tb testing.TB, m model.Model, policies, groupings [][]string) {
	require.NoError(tb, m.AddPolicies("p", "p", policies))
	require.NoError(tb, m.AddPolicies("g", "g", groupings))
}

// canMembers reads every member of the data set's platform.
func canMembers(tb testing.TB, db *sqlx.DB) []canMember {
	rows, err := db.Queryx(db.Rebind(`SELECT account_id, user_id, is_primary, permissions
		FROM tenantry_members WHERE platform_id = ? ORDER BY account_id, user_id`), pagePlatformID)
	require.NoError(tb, err)
	defer rows.Close()
	var out []canMember
	for rows.Next() {
		var m canMember
		var perms string
		require.NoError(tb, rows.Scan(&m.account, &m.user, &m.primary, &perms))
		require.NoError(tb, json.Unmarshal([]byte(perms), &m.perms))
		out = append(out, m)
	}
	require.NoError(tb, rows.Err())
	require.NotEmpty(tb, out, "the data set has members")
	return out
}

// canDraw draws n checks from the members: a member and a permission at
// random, and for one check in ten the member of another account asking
// about this one.
func canDraw(members []canMember, n int) []canAsk {
	r := rand.New(rand.NewPCG(5, 6))
	out := make([]canAsk, n)
	for i := range out {
		m := members[r.IntN(len(members))]
		a := canAsk{account: m.account, user: m.user, perm: pagePerms[r.IntN(len(pagePerms))]}
		if i%10 == 9 {
			a.user = members[r.IntN(len(members))].user
		}
		out[i] = a
	}
	return out
}

// TestCasbinModel: the casbin model says what Can says on a few members.
func TestCasbinModel(t *testing.T) {
	m := casbinEnforcerModel(t)
	e, err := casbin.NewSyncedEnforcer(m)
	require.NoError(t, err)
	casbinLoad(t, e.GetModel(), [][]string{{"admin", "*", tenancy.PermLeads}, {"perm:" + tenancy.PermLeads, "*", tenancy.PermLeads}},
		[][]string{{"owner", "admin", "a1"}, {"member", "perm:" + tenancy.PermLeads, "a1"}})
	require.NoError(t, e.BuildRoleLinks())
	for _, c := range []struct {
		user, account string
		want          bool
	}{{"owner", "a1", true}, {"member", "a1", true}, {"member", "a2", false}, {"owner", "a2", false}, {"stranger", "a1", false}} {
		got, err := e.Enforce(c.user, c.account, tenancy.PermLeads)
		require.NoError(t, err)
		require.Equal(t, c.want, got, fmt.Sprintf("%s in %s", c.user, c.account))
	}
}
