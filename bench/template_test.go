package bench

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// templateAccounts is how many accounts one batch creates.
func templateAccounts() int { return size(500, 10_000) }

// templateWorld is two platforms with the same template account: one
// creates accounts through Service.CreateFromTemplate, the other through
// the hand-written batched INSERTs of handTemplate.
type templateWorld struct {
	db  *sqlx.DB
	svc *tenancy.Service
	// tenantry and baseline are the platforms of each side, tmpl their
	// template accounts.
	tenantry, baseline         string
	tenantryTmpl, baselineTmpl string
	hand                       *handTemplate
}

// templateTables are the tables a created account writes to, with their
// platform column.
var templateTables = []string{
	"tenantry_users", "tenantry_accounts", "tenantry_account_tags", "tenantry_members",
	"tenantry_quota_allocations", "tenantry_password_tokens", "tenantry_audit_events",
}

func newTemplateWorld(tb testing.TB, db *sqlx.DB) *templateWorld {
	tb.Helper()
	w := &templateWorld{db: db, tenantry: "pt", baseline: "ph"}
	w.svc, _ = tenancyOn(tb, db, w.tenantry, w.baseline)
	for _, p := range []struct{ platform, tmpl *string }{{&w.tenantry, &w.tenantryTmpl}, {&w.baseline, &w.baselineTmpl}} {
		*p.tmpl = makeTemplate(tb, w.svc, *p.platform)
	}
	w.hand = &handTemplate{db: db, pg: db.DriverName() == "pgx"}
	return w
}

// makeTemplate creates a template account on platform: tags, plan,
// locale, logo, two onboarding steps, 10 team members and 2 bot slots
// drawn from a bot-slot pool large enough for every batch.
func makeTemplate(tb testing.TB, svc *tenancy.Service, platform string) string {
	tb.Helper()
	ctx := writesHost
	if _, err := svc.SetPool(ctx, platform, tenancy.ResourceBotSlots, 1<<40); err != nil {
		tb.Fatalf("set pool: %v", err)
	}
	c, err := svc.CreateAccount(ctx, tenancy.CreateAccountParams{
		PlatformID: platform, Name: "Agency Starter", Email: "template@bench.example",
		Language: "it", TimeZone: "Europe/Rome", LogoURL: "https://cdn.bench.example/logo.png",
		Tags: []string{"agency", "starter"}, Plan: "pro",
	})
	if err != nil {
		tb.Fatalf("create template: %v", err)
	}
	id := c.Account.ID
	steps := []func() error{
		func() error { _, err := svc.Allocate(ctx, platform, id, tenancy.ResourceBotSlots, 2); return err },
		func() error { _, err := svc.CompleteOnboardingStep(ctx, platform, id, "widget"); return err },
		func() error { _, err := svc.CompleteOnboardingStep(ctx, platform, id, "billing"); return err },
		func() error { _, err := svc.SetTemplate(ctx, platform, id, true); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			tb.Fatalf("template: %v", err)
		}
	}
	return id
}

// templateBatch returns the accounts of batch i: names, emails and
// nicknames unique on each platform, no password (each admin gets a
// set-password link, as a bulk import does).
func templateBatch(i, n int) []tenancy.NewFromTemplate {
	out := make([]tenancy.NewFromTemplate, n)
	for j := range out {
		out[j] = tenancy.NewFromTemplate{
			Name:     fmt.Sprintf("Client %d-%d", i, j),
			Email:    fmt.Sprintf("client-%d-%d@bench.example", i, j),
			Nickname: fmt.Sprintf("client-%d-%d", i, j),
		}
	}
	return out
}

// createTenantry creates batch accounts on the tenantry platform.
func (w *templateWorld) createTenantry(ctx context.Context, batch []tenancy.NewFromTemplate) error {
	out, err := w.svc.CreateFromTemplate(ctx, tenancy.CreateFromTemplateParams{
		PlatformID: w.tenantry, TemplateID: w.tenantryTmpl, Accounts: batch,
	})
	if err == nil && len(out) != len(batch) {
		err = fmt.Errorf("created %d accounts of %d", len(out), len(batch))
	}
	return err
}

// createBaseline creates batch accounts on the baseline platform.
func (w *templateWorld) createBaseline(ctx context.Context, batch []tenancy.NewFromTemplate) error {
	return w.hand.create(ctx, w.baseline, w.baselineTmpl, batch)
}

