package sqlstore

import (
	"database/sql"
	"strings"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// Table names.
const (
	platformsTable = "tenantry_platforms"
	usersTable     = "tenantry_users"
	accountsTable  = "tenantry_accounts"
	tagsTable      = "tenantry_account_tags"
	membersTable   = "tenantry_members"
	tokensTable    = "tenantry_password_tokens"
	poolsTable     = "tenantry_quota_pools"
	allocsTable    = "tenantry_quota_allocations"
	assignTable    = "tenantry_operator_assignments"
	grantsTable    = "tenantry_grants"
	dailyTable     = "tenantry_activity_daily"
	totalsTable    = "tenantry_activity_totals"
	secretsTable   = "tenantry_sso_secrets"
	noncesTable    = "tenantry_sso_nonces"
)

// nouns names the record a table holds, for error messages.
var nouns = map[string]string{
	platformsTable: "platform", usersTable: "user", accountsTable: "account",
	membersTable: "member", tokensTable: "token",
}

// Column lists, in the order of the row structs below.
var (
	platformColumns = []string{"id", "name", "created_at", "updated_at"}
	userColumns     = []string{
		"platform_id", "id", "email", "name", "role", "status", "password_hash",
		"version", "created_at", "updated_at",
	}
	accountColumns = []string{
		"platform_id", "id", "uid", "nickname", "name", "email", "primary_user_id",
		"address", "phone", "website", "language", "time_zone", "logo_url", "note",
		"plan", "status", "locked", "secure", "template", "test_expires_at",
		"links_allowed", "onboarding_complete", "onboarding_steps", "sites",
		"version", "created_at", "updated_at",
	}
	memberColumns = []string{"platform_id", "account_id", "user_id", "is_primary", "permissions", "created_at"}
	tokenColumns  = []string{"user_id", "purpose", "expires_at"}
)

// cols returns columns qualified by a table alias: "a.id, a.name".
func cols(alias string, columns []string) string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = alias + "." + c
	}
	return strings.Join(out, ", ")
}

type platformRow struct {
	ID        string      `db:"id"`
	Name      string      `db:"name"`
	CreatedAt sqlkit.Time `db:"created_at"`
	UpdatedAt sqlkit.Time `db:"updated_at"`
}

func (r platformRow) platform() tenancy.Platform {
	return tenancy.Platform{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time}
}

type userRow struct {
	PlatformID   string      `db:"platform_id"`
	ID           string      `db:"id"`
	Email        string      `db:"email"`
	Name         string      `db:"name"`
	Role         string      `db:"role"`
	Status       string      `db:"status"`
	PasswordHash string      `db:"password_hash"`
	Version      int64       `db:"version"`
	CreatedAt    sqlkit.Time `db:"created_at"`
	UpdatedAt    sqlkit.Time `db:"updated_at"`
}

func (r userRow) user() tenancy.User {
	return tenancy.User{
		PlatformID: r.PlatformID, ID: r.ID, Email: r.Email, Name: r.Name,
		Role: tenancy.Role(r.Role), Status: tenancy.UserStatus(r.Status),
		PasswordHash: r.PasswordHash, Version: r.Version,
		CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time,
	}
}

type accountRow struct {
	PlatformID         string                `db:"platform_id"`
	ID                 string                `db:"id"`
	UID                string                `db:"uid"`
	Nickname           sql.NullString        `db:"nickname"`
	Name               string                `db:"name"`
	Email              string                `db:"email"`
	PrimaryUserID      string                `db:"primary_user_id"`
	Address            string                `db:"address"`
	Phone              string                `db:"phone"`
	Website            string                `db:"website"`
	Language           string                `db:"language"`
	TimeZone           string                `db:"time_zone"`
	LogoURL            string                `db:"logo_url"`
	Note               string                `db:"note"`
	Plan               string                `db:"plan"`
	Status             string                `db:"status"`
	Locked             bool                  `db:"locked"`
	Secure             bool                  `db:"secure"`
	Template           bool                  `db:"template"`
	TestExpiresAt      sqlkit.Time           `db:"test_expires_at"`
	LinksAllowed       bool                  `db:"links_allowed"`
	OnboardingComplete bool                  `db:"onboarding_complete"`
	OnboardingSteps    sqlkit.JSON[[]string] `db:"onboarding_steps"`
	Sites              sqlkit.JSON[[]string] `db:"sites"`
	Version            int64                 `db:"version"`
	CreatedAt          sqlkit.Time           `db:"created_at"`
	UpdatedAt          sqlkit.Time           `db:"updated_at"`
}

