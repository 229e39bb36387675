package bench

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// The accounts-page data generator: one platform, its staff, and accounts
// each with its primary admin and team members, written with multi-row
// INSERTs straight into a migrated database (test data: no Service, no
// argon2, no audit events). Every value is a function of the account's
// index, so a data set of a given spec is the same on every run and dialect.

// pageGenSpec is the size of a generated data set.
type pageGenSpec struct {
	Accounts int
	// Members per account, the primary admin included (one user each).
	Members int
}

// The platform every generated record belongs to, and the instant the first
// account was created (accounts follow every 5 minutes or so).
const pagePlatformID = "01942a8c-0000-7000-8000-000000000001"

var pageGenBase = time.Date(2025, time.January, 1, 8, 0, 0, 0, time.UTC)

// Word lists. Business names are "Adjective Noun Kind", "Noun & Noun" or
// "Last Kind", so that a noun is found in about 0.4% of the names: a
// search for one matches a few hundred of 100,000 accounts.
var (
	pageAdjectives = strings.Fields(`Golden Silver Bright Quiet Rapid Little Grand Happy Royal Urban
		Rustic Modern Classic Noble Sunny Misty Crimson Emerald Azure Amber Velvet Wild Gentle Bold
		Clever Lucky Northern Southern Eastern Western Hidden Ancient Fresh Sweet Swift Cosmic Humble
		Prime Vivid Blue`)
	pageNouns = strings.Fields(`Harbor Oak Pine Maple Cedar Willow Birch Aspen River Lake Meadow
		Valley Summit Ridge Canyon Prairie Forest Garden Orchard Island Coast Bay Cove Dune Glacier
		Spring Brook Creek Falls Harvest Lantern Anchor Compass Beacon Bridge Castle Tower Mill Forge
		Anvil Arrow Falcon Eagle Hawk Raven Sparrow Robin Heron Swan Otter Beaver Fox Wolf Bear Lynx
		Badger Stag Hare Bison Moose Pelican Dolphin Whale Coral Pearl Shell Tide Wave Comet Star
		Moon Nova Orbit Galaxy Nebula Atlas Titan Phoenix Dragon Griffin Unicorn Pegasus Sphinx
		Mosaic Prism Crystal Marble Granite Slate Copper Bronze Iron Steel Cobalt Indigo Saffron
		Ginger Pepper Basil Thyme Sage Mint Clover Daisy Lily Rose Tulip Orchid Lotus Poppy Iris
		Violet Ivy Fern Moss Bamboo Lemon Olive Cherry Plum Peach Apple Berry Fig Mango Coconut
		Honey Cocoa Caramel Biscuit Muffin Pretzel Waffle Pickle Noodle Dumpling Kettle Teapot Ladle
		Spoon Barrel Basket Bucket Candle Feather Ribbon Button Thimble Needle Thread Quill Scroll
		Ledger Atrium Plaza Terrace Veranda Cottage Chalet Lodge Cabin Manor Abbey Chapel Harp
		Violin Cello Banjo Drum Flute Trumpet Piano Rhythm Melody Echo Whisper Thunder Storm Breeze
		Cloud Rain Frost Ember Flame Spark Blaze Cinder Horizon Zenith Voyage Journey Pioneer Ranger
		Nomad Pilgrim Sailor Captain Meridian Equinox Solstice Tundra Savanna Oasis Lagoon Fjord
		Delta Estuary Marsh Grove Thicket Hollow`)
	pageKinds = []string{"Bakery", "Café", "Studio", "Salon", "Clinic", "Garage", "Bistro",
		"Boutique", "Gallery", "Fitness", "Dental", "Law Firm", "Consulting", "Realty", "Florist",
		"Pharmacy", "Books", "Brewery", "Kitchen", "Tailors", "Motors", "Yoga", "Academy", "Pet Care",
		"Travel", "Hardware", "Crêperie", "Bäckerei", "Market", "Spa"}
	pageFirstNames = strings.Fields(`Ana Ben Chloe David Elena Felix Grace Hugo Ines Jonas Karin
		Liam Maya Noah Olga Paul Quinn Rosa Sam Tara Uma Victor Wendy Xavier Yara Zoe Amir Bruno
		Carmen Dmitri Emma Farah Gustav Hana Ivan Julia Kofi Lena Mateo Nina`)
	pageLastNames = strings.Fields(`Smith Jones Müller Garcia Rossi Dubois Silva Novak Kowalski
		Jensen Tanaka Kim Nguyen Patel Cohen Larsen Moreau Fischer Weber Schneider Costa Santos
		Ferreira Lopez Martin Bernard Petit Richter Wolff Berg Lindqvist Horvat Popescu Ionescu
		Papadopoulos Yilmaz Demir Okafor Mensah Abebe Haddad Nasser Sato Suzuki Chen Wang Li Zhang
		Ortiz Romero`)
	pageDomains = []string{"example.com", "example.org", "example.net", "mail.test", "biz.test"}
	pagePerms   = []string{tenancy.PermAnalytics, tenancy.PermBilling, tenancy.PermBots,
		tenancy.PermLeads, tenancy.PermLiveChat, tenancy.PermSettings, tenancy.PermTeam} // sorted
	pageLanguages = []string{"en", "en", "en", "en", "de", "fr", "es", "pt-BR", "nl", "it"}
	pageZones     = []string{"America/New_York", "America/Chicago", "America/Los_Angeles",
		"Europe/London", "Europe/Berlin", "Europe/Paris", "Asia/Tokyo", "Australia/Sydney"}
	pageSteps = []string{"profile", "branding", "widget", "team", "billing"}
)