// same fails tb unless both platforms hold the same rows: as many in
// every table, the same settings on every created account, and the same
// units drawn from their pools.
func (w *templateWorld) same(tb testing.TB) {
	tb.Helper()
	for _, table := range templateTables {
		var t, b int
		q := w.db.Rebind("SELECT count(*) FROM " + table + " WHERE platform_id = ?")
		if err := w.db.Get(&t, q, w.tenantry); err != nil {
			tb.Fatalf("count %s: %v", table, err)
		}
		if err := w.db.Get(&b, q, w.baseline); err != nil {
			tb.Fatalf("count %s: %v", table, err)
		}
		if t != b {
			tb.Fatalf("%s: tenantry wrote %d rows, the baseline %d", table, t, b)
		}
	}
	queries := []string{
		`SELECT DISTINCT language || '|' || time_zone || '|' || logo_url || '|' || plan || '|' || status || '|' ||
			onboarding_steps || '|' || sites || '|' || CAST(version AS TEXT) || '|' || CAST(template AS TEXT)
			FROM tenantry_accounts WHERE platform_id = ? ORDER BY 1`,
		`SELECT DISTINCT tag FROM tenantry_account_tags WHERE platform_id = ? ORDER BY 1`,
		`SELECT DISTINCT resource || ':' || CAST(lim AS TEXT) || ':' || CAST(used AS TEXT) FROM tenantry_quota_allocations WHERE platform_id = ? ORDER BY 1`,
		`SELECT resource || ':' || CAST(allocated AS TEXT) FROM tenantry_quota_pools WHERE platform_id = ? ORDER BY 1`,
		`SELECT DISTINCT action || ':' || target_type FROM tenantry_audit_events WHERE platform_id = ? ORDER BY 1`,
		`SELECT DISTINCT role || ':' || status || ':' || password_hash FROM tenantry_users WHERE platform_id = ? ORDER BY 1`,
		`SELECT DISTINCT CAST(is_primary AS TEXT) || ':' || permissions FROM tenantry_members WHERE platform_id = ? ORDER BY 1`,
		`SELECT DISTINCT purpose FROM tenantry_password_tokens WHERE platform_id = ? ORDER BY 1`,
	}
	for _, q := range queries {
		var t, b []string
		if err := w.db.Select(&t, w.db.Rebind(q), w.tenantry); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		if err := w.db.Select(&b, w.db.Rebind(q), w.baseline); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		if !slices.Equal(t, b) {
			tb.Fatalf("%s\ntenantry: %q\nbaseline: %q", q, t, b)
		}
	}
	// The events' changes differ only by IDs; compare the fields named.
	var t, b []string
	q := w.db.Rebind(`SELECT changes FROM tenantry_audit_events WHERE platform_id = ? AND action = 'account.create_from_template' ORDER BY at, id LIMIT 1`)
	if err := w.db.Select(&t, q, w.tenantry); err != nil {
		tb.Fatalf("changes: %v", err)
	}
	if err := w.db.Select(&b, q, w.baseline); err != nil {
		tb.Fatalf("changes: %v", err)
	}
	if len(t) != 1 || len(b) != 1 || changeFields(t[0]) != changeFields(b[0]) {
		tb.Fatalf("event changes differ:\ntenantry: %v\nbaseline: %v", t, b)
	}
}

// changeFields lists the fields of a JSON array of audit.Change.
func changeFields(js string) string {
	var cs []audit.Change
	_ = json.Unmarshal([]byte(js), &cs)
	var fields []string
	for _, c := range cs {
		fields = append(fields, c.Field)
	}
	return strings.Join(fields, ",")
}

// BenchmarkCreateFromTemplate: one call creates 10,000 accounts (500
// without -full) from a template through Service.CreateFromTemplate,
// each with its new primary admin, membership, tags, allocations drawn
// from the pool, set-password token and audit event, beside the
// hand-written batched INSERTs that write the same rows in one
// transaction. Reported per batch: tenantry-ns/op, baseline-ns/op and
// x-baseline (target at most 3), and tenantry-ns/account.
func BenchmarkCreateFromTemplate(b *testing.B) {
	for _, d := range writeDatabases {
		b.Run(d.name, func(b *testing.B) {
			w := newTemplateWorld(b, d.open(b))
			ctx := writesHost
			n := templateAccounts()
			b.ReportAllocs()
			var tt, bt time.Duration
			i := 0
			for b.Loop() {
				batch := templateBatch(i, n)
				start := time.Now()
				if err := w.createTenantry(ctx, batch); err != nil {
					b.Fatalf("tenantry: %v", err)
				}
				mid := time.Now()
				if err := w.createBaseline(ctx, batch); err != nil {
					b.Fatalf("baseline: %v", err)
				}
				tt, bt = tt+mid.Sub(start), bt+time.Since(mid)
				if i == 0 {
					b.StopTimer()
					w.same(b)
					b.StartTimer()
				}
				i++
			}
			reportRatio(b, tt, bt, b.N)
			b.ReportMetric(float64(tt.Nanoseconds())/float64(b.N*n), "tenantry-ns/account")
		})
	}
}

