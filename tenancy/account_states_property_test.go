package tenancy_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"pgregory.net/rapid"

	"github.com/tenantry/tenantry/audit"
	auditmem "github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/internal/proptest"
	"github.com/tenantry/tenantry/internal/testclock"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/memstore"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// The account state machine as a property: random state changes and clock
// moves on a few accounts, each checked after every step against a model
// of what the package documentation promises.
//
// The model's rules:
//   - an account is active or disabled, and independently locked, and a
//     test account until its expiry (the instant itself included);
//   - disable/enable and lock/unlock always succeed on an existing account;
//   - extend needs an instant after now (ErrInvalid, checked first), an
//     account (ErrNotFound) that is a test account (ErrConflict), and
//     reopens an expired trial;
//   - convert needs a test account (ErrConflict, expired ones included) and
//     a free bot slot in the pool (ErrQuotaExceeded), takes one from it and
//     keeps the account's state;
//   - delete removes the account for good (ErrNotFound after) and gives its
//     slots back to the pool;
//   - a login into the account is refused with ErrAccountDeleted,
//     ErrAccountLocked, ErrAccountDisabled or ErrTestExpired, in that
//     order, and Usable and the test-account listings agree.

func TestAccountStatesProperty(t *testing.T) {
	t.Run("memstore", func(t *testing.T) {
		rapid.Check(t, func(rt *rapid.T) {
			events := auditmem.New()
			accountStates(rt, memstore.New(events), 25)
		})
	})
	proptest.EachSQL(t, func(t *testing.T, db *sqlx.DB) {
		store := sqlStore(t, db)
		proptest.Check(t, proptest.SQLRuns(), func(rt *rapid.T) { accountStates(rt, store, 10) })
	})
}

