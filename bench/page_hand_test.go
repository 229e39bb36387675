package bench

import (
	"context"
	"database/sql"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// handPage is the benchmark's baseline: the same accounts page (not locked,
// carrying a tag, matching a search, A to Z, 50 a page, with tags, member
// counts and activity totals) as a competent engineer would write it by
// hand with sqlx: one query for the page's accounts, one for their tags,
// one for their member counts and totals.
type handPage struct {
	db        *sqlx.DB
	first     string // the accounts of the first page
	following string // the accounts after a cursor
}

func newHandPage(db *sqlx.DB) handPage {
	return handPage{db: db,
		first:     db.Rebind(strings.Replace(handAccountsSQL, "{after}", "", 1)),
		following: db.Rebind(strings.Replace(handAccountsSQL, "{after}", "AND (a.name_key, a.id) > (?, ?)", 1)),
	}
}

const handAccountsSQL = `SELECT a.platform_id, a.id, a.uid, a.nickname, a.name, a.email,
	a.primary_user_id, a.address, a.phone, a.website, a.language, a.time_zone, a.logo_url, a.note,
	a.plan, a.status, a.locked, a.secure, a.template, a.test_expires_at, a.links_allowed,
	a.onboarding_complete, a.onboarding_steps, a.sites, a.version, a.created_at, a.updated_at
FROM tenantry_accounts a
WHERE a.platform_id = ? AND a.locked = FALSE
	AND EXISTS (SELECT 1 FROM tenantry_account_tags t
		WHERE t.platform_id = a.platform_id AND t.account_id = a.id AND t.tag = ?)
	AND (a.name_key LIKE ? ESCAPE '\' OR a.email LIKE ? ESCAPE '\'
		OR a.nickname LIKE ? ESCAPE '\' OR lower(a.uid) LIKE ? ESCAPE '\')
	{after}
ORDER BY a.name_key, a.id
LIMIT ?`

const handTagsSQL = `SELECT account_id, tag FROM tenantry_account_tags
WHERE platform_id = ? AND account_id IN (?) ORDER BY account_id, tag`

// handFiguresSQL reads member counts (metric "") and activity totals.
const handFiguresSQL = `SELECT account_id, '' AS metric, count(*) AS n FROM tenantry_members
WHERE platform_id = ? AND account_id IN (?) GROUP BY account_id
UNION ALL
SELECT account_id, metric, n FROM tenantry_activity_totals
WHERE platform_id = ? AND account_id IN (?)`

// handQuery is what the page asks for.
type handQuery struct {
	platformID, tag, search string
	limit                   int
	after                   *handCursor
}

// handCursor is the last account of a page: its lowercased name and ID.
type handCursor struct{ nameKey, id string }

// handResult is a page: its accounts with their tags, their figures by ID,
// and the cursor of the next page (nil at the end).
type handResult struct {
	accounts []tenancy.Account
	figures  map[string]tenancy.Figures
	next     *handCursor
}

type handAccount struct {
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

func (h handPage) page(ctx context.Context, q handQuery) (handResult, error) {
	pattern := "%" + sqlkit.EscapeLike(strings.ToLower(q.search)) + "%"
	query := h.first
	args := []any{q.platformID, q.tag, pattern, pattern, pattern, pattern}
	if q.after != nil {
		query = h.following
		args = append(args, q.after.nameKey, q.after.id)
	}
	var rows []handAccount
	if err := h.db.SelectContext(ctx, &rows, query, append(args, q.limit+1)...); err != nil {
		return handResult{}, err
	}
	var res handResult
	if len(rows) > q.limit {
		rows = rows[:q.limit]
		last := rows[len(rows)-1]
		res.next = &handCursor{nameKey: strings.ToLower(last.Name), id: last.ID}
	}
	if len(rows) == 0 {
		return res, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	tags, err := h.tags(ctx, q.platformID, ids)
	if err != nil {
		return handResult{}, err
	}
	res.accounts = make([]tenancy.Account, len(rows))
	for i, r := range rows {
		res.accounts[i] = r.account(tags[r.ID])
	}
	res.figures, err = h.figures(ctx, q.platformID, ids)
	return res, err
}

func (h handPage) tags(ctx context.Context, platformID string, ids []string) (map[string][]string, error) {
	query, args, err := sqlx.In(handTagsSQL, platformID, ids)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		AccountID string `db:"account_id"`
		Tag       string `db:"tag"`
	}
	if err := h.db.SelectContext(ctx, &rows, h.db.Rebind(query), args...); err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(ids))
	for _, r := range rows {
		out[r.AccountID] = append(out[r.AccountID], r.Tag)
	}
	return out, nil
}

func (h handPage) figures(ctx context.Context, platformID string, ids []string) (map[string]tenancy.Figures, error) {
	query, args, err := sqlx.In(handFiguresSQL, platformID, ids, platformID, ids)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		AccountID string `db:"account_id"`
		Metric    string `db:"metric"`
		N         int64  `db:"n"`
	}
	if err := h.db.SelectContext(ctx, &rows, h.db.Rebind(query), args...); err != nil {
		return nil, err
	}
	out := make(map[string]tenancy.Figures, len(ids))
	for _, id := range ids {
		out[id] = tenancy.Figures{AccountID: id}
	}
	for _, r := range rows {
		f := out[r.AccountID]
		if r.Metric == "" {
			f.Users = r.N
		} else {
			if f.Totals == nil {
				f.Totals = map[string]int64{}
			}
			f.Totals[r.Metric] = r.N
		}
		out[r.AccountID] = f
	}
	return out, nil
}

func (r handAccount) account(tags []string) tenancy.Account {
	return tenancy.Account{
		PlatformID: r.PlatformID, ID: r.ID, UID: r.UID, Nickname: r.Nickname.String,
		Name: r.Name, Email: r.Email, PrimaryUserID: r.PrimaryUserID,
		Contact:  tenancy.Contact{Address: r.Address, Phone: r.Phone, Website: r.Website},
		Language: r.Language, TimeZone: r.TimeZone, LogoURL: r.LogoURL, Tags: tags, Note: r.Note,
		Plan: r.Plan, Status: tenancy.AccountStatus(r.Status),
		Locked: r.Locked, Secure: r.Secure, Template: r.Template,
		TestExpiresAt: r.TestExpiresAt.Time, LinksAllowed: r.LinksAllowed,
		Onboarding: tenancy.Onboarding{StepsDone: handNonEmpty(r.OnboardingSteps.V), Complete: r.OnboardingComplete},
		Sites:      handNonEmpty(r.Sites.V),
		Version:    r.Version, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time,
	}
}

// handNonEmpty returns nil for an empty list, as the tenancy stores do.
func handNonEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