// TestCreateFromTemplateBaselineAgrees: the baseline writes the same rows
// as Service.CreateFromTemplate, on both databases.
func TestCreateFromTemplateBaselineAgrees(t *testing.T) {
	for _, d := range writeDatabases {
		t.Run(d.name, func(t *testing.T) {
			w := newTemplateWorld(t, d.open(t))
			for i := range 2 {
				batch := templateBatch(i, 30)
				if err := w.createTenantry(writesHost, batch); err != nil {
					t.Fatalf("tenantry: %v", err)
				}
				if err := w.createBaseline(writesHost, batch); err != nil {
					t.Fatalf("baseline: %v", err)
				}
			}
			w.same(t)
		})
	}
}

// handTemplate is the baseline: what a host writes by hand to create
// accounts from a template, reading the template then writing each kind
// of row with multi-row INSERTs of handRows rows, in one transaction.
type handTemplate struct {
	db *sqlx.DB
	pg bool
}

// handRows is how many rows one baseline INSERT writes.
const handRows = 500

// handTemplateRow is the template's settings the baseline copies.
type handTemplateRow struct {
	Language        string `db:"language"`
	TimeZone        string `db:"time_zone"`
	LogoURL         string `db:"logo_url"`
	Plan            string `db:"plan"`
	OnboardingSteps string `db:"onboarding_steps"`
}

type handAlloc struct {
	Resource string `db:"resource"`
	Lim      int64  `db:"lim"`
}

// tm is a time as the stores keep it: microseconds on SQLite.
func (h *handTemplate) tm(t time.Time) any {
	if h.pg {
		return t
	}
	return t.UnixMicro()
}