func sqlStore(t *testing.T, db *sqlx.DB) tenancy.Store {
	t.Helper()
	if err := sqlstore.Migrate(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type accModel struct {
	id, email string
	deleted   bool
	disabled  bool
	locked    bool
	testUntil time.Time
	slots     int64
}

// loginRefusal is what the model says a login into a is refused with.
func (a *accModel) loginRefusal(now time.Time) error {
	switch {
	case a.deleted:
		return tenancy.ErrAccountDeleted
	case a.locked:
		return tenancy.ErrAccountLocked
	case a.disabled:
		return tenancy.ErrAccountDisabled
	case !a.testUntil.IsZero() && !now.Before(a.testUntil):
		return tenancy.ErrTestExpired
	}
	return nil
}

const propPassword = "property password 1"

func accountStates(rt *rapid.T, store tenancy.Store, maxSteps int) {
	ctx := audit.WithPrincipal(context.Background(), audit.System("property"))
	clock := testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	svc := tenancy.New(store, &tenancy.Config{Now: clock.Now, Argon2: tenancy.Argon2Params{MemoryKiB: 8, Iterations: 1, Parallelism: 1}})
	plat, err := svc.CreatePlatform(ctx, tenancy.CreatePlatformParams{Name: "Property"})
	if err != nil {
		rt.Fatalf("create platform: %v", err)
	}
	pid := plat.ID
	pool := rapid.Int64Range(0, 2).Draw(rt, "bot slot pool")
	if _, err := svc.SetPool(ctx, pid, tenancy.ResourceBotSlots, pool); err != nil {
		rt.Fatalf("set pool: %v", err)
	}
	var accs []*accModel
	used := func() int64 {
		var n int64
		for _, a := range accs {
			if !a.deleted {
				n += a.slots
			}
		}
		return n
	}
	pick := func() *accModel { return rapid.SampledFrom(accs).Draw(rt, "account") }
	create := func() {
		n := len(accs)
		p := tenancy.CreateAccountParams{PlatformID: pid, Name: fmt.Sprintf("Account %d", n),
			Email: fmt.Sprintf("client%d@example.com", n), Password: propPassword}
		if rapid.Bool().Draw(rt, "test account") {
			p.TestUntil = clock.Now().Add(time.Duration(rapid.IntRange(1, 72).Draw(rt, "trial hours")) * time.Hour)
		}
		c, err := svc.CreateAccount(ctx, p)
		proptest.Expect(rt, "create account", err, nil)
		accs = append(accs, &accModel{id: c.Account.ID, email: p.Email, testUntil: p.TestUntil})
	}
	create()

	type flagOp struct {
		name string
		call func(context.Context, string, string) (tenancy.Account, error)
		set  func(*accModel)
	}
	flagOps := []flagOp{
		{"disable", svc.DisableAccount, func(a *accModel) { a.disabled = true }},
		{"enable", svc.EnableAccount, func(a *accModel) { a.disabled = false }},
		{"lock", svc.LockAccount, func(a *accModel) { a.locked = true }},
		{"unlock", svc.UnlockAccount, func(a *accModel) { a.locked = false }},
	}
	steps := proptest.Steps(rt, maxSteps)
	for i := range steps {
		op := rapid.SampledFrom([]string{"create", "flag", "extend", "convert", "delete", "clock", "clock to expiry"}).Draw(rt, "op")
		what := fmt.Sprintf("step %d: %s", i, op)
		switch op {
		case "create":
			if len(accs) < 4 {
				create()
			}
		case "flag":
			f := rapid.SampledFrom(flagOps).Draw(rt, "flag")
			a := pick()
			_, err := f.call(ctx, pid, a.id)
			if a.deleted {
				proptest.Expect(rt, what+" "+f.name, err, tenancy.ErrNotFound)
				break
			}
			proptest.Expect(rt, what+" "+f.name, err, nil)
			f.set(a)
		case "extend":
			a := pick()
			until := clock.Now().Add(time.Duration(rapid.IntRange(-2, 72).Draw(rt, "extend hours")) * time.Hour)
			_, err := svc.ExtendTest(ctx, pid, a.id, until)
			switch {
			case !until.After(clock.Now()):
				proptest.Expect(rt, what, err, tenancy.ErrInvalid)
			case a.deleted:
				proptest.Expect(rt, what, err, tenancy.ErrNotFound)
			case a.testUntil.IsZero():
				proptest.Expect(rt, what, err, tenancy.ErrConflict)
			default:
				proptest.Expect(rt, what, err, nil)
				a.testUntil = until
			}
		case "convert":
			a := pick()
			_, err := svc.ConvertTest(ctx, pid, a.id)
			switch {
			case a.deleted:
				proptest.Expect(rt, what, err, tenancy.ErrNotFound)
			case a.testUntil.IsZero():
				proptest.Expect(rt, what, err, tenancy.ErrConflict)
			case used()+1 > pool:
				proptest.Expect(rt, what, err, tenancy.ErrQuotaExceeded)
			default:
				proptest.Expect(rt, what, err, nil)
				a.testUntil, a.slots = time.Time{}, a.slots+1
			}
		case "delete":
			a := pick()
			_, err := svc.DeleteAccount(ctx, pid, a.id)
			if a.deleted {
				proptest.Expect(rt, what, err, tenancy.ErrNotFound)
				break
			}
			proptest.Expect(rt, what, err, nil)
			a.deleted = true
		case "clock":
			clock.Advance(rapid.SampledFrom([]time.Duration{time.Minute, time.Hour, 12 * time.Hour, 49 * time.Hour}).Draw(rt, "advance"))
		case "clock to expiry":
			// Land exactly on a trial's end: the instant itself has expired.
			a := pick()
			if a.testUntil.After(clock.Now()) {
				clock.Advance(a.testUntil.Sub(clock.Now()))
			}
		}
		checkAccounts(rt, svc, pid, accs, used(), pool, clock.Now(), what)
	}
}

// checkAccounts compares every account, its login, the trial listings and
// the pool with the model.
func checkAccounts(rt *rapid.T, svc *tenancy.Service, pid string, accs []*accModel, used, pool int64, now time.Time, after string) {
	ctx := context.Background()
	var wantExpired, wantRunning, wantDisabled []string
	for _, a := range accs {
		got, err := svc.Account(ctx, pid, a.id)
		if a.deleted {
			proptest.Expect(rt, after+": get deleted account", err, tenancy.ErrNotFound)
		} else {
			proptest.Expect(rt, after+": get account", err, nil)
			want := tenancy.AccountActive
			if a.disabled {
				want = tenancy.AccountDisabled
			}
			if got.Status != want || got.Locked != a.locked || !got.TestExpiresAt.Equal(a.testUntil) {
				rt.Fatalf("%s: account is %s locked=%v test until %v; the model says %s locked=%v test until %v",
					after, got.Status, got.Locked, got.TestExpiresAt, want, a.locked, a.testUntil)
			}
			wantUsable := a.loginRefusal(now)
			proptest.Expect(rt, after+": Usable", got.Usable(now), wantUsable)
			if !a.testUntil.IsZero() {
				if !now.Before(a.testUntil) {
					wantExpired = append(wantExpired, a.id)
				} else {
					wantRunning = append(wantRunning, a.id)
				}
			}
			if a.disabled {
				wantDisabled = append(wantDisabled, a.id)
			}
		}
		_, err = svc.Authenticate(ctx, tenancy.AuthenticateParams{PlatformID: pid, Email: a.email, Password: propPassword})
		proptest.Expect(rt, after+": login of "+a.email, err, a.loginRefusal(now))
	}
	list := func(p tenancy.ListAccountsParams) []string {
		p.PlatformID, p.IncludeLocked, p.Limit = pid, true, 500
		page, err := svc.ListAccounts(ctx, p)
		proptest.Expect(rt, after+": list accounts", err, nil)
		var ids []string
		for _, a := range page.Accounts {
			ids = append(ids, a.ID)
		}
		slices.Sort(ids)
		return ids
	}
	for _, c := range []struct {
		name string
		p    tenancy.ListAccountsParams
		want []string
	}{
		{"expired trials", tenancy.ListAccountsParams{Test: tenancy.TestExpired}, wantExpired},
		{"running trials", tenancy.ListAccountsParams{Test: tenancy.TestRunning}, wantRunning},
		{"disabled", tenancy.ListAccountsParams{Status: tenancy.AccountDisabled}, wantDisabled},
	} {
		slices.Sort(c.want)
		if got := list(c.p); !slices.Equal(got, c.want) {
			rt.Fatalf("%s: listing %s gives %v, the model %v", after, c.name, got, c.want)
		}
	}
	pools, err := svc.Pools(ctx, pid)
	proptest.Expect(rt, after+": pools", err, nil)
	for _, p := range pools {
		if p.Resource == tenancy.ResourceBotSlots && (p.Allocated != used || p.Capacity != pool) {
			rt.Fatalf("%s: bot slot pool %d/%d, the model %d/%d", after, p.Allocated, p.Capacity, used, pool)
		}
	}
}
