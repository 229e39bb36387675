package sqlstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// CreateAccount adds r.Account and its tags with, in the same transaction,
// r.NewUser (inserted first), r.Members, r.Allocations (drawn from their
// pools), r.Token (which replaces the user's earlier tokens of its purpose,
// as InsertToken does) and r.Events. An existing account or user ID, a
// taken nickname, UID or user email, or a member given twice is
// tenancy.ErrConflict; a missing platform, or a member or token naming an
// account or user that does not exist, is tenancy.ErrNotFound; a pool
// without room tenancy.ErrQuotaExceeded. Nothing is written then.
func (s *Store) CreateAccount(ctx context.Context, r tenancy.NewAccount) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error { return s.createAccounts(ctx, tx, []tenancy.NewAccount{r}) })
	return fail("create account", err)
}

// CreateAccounts is CreateAccount for many accounts in one transaction,
// all or nothing. Each kind of row (users, accounts, tags, members,
// allocations, tokens) is written with multi-row INSERTs of at most
// sqlkit.MaxRows rows and sqlkit.MaxParams parameters, each pool is drawn
// from once for the whole batch, and the events, in the order of rs, go
// through the audit store's multi-row InsertTx.
func (s *Store) CreateAccounts(ctx context.Context, rs []tenancy.NewAccount) error {
	if len(rs) == 0 {
		return nil
	}
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error { return s.createAccounts(ctx, tx, rs) })
	return fail("create accounts", err)
}

// batch is what a CreateAccounts call writes, gathered by kind.
type batch struct {
	users    []tenancy.User
	accounts []tenancy.Account
	members  []tenancy.Member
	allocs   []tenancy.Allocation
	tokens   []tenancy.PasswordToken
}

func (s *Store) createAccounts(ctx context.Context, tx *sqlx.Tx, rs []tenancy.NewAccount) error {
	var b batch
	for _, r := range rs {
		if r.NewUser != nil {
			b.users = append(b.users, *r.NewUser)
		}
		b.accounts = append(b.accounts, r.Account)
		b.members = append(b.members, r.Members...)
		for _, a := range r.Allocations {
			if a.UpdatedAt.IsZero() {
				a.UpdatedAt = firstTime(r.Account.UpdatedAt, r.Account.CreatedAt)
			}
			b.allocs = append(b.allocs, a)
		}
		if r.Token != nil {
			b.tokens = append(b.tokens, *r.Token)
		}
	}
	steps := []func() error{
		func() error { return s.insertUsers(ctx, tx, b.users) },
		func() error { return s.insertAccounts(ctx, tx, b.accounts) },
		func() error { return s.insertMembers(ctx, tx, b.members...) },
		func() error { return s.insertAllocations(ctx, tx, b.allocs) },
		func() error { return s.insertTokens(ctx, tx, b.tokens) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	var events []audit.Event
	for _, r := range rs {
		events = append(events, r.Events...)
	}
	return s.base.WriteEvents(ctx, tx, events...)
}

// firstTime returns the first of ts that is not zero.
func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func (s *Store) insertUsers(ctx context.Context, tx *sqlx.Tx, us []tenancy.User) error {
	return sqlkit.InsertRows(ctx, tx, s.base.Builder(), usersTable, append(userColumns, "name_key"), len(us), func(i int) []any {
		u := us[i]
		return []any{u.PlatformID, u.ID, u.Email, u.Name, string(u.Role), string(u.Status),
			u.PasswordHash, u.Version, s.tm(u.CreatedAt), s.tm(u.UpdatedAt), foldKey(u.Name)}
	}, "")
}

func (s *Store) insertUser(ctx context.Context, tx *sqlx.Tx, u tenancy.User) error {
	return s.insertUsers(ctx, tx, []tenancy.User{u})
}

// accountInsertColumns are the columns an account INSERT writes.
var accountInsertColumns = append(slices.Clone(accountColumns), "name_key")

// insertAccounts adds accounts and then all their tags, batched.
func (s *Store) insertAccounts(ctx context.Context, tx *sqlx.Tx, as []tenancy.Account) error {
	err := sqlkit.InsertRows(ctx, tx, s.base.Builder(), accountsTable, accountInsertColumns, len(as), func(i int) []any {
		values := s.accountValues(as[i])
		values["platform_id"], values["id"], values["uid"] = as[i].PlatformID, as[i].ID, as[i].UID
		values["created_at"] = s.tm(as[i].CreatedAt)
		row := make([]any, len(accountInsertColumns))
		for j, c := range accountInsertColumns {
			row[j] = values[c]
		}
		return row
	}, "")
	if err != nil {
		return err
	}
	var tags []tagRow
	var platforms []string
	for _, a := range as {
		for _, t := range uniq(a.Tags) {
			tags = append(tags, tagRow{AccountID: a.ID, Tag: t})
			platforms = append(platforms, a.PlatformID)
		}
	}
	return sqlkit.InsertRows(ctx, tx, s.base.Builder(), tagsTable, []string{"platform_id", "account_id", "tag"}, len(tags),
		func(i int) []any { return []any{platforms[i], tags[i].AccountID, tags[i].Tag} }, "")
}

// insertMembers adds members, batched. On PostgreSQL its foreign key checks
// take KEY SHARE locks on the accounts and users, which DeleteAccount's FOR
// UPDATE locks wait for (and the other way round), so a deletion retiring a
// user who is joining another account runs wholly before or wholly after.
func (s *Store) insertMembers(ctx context.Context, tx *sqlx.Tx, members ...tenancy.Member) error {
	return sqlkit.InsertRows(ctx, tx, s.base.Builder(), membersTable, memberColumns, len(members), func(i int) []any {
		m := members[i]
		return []any{m.PlatformID, m.AccountID, m.UserID, m.Primary,
			sqlkit.JSON[[]string]{V: orEmpty(m.Permissions)}, s.tm(m.CreatedAt)}
	}, "")
}

// insertAllocations adds allocations, batched, then draws each resource's
// total from its pool once, resources in order (the order every
// transaction locks pools in).
func (s *Store) insertAllocations(ctx context.Context, tx *sqlx.Tx, as []tenancy.Allocation) error {
	err := sqlkit.InsertRows(ctx, tx, s.base.Builder(), allocsTable, allocColumns, len(as), func(i int) []any {
		a := as[i]
		return []any{a.PlatformID, a.AccountID, a.Resource, a.Limit, a.Used, s.tm(a.UpdatedAt)}
	}, "")
	if err != nil {
		return err
	}
	type key struct{ platformID, resource string }
	totals := map[key]int64{}
	latest := map[key]time.Time{}
	for _, a := range as {
		k := key{a.PlatformID, a.Resource}
		totals[k] += a.Limit
		if a.UpdatedAt.After(latest[k]) {
			latest[k] = a.UpdatedAt
		}
	}
	keys := slices.SortedFunc(maps.Keys(totals), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.platformID, b.platformID), cmp.Compare(a.resource, b.resource))
	})
	for _, k := range keys {
		if err := s.movePool(ctx, tx, k.platformID, k.resource, totals[k], latest[k]); err != nil {
			return err
		}
	}
	return nil
}
