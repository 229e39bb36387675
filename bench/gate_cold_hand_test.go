package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/licensing"
)

// handGate is the cold-gate benchmark's baseline: the check "may account A
// use feature F now" as a competent engineer would write it by hand with
// sqlx, in one query over the same tables, reading the same facts the gate
// reads: the account's active license or else its latest one (its status,
// start, end, grace and missed payment), that license's plan's features,
// and the account's overrides (one row each, by a LEFT JOIN). It then
// makes the gate's decision in Go. It reads no limits and keeps nothing:
// every call is a query.
type handGate struct {
	db    *sqlx.DB
	query string
	now   func() time.Time
}

func newHandGate(db *sqlx.DB, now func() time.Time) handGate {
	return handGate{db: db, query: db.Rebind(handGateSQL), now: now}
}

const handGateSQL = `SELECT l.status, l.starts_at, l.ends_at, l.grace_micros, l.payment_failed_at,
	p.features, o.feature, o.enabled
FROM (SELECT platform_id, account_id, plan_id, status, starts_at, ends_at, grace_micros, payment_failed_at
	FROM tenantry_licenses
	WHERE platform_id = ? AND account_id = ?
	ORDER BY CASE WHEN status = 'active' THEN 0 ELSE 1 END, updated_at DESC, id DESC
	LIMIT 1) l
LEFT JOIN tenantry_plans p ON p.platform_id = l.platform_id AND p.id = l.plan_id
LEFT JOIN tenantry_feature_overrides o ON o.platform_id = l.platform_id AND o.account_id = l.account_id`

// handGateRow is one row: the license and plan, repeated on every override.
type handGateRow struct {
	Status          string         `db:"status"`
	StartsAt        sqlkit.Time    `db:"starts_at"`
	EndsAt          sqlkit.Time    `db:"ends_at"`
	GraceMicros     int64          `db:"grace_micros"`
	PaymentFailedAt sqlkit.Time    `db:"payment_failed_at"`
	Features        sql.NullString `db:"features"`
	Feature         sql.NullString `db:"feature"`
	Enabled         sql.NullBool   `db:"enabled"`
}

// check answers as Gate.Check does, for an account in good standing.
func (h handGate) check(ctx context.Context, platformID, accountID, feature string) (licensing.Decision, error) {
	var rows []handGateRow
	if err := h.db.SelectContext(ctx, &rows, h.query, platformID, accountID); err != nil {
		return licensing.Decision{}, err
	}
	return handDecide(rows, feature, h.now())
}

func handDecide(rows []handGateRow, feature string, now time.Time) (licensing.Decision, error) {
	refuse := func(r licensing.Reason) (licensing.Decision, error) { return licensing.Decision{Reason: r}, nil }
	if len(rows) == 0 {
		return refuse(licensing.ReasonNoLicense)
	}
	l := rows[0]
	switch licensing.Status(l.Status) {
	case licensing.Revoked:
		return refuse(licensing.ReasonLicenseRevoked)
	case licensing.Expired:
		return refuse(licensing.ReasonLicenseExpired)
	case licensing.Inactive:
		return refuse(licensing.ReasonLicenseInactive)
	}
	switch {
	case !now.Before(l.EndsAt.Time):
		return refuse(licensing.ReasonLicenseExpired)
	case !l.PaymentFailedAt.IsZero() &&
		!now.Before(l.PaymentFailedAt.Add(time.Duration(l.GraceMicros)*time.Microsecond)),
		now.Before(l.StartsAt.Time):
		return refuse(licensing.ReasonLicenseInactive)
	}
	if feature == "" {
		return licensing.Decision{Allowed: true}, nil
	}
	for _, r := range rows {
		if r.Feature.Valid && r.Feature.String == feature {
			if r.Enabled.Bool {
				return licensing.Decision{Allowed: true}, nil
			}
			return refuse(licensing.ReasonFeatureOff)
		}
	}
	var features []string
	if l.Features.Valid {
		if err := json.Unmarshal([]byte(l.Features.String), &features); err != nil {
			return licensing.Decision{}, err
		}
	}
	if !slices.Contains(features, feature) {
		return refuse(licensing.ReasonFeatureOff)
	}
	return licensing.Decision{Allowed: true}, nil
}
