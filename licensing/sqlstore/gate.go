package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/licensing"
)

// GateFacts reads what the gate needs about an account in ONE statement
// (one round trip): the account's license as AccountLicense picks it (a
// correlated subquery on the account index, LIMIT 1), that license's plan
// (a primary-key join) and the account's overrides, aggregated into a JSON
// array by a scalar subquery on their primary key. License and Plan are
// nil when there is none; an unknown platform or account has empty Facts
// and no error.
func (s *Store) GateFacts(ctx context.Context, platformID, accountID string) (licensing.Facts, error) {
	var r factsRow
	if err := s.base.DB.GetContext(ctx, &r, s.factsQuery(), platformID, accountID); err != nil {
		return licensing.Facts{}, fail("gate facts", err)
	}
	var f licensing.Facts
	if r.License.ID != "" && accountID != "" {
		l := r.License.license()
		f.License = &l
		if r.Plan.ID != "" {
			p := r.Plan.plan()
			f.Plan = &p
		}
	}
	for _, o := range r.Overrides.V {
		f.Overrides = append(f.Overrides, licensing.Override{
			PlatformID: platformID, AccountID: accountID, Feature: o.Feature,
			Enabled: o.Enabled != 0, UpdatedAt: time.UnixMicro(o.UpdatedAt).UTC(),
		})
	}
	return f, nil
}

// factsRow is GateFacts' one row. The license and plan columns are
// COALESCEd to their zero values when there is none (times and JSON read
// NULL as zero), so that the plain row types scan them.
type factsRow struct {
	License   licenseRow                      `db:"l"`
	Plan      planRow                         `db:"p"`
	Overrides sqlkit.JSON[[]overrideFactJSON] `db:"overrides"`
}

// overrideFactJSON is one override in GateFacts' JSON array; enabled is
// 0 or 1 and updated_at microseconds since the epoch on both dialects.
type overrideFactJSON struct {
	Feature   string `json:"feature"`
	Enabled   int    `json:"enabled"`
	UpdatedAt int64  `json:"updated_at"`
}

// factsQueries caches GateFacts' statement per dialect.
var factsQueries = map[sqlkit.Dialect]string{}

func init() {
	for _, d := range []sqlkit.Dialect{sqlkit.SQLite, sqlkit.Postgres} {
		factsQueries[d] = buildFactsQuery(d)
	}
}

func (s *Store) factsQuery() string { return factsQueries[s.base.DB.Dialect] }

// buildFactsQuery writes GateFacts' statement for d. The account's key
// enters once, as the one-row table k, which both subqueries correlate
// with.
func buildFactsQuery(d sqlkit.Dialect) string {
	var sel []string
	zero := func(col string) string {
		switch col {
		case "grace_micros", "version":
			return "0"
		case "starts_at", "ends_at", "payment_failed_at", "created_at", "updated_at", "features", "limits":
			return "" // read NULL as zero
		}
		return "''"
	}
	add := func(alias string, cols []string) {
		for _, c := range cols {
			expr := alias + "." + c
			if z := zero(c); z != "" {
				expr = "COALESCE(" + expr + ", " + z + ")"
			}
			sel = append(sel, expr+` AS "`+alias+"."+c+`"`)
		}
	}
	add("l", licenseColumns)
	add("p", planColumns)
	overrides := `(SELECT json_group_array(json_object('feature', o.feature, 'enabled', o.enabled,
			'updated_at', o.updated_at) ORDER BY o.feature)
		FROM ` + overridesTable + ` o WHERE o.platform_id = k.platform_id AND o.account_id = k.account_id)`
	if d == sqlkit.Postgres {
		overrides = `(SELECT COALESCE(json_agg(json_build_object('feature', o.feature, 'enabled', o.enabled::int,
			'updated_at', (extract(epoch FROM o.updated_at) * 1000000)::bigint) ORDER BY o.feature), '[]')::text
		FROM ` + overridesTable + ` o WHERE o.platform_id = k.platform_id AND o.account_id = k.account_id)`
	}
	key := "CAST(? AS TEXT)"
	if d == sqlkit.Postgres {
		key += ` COLLATE "C"` // the keys' collation, so that their indexes serve
	}
	q := `SELECT ` + strings.Join(sel, ", ") + `, ` + overrides + ` AS overrides
	FROM (SELECT ` + key + ` AS platform_id, ` + key + ` AS account_id) k
	LEFT JOIN ` + licensesTable + ` l ON l.platform_id = k.platform_id AND l.id = (
		SELECT x.id FROM ` + licensesTable + ` x
		WHERE x.platform_id = k.platform_id AND x.account_id = k.account_id
		ORDER BY CASE WHEN x.status = 'active' THEN 0 ELSE 1 END, x.updated_at DESC, x.id DESC LIMIT 1)
	LEFT JOIN ` + plansTable + ` p ON p.platform_id = l.platform_id AND p.id = l.plan_id`
	return d.Rebind(q)
}