// pageTags are the tag vocabulary, each with the share of accounts carrying
// it.
var pageTags = []struct {
	tag   string
	share float64
}{
	{"agency", .10}, {"beta", .08}, {"churn-risk", .07}, {"enterprise", .05}, {"legacy", .06},
	{"nonprofit", .04}, {"partner", .06}, {"priority", .05}, {"reseller", .03}, {"retail", .25},
	{"smb", .30}, {"vip", .04},
}

// pagePlans are the plan labels, with their shares ("" has no plan yet).
var pagePlans = []struct {
	plan  string
	share float64
}{{"free", .35}, {"starter", .30}, {"pro", .20}, {"business", .10}, {"", .05}}

// pagePasswordHash stands for every user's argon2id hash (its size matters,
// not its secret).
const pagePasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$" +
	"aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

// Staff of the generated platform: operators care for some accounts.
const (
	pageOperators       = 20
	pageSecureOperators = 2
	pageAdmins          = 2
)

// Column lists of the generated rows, in the schema's column names.
var (
	pageUserCols = []string{"platform_id", "id", "email", "name", "name_key", "role", "status",
		"password_hash", "version", "created_at", "updated_at"}
	pageAccountCols = []string{"platform_id", "id", "uid", "nickname", "name", "name_key", "email",
		"primary_user_id", "address", "phone", "website", "language", "time_zone", "logo_url", "note",
		"plan", "status", "locked", "secure", "template", "test_expires_at", "links_allowed",
		"onboarding_complete", "onboarding_steps", "sites", "version", "created_at", "updated_at"}
	pageTagCols    = []string{"platform_id", "account_id", "tag"}
	pageMemberCols = []string{"platform_id", "account_id", "user_id", "is_primary", "permissions", "created_at"}
	pageTotalCols  = []string{"platform_id", "account_id", "metric", "n"}
	pageAssignCols = []string{"platform_id", "operator_id", "account_id", "created_at"}
)

// pageGenStats counts what a generation wrote.
type pageGenStats struct {
	Accounts, Users, Members, Tags, Totals, Assignments int
	Took                                                time.Duration
}

func (s pageGenStats) String() string {
	return fmt.Sprintf("%d accounts, %d users, %d members, %d tags, %d activity totals, %d operator assignments in %v",
		s.Accounts, s.Users, s.Members, s.Tags, s.Totals, s.Assignments, s.Took.Round(time.Millisecond))
}

