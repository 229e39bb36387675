package main

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// The scale check's generator (-accounts N): accounts, each with its
// primary admin, tags and summary totals, written with multi-row INSERTs
// straight into tenancy's tables, the way tenancy/sqlstore's page
// benchmark fills its database (test data: no Service, no password hash,
// no audit events). Every value is a function of the account's index, and
// rows already there are skipped, so running it again with the same N adds
// nothing.

// genBase is when generated account 0 was created; the others follow every
// 5 minutes (100,000 accounts span about a year).
var genBase = time.Date(2025, time.January, 1, 8, 0, 0, 0, time.UTC)

// genChunk is how many accounts one transaction writes.
const genChunk = 10_000

var (
	genUserCols = []string{"platform_id", "id", "email", "name", "name_key", "role", "status",
		"password_hash", "version", "created_at", "updated_at"}
	genAccountCols = []string{"platform_id", "id", "uid", "nickname", "name", "name_key", "email",
		"primary_user_id", "address", "phone", "website", "language", "time_zone", "logo_url", "note",
		"plan", "status", "locked", "secure", "template", "test_expires_at", "links_allowed",
		"onboarding_complete", "onboarding_steps", "sites", "version", "created_at", "updated_at"}
	genTagCols    = []string{"platform_id", "account_id", "tag"}
	genMemberCols = []string{"platform_id", "account_id", "user_id", "is_primary", "permissions", "created_at"}
	genTotalCols  = []string{"platform_id", "account_id", "metric", "n"}

	genWords = strings.Fields(`Golden Silver Bright Quiet Rapid Little Grand Happy Royal Urban Rustic Modern
		Harbor Oak Pine Maple Cedar Willow River Lake Meadow Valley Summit Ridge Canyon Garden Orchard
		Island Coast Anchor Compass Beacon Bridge Falcon Eagle Heron Otter Fox Wolf Bear Comet Star`)
	genKinds = []string{"Bakery", "Café", "Studio", "Salon", "Clinic", "Garage", "Bistro", "Boutique",
		"Gallery", "Fitness", "Dental", "Consulting", "Realty", "Florist", "Books", "Market", "Spa"}
	genPlans = []string{"Starter", "Starter", "Pro", "Pro", "Agency", ""}
	genTags  = []string{"smb", "retail", "agency", "vip", "partner", "beta"}
)

// genStats is what a generation wrote.
type genStats struct {
	accounts int
	took     time.Duration
}

// generateAccounts adds n generated accounts to the platform (which must
// exist).
func generateAccounts(ctx context.Context, db *sqlx.DB, platformID string, n int, now time.Time) (genStats, error) {
	start := time.Now()
	d, err := sqlkit.DialectOf(db)
	if err != nil {
		return genStats{}, err
	}
	g := generator{d: d, platformID: platformID, now: now}
	for lo := 0; lo < n; lo += genChunk {
		if err := g.chunk(ctx, db, lo, min(lo+genChunk, n)); err != nil {
			return genStats{}, err
		}
	}
	return genStats{accounts: n, took: time.Since(start)}, nil
}

type generator struct {
	d          sqlkit.Dialect
	platformID string
	now        time.Time
}

// chunk writes accounts lo to hi-1 in one transaction.
func (g generator) chunk(ctx context.Context, db *sqlx.DB, lo, hi int) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	var users, accounts, tags, members, totals [][]any
	for i := lo; i < hi; i++ {
		u, a, m := g.account(i)
		users, accounts, members = append(users, u), append(accounts, a), append(members, m)
		id := a[1]
		for k, t := range genTags {
			if (i+k)%(k+3) == 0 {
				tags = append(tags, []any{g.platformID, id, t})
			}
		}
		totals = append(totals, []any{g.platformID, id, "subscribers", int64(i % 20011)},
			[]any{g.platformID, id, "messages", int64(i * 7 % 500009)})
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"tenantry_users", genUserCols, users}, {"tenantry_accounts", genAccountCols, accounts},
		{"tenantry_account_tags", genTagCols, tags}, {"tenantry_members", genMemberCols, members},
		{"tenantry_activity_totals", genTotalCols, totals},
	} {
		err := sqlkit.InsertRows(ctx, tx, g.d.Builder(), t.table, t.cols, len(t.rows),
			func(i int) []any { return t.rows[i] }, "ON CONFLICT DO NOTHING")
		if err != nil {
			return fmt.Errorf("insert into %s: %w", t.table, err)
		}
	}
	return tx.Commit()
}

// account is generated account i: its primary admin's user row, its
// account row and its member row.
func (g generator) account(i int) (user, account, member []any) {
	created := genBase.Add(time.Duration(i) * 5 * time.Minute)
	if created.After(g.now) {
		created = g.now
	}
	id, userID := genID(created, 1<<40+uint64(i)), genID(created, 2<<40+uint64(i))
	name := fmt.Sprintf("%s %s %s %d", genWords[i%len(genWords)], genWords[(i/len(genWords))%len(genWords)], genKinds[i%len(genKinds)], i)
	email := fmt.Sprintf("owner%d@gen.example", i)
	at := g.d.Time(created)
	user = []any{g.platformID, userID, email, name, strings.ToLower(name), "", string(tenancy.UserActive), "",
		int64(1), at, at}
	status := tenancy.AccountActive
	if i%20 == 7 {
		status = tenancy.AccountDisabled
	}
	var testEnds any = g.d.Time(time.Time{})
	if i%10 == 3 {
		testEnds = g.d.Time(created.Add(14 * day))
	}
	account = []any{g.platformID, id, genUID(i), fmt.Sprintf("gen-%d", i), name, strings.ToLower(name), email, userID,
		"", "", "", "en", "UTC", "", "", genPlans[i%len(genPlans)], string(status), i%50 == 11, i%33 == 5, false,
		testEnds, i%2 == 0, i%8 != 1, `[]`, `[]`, int64(1), at, at}
	member = []any{g.platformID, id, userID, true, `[]`, at}
	return user, account, member
}

// genID is a UUIDv7 for instant at, made unique by seq instead of random
// bits.
func genID(at time.Time, seq uint64) string {
	var u uuid.UUID
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()))
	copy(u[:6], ms[2:])
	u[6] = 0x70
	binary.BigEndian.PutUint64(u[8:], seq)
	u[8] = 0x80 | u[8]&0x3f
	return u.String()
}

// genUID is account i's UID: 16 lowercase base32 characters, as tenancy
// makes them.
func genUID(i int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "ownerportal-gen-%d", i))
	return strings.ToLower(base32.StdEncoding.EncodeToString(sum[:10]))
}
