package sqlstore

import (
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/licensing"
)

// Table names.
const (
	licensesTable  = "tenantry_licenses"
	historyTable   = "tenantry_license_history"
	plansTable     = "tenantry_plans"
	overridesTable = "tenantry_feature_overrides"
	hiddenTable    = "tenantry_hidden_features"
	balancesTable  = "tenantry_credit_balances"
	entriesTable   = "tenantry_credit_entries"
)

// Column lists, in the order of the row structs below.
var (
	licenseColumns = []string{
		"platform_id", "id", "number", "account_id", "plan_id", "status", "starts_at", "ends_at",
		"grace_micros", "payment_failed_at", "version", "created_at", "updated_at",
	}
	historyColumns = []string{
		"platform_id", "license_id", "id", "kind", "account_id", "from_account_id", "actor_id", "detail", "at",
	}
	planColumns     = []string{"platform_id", "id", "name", "features", "limits", "version", "created_at", "updated_at"}
	overrideColumns = []string{"platform_id", "account_id", "feature", "enabled", "updated_at"}
	entryColumns    = []string{
		"platform_id", "account_id", "kind", "id", "delta", "balance", "idempotency_key", "reason", "actor_id", "at",
	}
)

type licenseRow struct {
	PlatformID      string      `db:"platform_id"`
	ID              string      `db:"id"`
	Number          string      `db:"number"`
	AccountID       string      `db:"account_id"`
	PlanID          string      `db:"plan_id"`
	Status          string      `db:"status"`
	StartsAt        sqlkit.Time `db:"starts_at"`
	EndsAt          sqlkit.Time `db:"ends_at"`
	GraceMicros     int64       `db:"grace_micros"`
	PaymentFailedAt sqlkit.Time `db:"payment_failed_at"`
	Version         int64       `db:"version"`
	CreatedAt       sqlkit.Time `db:"created_at"`
	UpdatedAt       sqlkit.Time `db:"updated_at"`
}

func (r licenseRow) license() licensing.License {
	return licensing.License{
		PlatformID: r.PlatformID, ID: r.ID, Number: r.Number, AccountID: r.AccountID,
		PlanID: r.PlanID, Status: licensing.Status(r.Status),
		StartsAt: r.StartsAt.Time, EndsAt: r.EndsAt.Time,
		Grace:           time.Duration(r.GraceMicros) * time.Microsecond,
		PaymentFailedAt: r.PaymentFailedAt.Time, Version: r.Version,
		CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time,
	}
}

// licenseValues returns every column a license update writes: all but
// platform_id, id and created_at (an update keeps the stored CreatedAt).
func (s *Store) licenseValues(l licensing.License) map[string]any {
	var lapses any
	if !l.PaymentFailedAt.IsZero() {
		lapses = s.tm(l.PaymentFailedAt.Add(l.Grace))
	}
	return map[string]any{
		"number": l.Number, "number_key": strings.ToLower(l.Number),
		"account_id": l.AccountID, "plan_id": l.PlanID, "status": string(l.Status),
		"starts_at": s.tm(l.StartsAt), "ends_at": s.tm(l.EndsAt),
		"grace_micros": l.Grace.Microseconds(), "payment_failed_at": s.tmNull(l.PaymentFailedAt),
		"lapses_at": lapses, "version": l.Version, "updated_at": s.tm(l.UpdatedAt),
	}
}

type historyRow struct {
	PlatformID    string      `db:"platform_id"`
	LicenseID     string      `db:"license_id"`
	ID            string      `db:"id"`
	Kind          string      `db:"kind"`
	AccountID     string      `db:"account_id"`
	FromAccountID string      `db:"from_account_id"`
	ActorID       string      `db:"actor_id"`
	Detail        string      `db:"detail"`
	At            sqlkit.Time `db:"at"`
}

func (r historyRow) entry() licensing.HistoryEntry {
	return licensing.HistoryEntry{
		PlatformID: r.PlatformID, LicenseID: r.LicenseID, ID: r.ID, Kind: licensing.EventKind(r.Kind),
		AccountID: r.AccountID, FromAccountID: r.FromAccountID, ActorID: r.ActorID,
		Detail: r.Detail, At: r.At.Time,
	}
}

// historyValues returns h's row in historyColumns order.
func (s *Store) historyValues(h licensing.HistoryEntry) []any {
	return []any{h.PlatformID, h.LicenseID, h.ID, string(h.Kind), h.AccountID, h.FromAccountID,
		h.ActorID, h.Detail, s.tm(h.At)}
}

type planRow struct {
	PlatformID string                        `db:"platform_id"`
	ID         string                        `db:"id"`
	Name       string                        `db:"name"`
	Features   sqlkit.JSON[[]string]         `db:"features"`
	Limits     sqlkit.JSON[map[string]int64] `db:"limits"`
	Version    int64                         `db:"version"`
	CreatedAt  sqlkit.Time                   `db:"created_at"`
	UpdatedAt  sqlkit.Time                   `db:"updated_at"`
}

// plan converts the row; empty features and limits are nil, as memstore
// returns them.
func (r planRow) plan() licensing.Plan {
	p := licensing.Plan{
		PlatformID: r.PlatformID, ID: r.ID, Name: r.Name, Features: r.Features.V, Limits: r.Limits.V,
		Version: r.Version, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time,
	}
	if len(p.Features) == 0 {
		p.Features = nil
	}
	if len(p.Limits) == 0 {
		p.Limits = nil
	}
	return p
}

// planValues returns every column a plan update writes: all but
// platform_id, id and created_at. Features are stored sorted.
func (s *Store) planValues(p licensing.Plan) map[string]any {
	features := slices.Sorted(slices.Values(p.Features))
	if features == nil {
		features = []string{}
	}
	limits := p.Limits
	if limits == nil {
		limits = map[string]int64{}
	}
	return map[string]any{
		"name": p.Name, "features": sqlkit.JSON[[]string]{V: features},
		"limits": sqlkit.JSON[map[string]int64]{V: limits}, "version": p.Version, "updated_at": s.tm(p.UpdatedAt),
	}
}

type overrideRow struct {
	PlatformID string      `db:"platform_id"`
	AccountID  string      `db:"account_id"`
	Feature    string      `db:"feature"`
	Enabled    bool        `db:"enabled"`
	UpdatedAt  sqlkit.Time `db:"updated_at"`
}

func (r overrideRow) override() licensing.Override {
	return licensing.Override{PlatformID: r.PlatformID, AccountID: r.AccountID, Feature: r.Feature,
		Enabled: r.Enabled, UpdatedAt: r.UpdatedAt.Time}
}

type entryRow struct {
	PlatformID     string         `db:"platform_id"`
	AccountID      string         `db:"account_id"`
	Kind           string         `db:"kind"`
	ID             string         `db:"id"`
	Delta          int64          `db:"delta"`
	Balance        int64          `db:"balance"`
	IdempotencyKey sql.NullString `db:"idempotency_key"`
	Reason         string         `db:"reason"`
	ActorID        string         `db:"actor_id"`
	At             sqlkit.Time    `db:"at"`
}

func (r entryRow) entry() licensing.CreditEntry {
	return licensing.CreditEntry{
		PlatformID: r.PlatformID, AccountID: r.AccountID, Kind: r.Kind, ID: r.ID,
		Delta: r.Delta, Balance: r.Balance, IdempotencyKey: r.IdempotencyKey.String,
		Reason: r.Reason, ActorID: r.ActorID, At: r.At.Time,
	}
}
