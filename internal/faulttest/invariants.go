package faulttest

import (
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
)

// invariant is a query that returns one row per violation, described by
// its first column, with the platform as its only argument (given as
// many times as the query has placeholders).
type invariant struct {
	name  string
	query string
}

// invariants hold after every operation, failed or not.
var invariants = []invariant{
	{"pool allocated = sum of the account allocations, within capacity", `
		SELECT p.resource || ': allocated ' || CAST(p.allocated AS TEXT) || ', capacity ' || CAST(p.capacity AS TEXT)
			|| ', sum of allocations ' || CAST(COALESCE((SELECT SUM(a.lim) FROM tenantry_quota_allocations a
				WHERE a.platform_id = p.platform_id AND a.resource = p.resource), 0) AS TEXT)
		FROM tenantry_quota_pools p
		WHERE p.platform_id = ? AND (p.allocated > p.capacity OR p.allocated < 0 OR p.allocated <> COALESCE((
			SELECT SUM(a.lim) FROM tenantry_quota_allocations a
			WHERE a.platform_id = p.platform_id AND a.resource = p.resource), 0))`},
	{"allocation used within 0..limit", `
		SELECT account_id || ' ' || resource FROM tenantry_quota_allocations
		WHERE platform_id = ? AND (used < 0 OR used > lim OR lim < 0)`},
	{"team seats used = team members (not the primary) + pending team invitations", `
		SELECT a.account_id || ': used ' || CAST(a.used AS TEXT) FROM tenantry_quota_allocations a
		WHERE a.platform_id = ? AND a.resource = 'team_members' AND a.used <>
			(SELECT COUNT(*) FROM tenantry_members m WHERE m.platform_id = a.platform_id AND m.account_id = a.account_id AND NOT m.is_primary)
			+ (SELECT COUNT(*) FROM tenantry_invitations i WHERE i.platform_id = a.platform_id AND i.account_id = a.account_id
				AND i.kind = 'team_member' AND i.status = 'pending')`},
	{"credit balance = sum of its ledger, never negative", `
		SELECT b.account_id || ' ' || b.kind || ': balance ' || CAST(b.balance AS TEXT) FROM tenantry_credit_balances b
		WHERE b.platform_id = ? AND (b.balance < 0 OR b.balance <> COALESCE((SELECT SUM(e.delta) FROM tenantry_credit_entries e
			WHERE e.platform_id = b.platform_id AND e.account_id = b.account_id AND e.kind = b.kind), 0))`},
	{"every ledger has its balance", `
		SELECT DISTINCT e.account_id || ' ' || e.kind FROM tenantry_credit_entries e
		WHERE e.platform_id = ? AND NOT EXISTS (SELECT 1 FROM tenantry_credit_balances b
			WHERE b.platform_id = e.platform_id AND b.account_id = e.account_id AND b.kind = e.kind)`},
	{"at most one active license per account", `
		SELECT account_id FROM tenantry_licenses WHERE platform_id = ? AND status = 'active' AND account_id <> ''
		GROUP BY account_id HAVING COUNT(*) > 1`},
	{"license history of existing licenses", `
		SELECT h.id FROM tenantry_license_history h WHERE h.platform_id = ? AND NOT EXISTS
			(SELECT 1 FROM tenantry_licenses l WHERE l.platform_id = h.platform_id AND l.id = h.license_id)`},
	{"accounts have their primary admin as a member", `
		SELECT a.id FROM tenantry_accounts a WHERE a.platform_id = ? AND NOT EXISTS
			(SELECT 1 FROM tenantry_members m WHERE m.platform_id = a.platform_id AND m.account_id = a.id
				AND m.user_id = a.primary_user_id AND m.is_primary)`},
	{"members of existing accounts and live users", `
		SELECT m.account_id || ' ' || m.user_id FROM tenantry_members m WHERE m.platform_id = ? AND (
			NOT EXISTS (SELECT 1 FROM tenantry_accounts a WHERE a.platform_id = m.platform_id AND a.id = m.account_id)
			OR NOT EXISTS (SELECT 1 FROM tenantry_users u WHERE u.platform_id = m.platform_id AND u.id = m.user_id AND u.status <> 'deleted'))`},
	{"account rows (allocations, tags, grants, operators, activity, SSO) of existing accounts", `
		SELECT 'allocation ' || x.account_id FROM tenantry_quota_allocations x WHERE x.platform_id = ? AND NOT EXISTS
			(SELECT 1 FROM tenantry_accounts a WHERE a.platform_id = x.platform_id AND a.id = x.account_id)
		UNION ALL SELECT 'tag ' || x.account_id FROM tenantry_account_tags x WHERE x.platform_id = ? AND NOT EXISTS
			(SELECT 1 FROM tenantry_accounts a WHERE a.platform_id = x.platform_id AND a.id = x.account_id)
		UNION ALL SELECT 'grant ' || x.account_id FROM tenantry_grants x WHERE x.platform_id = ? AND NOT EXISTS
			(SELECT 1 FROM tenantry_accounts a WHERE a.platform_id = x.platform_id AND a.id = x.account_id)
		UNION ALL SELECT 'operator ' || x.account_id FROM tenantry_operator_assignments x WHERE x.platform_id = ? AND NOT EXISTS
			(SELECT 1 FROM tenantry_accounts a WHERE a.platform_id = x.platform_id AND a.id = x.account_id)
		UNION ALL SELECT 'activity ' || x.account_id FROM tenantry_activity_totals x WHERE x.platform_id = ? AND NOT EXISTS
			(SELECT 1 FROM tenantry_accounts a WHERE a.platform_id = x.platform_id AND a.id = x.account_id)
		UNION ALL SELECT 'sso ' || x.account_id FROM tenantry_sso_secrets x WHERE x.platform_id = ? AND NOT EXISTS
			(SELECT 1 FROM tenantry_accounts a WHERE a.platform_id = x.platform_id AND a.id = x.account_id)`},
	{"password tokens of live users", `
		SELECT x.user_id FROM tenantry_password_tokens x WHERE x.platform_id = ? AND NOT EXISTS
			(SELECT 1 FROM tenantry_users u WHERE u.platform_id = x.platform_id AND u.id = x.user_id AND u.status <> 'deleted')`},
	{"no impersonation session open in a missing account", `
		SELECT s.id FROM tenantry_impersonation_sessions s WHERE s.platform_id = ? AND s.ended_at IS NULL AND NOT EXISTS
			(SELECT 1 FROM tenantry_accounts a WHERE a.platform_id = s.platform_id AND a.id = s.account_id)`},
	{"no pending invitation to a missing account", `
		SELECT i.id FROM tenantry_invitations i WHERE i.platform_id = ? AND i.status = 'pending' AND i.account_id <> '' AND NOT EXISTS
			(SELECT 1 FROM tenantry_accounts a WHERE a.platform_id = i.platform_id AND a.id = i.account_id)`},
	{"at most one primary domain", `
		SELECT platform_id FROM tenantry_branding_domains WHERE platform_id = ? AND is_primary
		GROUP BY platform_id HAVING COUNT(*) > 1`},
}

// Violations returns the invariants the platform's rows break, one line
// each, or nil.
func Violations(t testing.TB, db *sqlx.DB, platformID string) []string {
	t.Helper()
	var out []string
	for _, inv := range invariants {
		args := make([]any, strings.Count(inv.query, "?"))
		for i := range args {
			args[i] = platformID
		}
		var bad []string
		if err := db.Select(&bad, db.Rebind(inv.query), args...); err != nil {
			t.Fatalf("faulttest: invariant %q: %v", inv.name, err)
		}
		for _, b := range bad {
			out = append(out, inv.name+": "+b)
		}
	}
	return out
}