// pageGenerate fills db, migrated and empty, with the platform, its staff
// and spec's accounts, in one transaction per pageGenChunk accounts.
func pageGenerate(ctx context.Context, db *sqlx.DB, spec pageGenSpec) (pageGenStats, error) {
	start := time.Now()
	d, err := sqlkit.DialectOf(db)
	if err != nil {
		return pageGenStats{}, err
	}
	g := &pageGen{spec: spec, d: d}
	var stats pageGenStats
	for lo := 0; lo < spec.Accounts || lo == 0; lo += pageGenChunk {
		var rows pageRows
		if lo == 0 {
			g.platform(&rows)
		}
		for i := lo; i < min(lo+pageGenChunk, spec.Accounts); i++ {
			g.account(&rows, i)
		}
		if err := rows.write(ctx, db, d); err != nil {
			return stats, err
		}
		stats.add(rows)
	}
	stats.Took = time.Since(start)
	return stats, nil
}

// pageGenChunk is how many accounts one transaction writes.
const pageGenChunk = 10_000

func (s *pageGenStats) add(r pageRows) {
	s.Accounts += len(r.accounts)
	s.Users += len(r.users)
	s.Members += len(r.members)
	s.Tags += len(r.tags)
	s.Totals += len(r.totals)
	s.Assignments += len(r.assigns)
}

// pageRows are the rows of one transaction, by table, in insertion order.
type pageRows struct {
	platform                                        []any
	users, accounts, tags, members, totals, assigns [][]any
}

