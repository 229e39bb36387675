package sqlstore

import (
	"database/sql"
	"strings"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/invites"
)

// table is the invitations table.
const table = "tenantry_invitations"

// columns lists every column, in the order of invitationRow.
var columns = []string{
	"platform_id", "id", "kind", "email", "inviter_id", "account_id", "resource_id", "role",
	"permissions", "account_name", "status", "token_hash", "expires_at", "sent_at", "created_at",
	"decided_at", "decided_by", "version",
}

// returning ends a statement that hands back the changed row.
var returning = "RETURNING " + strings.Join(columns, ", ")

type invitationRow struct {
	PlatformID  string                `db:"platform_id"`
	ID          string                `db:"id"`
	Kind        string                `db:"kind"`
	Email       string                `db:"email"`
	InviterID   string                `db:"inviter_id"`
	AccountID   string                `db:"account_id"`
	ResourceID  string                `db:"resource_id"`
	Role        string                `db:"role"`
	Permissions sqlkit.JSON[[]string] `db:"permissions"`
	AccountName string                `db:"account_name"`
	Status      string                `db:"status"`
	TokenHash   sql.NullString        `db:"token_hash"`
	ExpiresAt   sqlkit.Time           `db:"expires_at"`
	SentAt      sqlkit.Time           `db:"sent_at"`
	CreatedAt   sqlkit.Time           `db:"created_at"`
	DecidedAt   sqlkit.Time           `db:"decided_at"`
	DecidedBy   string                `db:"decided_by"`
	Version     int64                 `db:"version"`
}

// invitation converts the row; empty permissions are nil.
func (r invitationRow) invitation() invites.Invitation {
	inv := invites.Invitation{
		PlatformID: r.PlatformID, ID: r.ID, Kind: invites.Kind(r.Kind), Email: r.Email,
		InviterID: r.InviterID, AccountID: r.AccountID, ResourceID: r.ResourceID, Role: r.Role,
		Permissions: r.Permissions.V, AccountName: r.AccountName, Status: invites.Status(r.Status),
		TokenHash: r.TokenHash.String, ExpiresAt: r.ExpiresAt.Time, SentAt: r.SentAt.Time,
		CreatedAt: r.CreatedAt.Time, DecidedAt: r.DecidedAt.Time, DecidedBy: r.DecidedBy,
		Version: r.Version,
	}
	if len(inv.Permissions) == 0 {
		inv.Permissions = nil
	}
	return inv
}

// values returns inv's row in columns order. Permissions are stored as
// given (Service sorts them); an empty token hash is NULL.
func (s *Store) values(inv invites.Invitation) []any {
	perms := inv.Permissions
	if perms == nil {
		perms = []string{}
	}
	return []any{
		inv.PlatformID, inv.ID, string(inv.Kind), inv.Email, inv.InviterID, inv.AccountID, inv.ResourceID,
		inv.Role, sqlkit.JSON[[]string]{V: perms}, inv.AccountName, string(inv.Status),
		sqlkit.NullString(inv.TokenHash), s.tm(inv.ExpiresAt), s.tm(inv.SentAt), s.tm(inv.CreatedAt),
		s.tmNull(inv.DecidedAt), inv.DecidedBy, inv.Version,
	}
}