// account converts the row; the tags are read separately.
func (r accountRow) account() tenancy.Account {
	return tenancy.Account{
		PlatformID: r.PlatformID, ID: r.ID, UID: r.UID, Nickname: r.Nickname.String,
		Name: r.Name, Email: r.Email, PrimaryUserID: r.PrimaryUserID,
		Contact:  tenancy.Contact{Address: r.Address, Phone: r.Phone, Website: r.Website},
		Language: r.Language, TimeZone: r.TimeZone, LogoURL: r.LogoURL, Note: r.Note,
		Plan: r.Plan, Status: tenancy.AccountStatus(r.Status),
		Locked: r.Locked, Secure: r.Secure, Template: r.Template,
		TestExpiresAt: r.TestExpiresAt.Time, LinksAllowed: r.LinksAllowed,
		Onboarding: tenancy.Onboarding{
			StepsDone: orNil(r.OnboardingSteps.V), Complete: r.OnboardingComplete,
		},
		Sites:   orNil(r.Sites.V),
		Version: r.Version, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time,
	}
}

// accountValues returns the columns an update writes: every mutable field
// but the tags (not PlatformID, ID, UID nor CreatedAt).
func (s *Store) accountValues(a tenancy.Account) map[string]any {
	return map[string]any{
		"nickname": sqlkit.NullString(a.Nickname), "name": a.Name, "name_key": foldKey(a.Name), "email": a.Email,
		"primary_user_id": a.PrimaryUserID, "address": a.Contact.Address,
		"phone": a.Contact.Phone, "website": a.Contact.Website,
		"language": a.Language, "time_zone": a.TimeZone, "logo_url": a.LogoURL,
		"note": a.Note, "plan": a.Plan, "status": string(a.Status),
		"locked": a.Locked, "secure": a.Secure, "template": a.Template,
		"test_expires_at": s.tm(a.TestExpiresAt), "links_allowed": a.LinksAllowed,
		"onboarding_complete": a.Onboarding.Complete,
		"onboarding_steps":    sqlkit.JSON[[]string]{V: orEmpty(a.Onboarding.StepsDone)},
		"sites":               sqlkit.JSON[[]string]{V: orEmpty(a.Sites)},
		"version":             a.Version, "updated_at": s.tm(a.UpdatedAt),
	}
}

type memberRow struct {
	PlatformID  string                `db:"platform_id"`
	AccountID   string                `db:"account_id"`
	UserID      string                `db:"user_id"`
	IsPrimary   bool                  `db:"is_primary"`
	Permissions sqlkit.JSON[[]string] `db:"permissions"`
	CreatedAt   sqlkit.Time           `db:"created_at"`
}

func (r memberRow) member() tenancy.Member {
	return tenancy.Member{
		PlatformID: r.PlatformID, AccountID: r.AccountID, UserID: r.UserID,
		Primary: r.IsPrimary, Permissions: orNil(r.Permissions.V), CreatedAt: r.CreatedAt.Time,
	}
}

// membershipRow is an account row joined with the member's own columns.
type membershipRow struct {
	accountRow
	MemberPrimary     bool                  `db:"m_is_primary"`
	MemberPermissions sqlkit.JSON[[]string] `db:"m_permissions"`
	MemberCreatedAt   sqlkit.Time           `db:"m_created_at"`
	MemberUserID      string                `db:"m_user_id"`
}

type tokenRow struct {
	UserID    string      `db:"user_id"`
	Purpose   string      `db:"purpose"`
	ExpiresAt sqlkit.Time `db:"expires_at"`
}

type tagRow struct {
	AccountID string `db:"account_id"`
	Tag       string `db:"tag"`
}

// orNil returns nil for an empty list, as every tenancy store does.
func orNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// orEmpty stores a nil list as "[]" rather than "null".
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