func (r pageRows) write(ctx context.Context, db *sqlx.DB, d sqlkit.Dialect) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	if r.platform != nil {
		q := d.Rebind(`INSERT INTO tenantry_platforms (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`)
		if _, err := tx.ExecContext(ctx, q, r.platform...); err != nil {
			return fmt.Errorf("insert platform: %w", err)
		}
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"tenantry_users", pageUserCols, r.users},
		{"tenantry_accounts", pageAccountCols, r.accounts},
		{"tenantry_account_tags", pageTagCols, r.tags},
		{"tenantry_members", pageMemberCols, r.members},
		{"tenantry_activity_totals", pageTotalCols, r.totals},
		{"tenantry_operator_assignments", pageAssignCols, r.assigns},
	} {
		if err := pageInsert(ctx, tx, d, t.table, t.cols, t.rows); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Bounds of one generated INSERT: SQLite takes at most 32766 parameters,
// PostgreSQL 65535.
const (
	pageMaxParams = 30_000
	pageMaxRows   = 2_000
)

// pageInsert writes rows into table with as few multi-row INSERTs as the
// bounds allow.
func pageInsert(ctx context.Context, tx *sqlx.Tx, d sqlkit.Dialect, table string, cols []string, rows [][]any) error {
	per := min(pageMaxRows, pageMaxParams/len(cols))
	args := make([]any, 0, per*len(cols))
	for lo := 0; lo < len(rows); lo += per {
		chunk := rows[lo:min(lo+per, len(rows))]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, pageInsertSQL(d, table, cols, len(chunk)), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// pageInsertSQL is the INSERT of n rows of cols into table.
func pageInsertSQL(d sqlkit.Dialect, table string, cols []string, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return d.Rebind(b.String())
}

// pageGen makes the rows; every value depends only on the spec and the
// account's index.
type pageGen struct {
	spec pageGenSpec
	d    sqlkit.Dialect
}

// pageID is a UUIDv7 for instant at, made unique by seq instead of random
// bits.
func pageID(at time.Time, seq uint64) string {
	var u uuid.UUID
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()))
	copy(u[:6], ms[2:])
	u[6] = 0x70
	binary.BigEndian.PutUint64(u[8:], seq)
	u[8] = 0x80 | u[8]&0x3f
	return u.String()
}

// ID sequences of the kinds of generated record.
const (
	seqAccount = 1 << 40
	seqUser    = 2 << 40
	seqStaff   = 3 << 40
)

func pageOperatorID(n int) string {
	return pageID(pageGenBase.Add(-24*time.Hour), seqStaff+uint64(n))
}

// pageAccountID is the ID of account i.
func pageAccountID(i int) string { return pageID(pageAccountCreated(i), seqAccount+uint64(i)) }

// pageAccountCreated is when account i was created: every 5 minutes, give
// or take (100,000 accounts span a year).
func pageAccountCreated(i int) time.Time {
	return pageGenBase.Add(time.Duration(i)*5*time.Minute + time.Duration(i*7919%240)*time.Second + 123456*time.Microsecond)
}

// platform adds the platform and its staff: an owner, admins, operators
// (the last ones secure).
func (g *pageGen) platform(r *pageRows) {
	at := g.tm(pageGenBase.Add(-48 * time.Hour))
	r.platform = []any{pagePlatformID, "Bench Platform", at, at}
	staff := pageAdmins + pageOperators + 1
	for n := range staff {
		role := tenancy.RoleOperator
		switch {
		case n == 0:
			role = tenancy.RoleOwner
		case n <= pageAdmins:
			role = tenancy.RoleAdmin
		case n > staff-1-pageSecureOperators:
			role = tenancy.RoleSecureOperator
		}
		name := fmt.Sprintf("Staff %s %d", role, n)
		email := fmt.Sprintf("staff%02d@platform.test", n)
		r.users = append(r.users, []any{pagePlatformID, pageOperatorID(n), email, name, strings.ToLower(name),
			string(role), string(tenancy.UserActive), pagePasswordHash, int64(1), at, at})
	}
}

// pick returns a value of list with probability rng.
func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

func chance(rng *rand.Rand, p float64) bool { return rng.Float64() < p }

// pageName is a business name from the word lists.
func pageName(rng *rand.Rand) string {
	switch x := rng.Float64(); {
	case x < .6:
		return pick(rng, pageAdjectives) + " " + pick(rng, pageNouns) + " " + pick(rng, pageKinds)
	case x < .85:
		return pick(rng, pageNouns) + " & " + pick(rng, pageNouns)
	default:
		return pick(rng, pageLastNames) + " " + pick(rng, pageKinds)
	}
}

// pageSlug is name as a nickname: a-z and 0-9 runs joined by hyphens.
func pageSlug(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// pageUID is 16 lowercase base32 characters, as the Service's default.
func pageUID(rng *rand.Rand) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 16)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// pageAccountState is an account's mix of states.
type pageAccountState struct {
	status                                     tenancy.AccountStatus
	locked, secure, template, setupDone, links bool
	testExpires                                time.Time
}

func pageState(rng *rand.Rand, i int, created time.Time) pageAccountState {
	s := pageAccountState{status: tenancy.AccountActive, setupDone: !chance(rng, .12),
		locked: chance(rng, .02), secure: chance(rng, .03), template: i%500 == 499, links: chance(rng, .5)}
	if chance(rng, .05) {
		s.status = tenancy.AccountDisabled
	}
	if chance(rng, .10) {
		s.testExpires = created.Add(14 * 24 * time.Hour)
	}
	return s
}

// account adds account i, its users, members, tags, totals and operator
// assignments.
func (g *pageGen) account(r *pageRows, i int) {
	rng := rand.New(rand.NewPCG(0x7e4a47, uint64(i)))
	created := pageAccountCreated(i)
	id := pageAccountID(i)
	users := g.users(r, rng, i, id, created)
	name := pageName(rng)
	st := pageState(rng, i, created)
	var nickname any
	if chance(rng, .4) {
		nickname = pageSlug(name) + "-" + strconv.FormatInt(int64(i), 36)
	}
	steps := pageSteps[:rng.IntN(len(pageSteps)+1)]
	if st.setupDone {
		steps = pageSteps
	}
	updated := created.Add(time.Duration(rng.IntN(90*24)) * time.Hour)
	r.accounts = append(r.accounts, []any{pagePlatformID, id, pageUID(rng), nickname, name, strings.ToLower(name),
		users[0].email, users[0].id, fmt.Sprintf("%d Main Street, Springfield", 1+rng.IntN(999)),
		fmt.Sprintf("+1 555 01%02d %04d", rng.IntN(100), rng.IntN(10000)), "https://" + pageSlug(name) + ".example",
		pick(rng, pageLanguages), pick(rng, pageZones), pageLogo(rng, id), pageNote(rng), pagePlan(rng),
		string(st.status), st.locked, st.secure, st.template, g.tm(st.testExpires), st.links, st.setupDone,
		pageJSON(steps), pageJSON(pageSites(rng, name)), int64(1 + rng.IntN(6)), g.tm(created), g.tm(updated)})
	for _, t := range pageTags {
		if chance(rng, t.share) {
			r.tags = append(r.tags, []any{pagePlatformID, id, t.tag})
		}
	}
	g.totals(r, rng, id)
	g.assign(r, rng, id, created)
}

type pageUser struct{ id, email string }

// users adds account i's users and their members, the primary admin first.
func (g *pageGen) users(r *pageRows, rng *rand.Rand, i int, accountID string, created time.Time) []pageUser {
	out := make([]pageUser, g.spec.Members)
	for j := range out {
		at := created.Add(time.Duration(j) * time.Minute)
		first, last := pick(rng, pageFirstNames), pick(rng, pageLastNames)
		u := pageUser{id: pageID(at, seqUser+uint64(i*g.spec.Members+j)),
			email: fmt.Sprintf("%s.%s.%d@%s", strings.ToLower(first), strings.ToLower(last), i*g.spec.Members+j,
				pick(rng, pageDomains))}
		out[j] = u
		name := first + " " + last
		status, hash := tenancy.UserActive, ""
		if chance(rng, .01) {
			status = tenancy.UserDisabled
		}
		if chance(rng, .7) {
			hash = pagePasswordHash
		}
		r.users = append(r.users, []any{pagePlatformID, u.id, u.email, name, strings.ToLower(name), "",
			string(status), hash, int64(1 + rng.IntN(3)), g.tm(at), g.tm(at)})
		perms := "[]"
		if j > 0 {
			perms = pageJSON(pagePermissions(rng))
		}
		r.members = append(r.members, []any{pagePlatformID, accountID, u.id, j == 0, perms, g.tm(at)})
	}
	return out
}

// totals adds the account's running totals of "subscribers" and
// "messages" (some accounts have one, or none).
func (g *pageGen) totals(r *pageRows, rng *rand.Rand, accountID string) {
	if chance(rng, .8) {
		r.totals = append(r.totals, []any{pagePlatformID, accountID, "subscribers", int64(rng.IntN(20_000))})
	}
	if chance(rng, .7) {
		r.totals = append(r.totals, []any{pagePlatformID, accountID, "messages", int64(rng.IntN(500_000))})
	}
}

// assign puts about 30% of the accounts in an operator's care, a few in
// two operators'.
func (g *pageGen) assign(r *pageRows, rng *rand.Rand, accountID string, created time.Time) {
	if !chance(rng, .3) {
		return
	}
	first := 1 + pageAdmins + rng.IntN(pageOperators)
	ops := []int{first}
	if chance(rng, .15) {
		ops = append(ops, 1+pageAdmins+(first-pageAdmins)%pageOperators)
	}
	for _, op := range ops {
		r.assigns = append(r.assigns, []any{pagePlatformID, pageOperatorID(op), accountID, g.tm(created.Add(time.Hour))})
	}
}

func pagePermissions(rng *rand.Rand) []string {
	var out []string
	for _, p := range pagePerms {
		if chance(rng, .4) {
			out = append(out, p)
		}
	}
	return out
}

func pagePlan(rng *rand.Rand) string {
	x := rng.Float64()
	for _, p := range pagePlans {
		if x < p.share {
			return p.plan
		}
		x -= p.share
	}
	return ""
}

func pageLogo(rng *rand.Rand, id string) string {
	if chance(rng, .4) {
		return "https://cdn.example.com/logos/" + id + ".png"
	}
	return ""
}

func pageNote(rng *rand.Rand) string {
	if chance(rng, .1) {
		return "Called about the " + strings.ToLower(pick(rng, pageNouns)) + " campaign; follow up next month."
	}
	return ""
}

func pageSites(rng *rand.Rand, name string) []string {
	out := make([]string, rng.IntN(3))
	for i := range out {
		out[i] = fmt.Sprintf("https://www.%s.example/%d", pageSlug(name), i)
	}
	return out
}

// pageJSON encodes a list as the stores do ("[]" for none).
func pageJSON(list []string) string {
	if list == nil {
		list = []string{}
	}
	b, _ := json.Marshal(list) // a []string always encodes
	return string(b)
}

// tm is t as the dialect stores it (NULL for the zero time).
func (g *pageGen) tm(t time.Time) any { return g.d.Time(t) }
