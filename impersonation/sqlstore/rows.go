package sqlstore

import (
	"strings"

	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/sqlkit"
)

// table is the sessions table.
const table = "tenantry_impersonation_sessions"

// columns lists every column, in the order of sessionRow and its dest.
var columns = []string{
	"platform_id", "id", "token_hash", "actor_id", "subject_id", "subject_email", "account_id",
	"account_name", "mode", "reason", "ticket", "read_only", "started_at", "expires_at", "ended_at",
	"end_reason",
}

// returning ends a statement that hands back the changed rows.
var returning = "RETURNING " + strings.Join(columns, ", ")

// sessionRow is one scanned session. read_only scans into a bool from
// BOOLEAN (PostgreSQL) and from INTEGER 0/1 (SQLite) alike.
type sessionRow struct {
	PlatformID   string      `db:"platform_id"`
	ID           string      `db:"id"`
	TokenHash    string      `db:"token_hash"`
	ActorID      string      `db:"actor_id"`
	SubjectID    string      `db:"subject_id"`
	SubjectEmail string      `db:"subject_email"`
	AccountID    string      `db:"account_id"`
	AccountName  string      `db:"account_name"`
	Mode         string      `db:"mode"`
	Reason       string      `db:"reason"`
	Ticket       string      `db:"ticket"`
	ReadOnly     bool        `db:"read_only"`
	StartedAt    sqlkit.Time `db:"started_at"`
	ExpiresAt    sqlkit.Time `db:"expires_at"`
	EndedAt      sqlkit.Time `db:"ended_at"`
	EndReason    string      `db:"end_reason"`
}

// dest returns pointers to r's fields in columns order, for Scan: the
// reads by key scan straight into a row without sqlx's mapping.
func (r *sessionRow) dest() []any {
	return []any{
		&r.PlatformID, &r.ID, &r.TokenHash, &r.ActorID, &r.SubjectID, &r.SubjectEmail, &r.AccountID,
		&r.AccountName, &r.Mode, &r.Reason, &r.Ticket, &r.ReadOnly, &r.StartedAt, &r.ExpiresAt, &r.EndedAt,
		&r.EndReason,
	}
}

// session converts the row.
func (r sessionRow) session() impersonation.Session {
	return impersonation.Session{
		PlatformID: r.PlatformID, ID: r.ID, TokenHash: r.TokenHash, ActorID: r.ActorID,
		SubjectID: r.SubjectID, SubjectEmail: r.SubjectEmail, AccountID: r.AccountID,
		AccountName: r.AccountName, Mode: impersonation.Mode(r.Mode), Reason: r.Reason,
		Ticket: r.Ticket, ReadOnly: r.ReadOnly, StartedAt: r.StartedAt.Time,
		ExpiresAt: r.ExpiresAt.Time, EndedAt: r.EndedAt.Time,
		EndReason: impersonation.EndReason(r.EndReason),
	}
}

// values returns se's row in columns order; a zero EndedAt is NULL.
func (s *Store) values(se impersonation.Session) []any {
	return []any{
		se.PlatformID, se.ID, se.TokenHash, se.ActorID, se.SubjectID, se.SubjectEmail, se.AccountID,
		se.AccountName, string(se.Mode), se.Reason, se.Ticket, se.ReadOnly, s.tm(se.StartedAt),
		s.tm(se.ExpiresAt), s.tmNull(se.EndedAt), string(se.EndReason),
	}
}