// insert writes rows (each of the same number of values) into table's
// columns, handRows rows a statement.
func (h *handTemplate) insert(ctx context.Context, tx *sqlx.Tx, table, columns string, rows [][]any) error {
	for lo := 0; lo < len(rows); lo += handRows {
		chunk := rows[lo:min(lo+handRows, len(rows))]
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		for _, r := range chunk {
			args = append(args, r...)
		}
		q := "INSERT INTO " + table + " (" + columns + ") VALUES " + placeholders(h.db, len(chunk), len(chunk[0]))
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

var handUIDs = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func (h *handTemplate) create(ctx context.Context, platform, templateID string, batch []tenancy.NewFromTemplate) error {
	var t handTemplateRow
	err := h.db.GetContext(ctx, &t, h.db.Rebind(`SELECT language, time_zone, logo_url, plan, onboarding_steps
		FROM tenantry_accounts WHERE platform_id = ? AND id = ? AND template`), platform, templateID)
	if err != nil {
		return fmt.Errorf("read template: %w", err)
	}
	var tags []string
	if err := h.db.SelectContext(ctx, &tags, h.db.Rebind(`SELECT tag FROM tenantry_account_tags
		WHERE platform_id = ? AND account_id = ? ORDER BY tag`), platform, templateID); err != nil {
		return fmt.Errorf("read template tags: %w", err)
	}
	var allocs []handAlloc
	if err := h.db.SelectContext(ctx, &allocs, h.db.Rebind(`SELECT resource, lim FROM tenantry_quota_allocations
		WHERE platform_id = ? AND account_id = ? ORDER BY resource`), platform, templateID); err != nil {
		return fmt.Errorf("read template allocations: %w", err)
	}
	now := writesNow
	p, _ := audit.PrincipalFrom(ctx)
	var users, accounts, tagRows, members, allocRows, tokens, events [][]any
	for _, a := range batch {
		userID, accountID := audit.NewUUIDv7(), audit.NewUUIDv7()
		var uid [10]byte
		_, _ = rand.Read(uid[:])
		var secret [32]byte
		_, _ = rand.Read(secret[:])
		_ = base64.RawURLEncoding.EncodeToString(secret[:]) // handed to the client
		hash := sha256.Sum256(secret[:])
		email := strings.ToLower(a.Email)
		users = append(users, []any{platform, userID, email, a.Name, strings.ToLower(a.Name), "", "active", "", 1, h.tm(now), h.tm(now)})
		accounts = append(accounts, []any{platform, accountID, handUIDs.EncodeToString(uid[:]), a.Nickname, a.Name, strings.ToLower(a.Name),
			email, userID, t.Language, t.TimeZone, t.LogoURL, t.Plan, "active", t.OnboardingSteps, 1, h.tm(now), h.tm(now)})
		for _, tag := range tags {
			tagRows = append(tagRows, []any{platform, accountID, tag})
		}
		members = append(members, []any{platform, accountID, userID, true, "[]", h.tm(now)})
		for _, al := range allocs {
			allocRows = append(allocRows, []any{platform, accountID, al.Resource, al.Lim, 0, h.tm(now)})
		}
		tokens = append(tokens, []any{platform, hex.EncodeToString(hash[:]), userID, "set_password", h.tm(now), h.tm(now.Add(tenancy.DefaultSetPasswordTTL))})
		var steps []string
		_ = json.Unmarshal([]byte(t.OnboardingSteps), &steps)
		changes, err := json.Marshal([]audit.Change{
			{Field: "name", After: a.Name}, {Field: "email", After: email}, {Field: "nickname", After: a.Nickname},
			{Field: "uid", After: handUIDs.EncodeToString(uid[:])}, {Field: "primary_user_id", After: userID},
			{Field: "language", After: t.Language}, {Field: "time_zone", After: t.TimeZone}, {Field: "logo_url", After: t.LogoURL},
			{Field: "tags", After: strings.Join(tags, ", ")}, {Field: "plan", After: t.Plan}, {Field: "status", After: "active"},
			{Field: "onboarding.steps_done", After: strings.Join(steps, ", ")},
			{Field: "template_id", After: templateID},
		})
		if err != nil {
			return err
		}
		events = append(events, []any{platform, audit.NewUUIDv7(), h.tm(now), accountID, p.Actor(), "",
			"account.create_from_template", "account", accountID, "", string(changes)})
	}
	tx, err := h.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	inserts := []struct {
		table, columns string
		rows           [][]any
	}{
		{"tenantry_users", "platform_id, id, email, name, name_key, role, status, password_hash, version, created_at, updated_at", users},
		{"tenantry_accounts", "platform_id, id, uid, nickname, name, name_key, email, primary_user_id, language, time_zone, logo_url, plan, status, onboarding_steps, version, created_at, updated_at", accounts},
		{"tenantry_account_tags", "platform_id, account_id, tag", tagRows},
		{"tenantry_members", "platform_id, account_id, user_id, is_primary, permissions, created_at", members},
		{"tenantry_quota_allocations", "platform_id, account_id, resource, lim, used, updated_at", allocRows},
		{"tenantry_password_tokens", "platform_id, hash, user_id, purpose, created_at, expires_at", tokens},
		{"tenantry_audit_events", "platform_id, id, at, account_id, actor_id, on_behalf_of_id, action, target_type, target_id, reason, changes", events},
	}
	for _, in := range inserts {
		if len(in.rows) == 0 {
			continue
		}
		if err := h.insert(ctx, tx, in.table, in.columns, in.rows); err != nil {
			return err
		}
	}
	for _, al := range allocs {
		res, err := tx.ExecContext(ctx, h.db.Rebind(`UPDATE tenantry_quota_pools SET allocated = allocated + ?, updated_at = ?
			WHERE platform_id = ? AND resource = ? AND allocated + ? <= capacity`),
			al.Lim*int64(len(batch)), h.tm(now), platform, al.Resource, al.Lim*int64(len(batch)))
		if err != nil {
			return fmt.Errorf("draw from pool: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var pools int
			if err := tx.GetContext(ctx, &pools, h.db.Rebind(`SELECT count(*) FROM tenantry_quota_pools WHERE platform_id = ? AND resource = ?`), platform, al.Resource); err != nil {
				return err
			}
			if pools > 0 {
				return fmt.Errorf("pool of %s has no room", al.Resource)
			}
		}
	}
	return tx.Commit()
}
