package sqlstore

import (
	"database/sql"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// Column lists of the quota, operator, grant and activity tables, in the
// order of the row structs below.
var (
	poolColumns   = []string{"platform_id", "resource", "capacity", "allocated", "updated_at"}
	allocColumns  = []string{"platform_id", "account_id", "resource", "lim", "used", "updated_at"}
	assignColumns = []string{"platform_id", "operator_id", "account_id", "created_at"}
	grantColumns  = []string{"platform_id", "account_id", "resource_id", "user_id", "granted_by", "created_at"}
)

type poolRow struct {
	PlatformID string      `db:"platform_id"`
	Resource   string      `db:"resource"`
	Capacity   int64       `db:"capacity"`
	Allocated  int64       `db:"allocated"`
	UpdatedAt  sqlkit.Time `db:"updated_at"`
}

func (r poolRow) pool() tenancy.Pool {
	return tenancy.Pool{PlatformID: r.PlatformID, Resource: r.Resource, Capacity: r.Capacity,
		Allocated: r.Allocated, UpdatedAt: r.UpdatedAt.Time}
}

type allocRow struct {
	PlatformID string      `db:"platform_id"`
	AccountID  string      `db:"account_id"`
	Resource   string      `db:"resource"`
	Lim        int64       `db:"lim"`
	Used       int64       `db:"used"`
	UpdatedAt  sqlkit.Time `db:"updated_at"`
}

func (r allocRow) allocation() tenancy.Allocation {
	return tenancy.Allocation{PlatformID: r.PlatformID, AccountID: r.AccountID, Resource: r.Resource,
		Limit: r.Lim, Used: r.Used, UpdatedAt: r.UpdatedAt.Time}
}

type assignRow struct {
	PlatformID string      `db:"platform_id"`
	OperatorID string      `db:"operator_id"`
	AccountID  string      `db:"account_id"`
	CreatedAt  sqlkit.Time `db:"created_at"`
}

type grantRow struct {
	PlatformID string      `db:"platform_id"`
	AccountID  string      `db:"account_id"`
	ResourceID string      `db:"resource_id"`
	UserID     string      `db:"user_id"`
	GrantedBy  string      `db:"granted_by"`
	CreatedAt  sqlkit.Time `db:"created_at"`
}

type pointRow struct {
	Metric string      `db:"metric"`
	Day    sqlkit.Time `db:"day"`
	N      int64       `db:"n"`
}

// figuresRow is one account's member count with one of its totals (metric
// NULL when it has none).
type figuresRow struct {
	AccountID string         `db:"account_id"`
	Users     int64          `db:"users"`
	Metric    sql.NullString `db:"metric"`
	N         sql.NullInt64  `db:"n"`
}
