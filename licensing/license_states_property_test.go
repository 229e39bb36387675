package licensing_test

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
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/memstore"
	"github.com/tenantry/tenantry/licensing/sqlstore"
)

// The license state machine as a property: random operations and clock
// moves on a few licenses and accounts, each checked after every step
// against a model written from the package documentation:
//
//	active ──payment failed──▶ (grace period) ──▶ inactive ──paid──▶ active
//	active ──end reached──▶ expired ──renewed──▶ active
//	any ──revoked──▶ revoked (final)
//
// The model's rules:
//   - what holds now: an active or inactive license at or past its end is
//     expired; an active one at or past its grace deadline after a missed
//     payment is inactive (the end is looked at first); every operation
//     first records what the clock changed (expired, lapsed);
//   - assign: an unassigned active or inactive license; move: an assigned
//     active or inactive one, to another account; unassign: an assigned
//     one that is not revoked; else ErrTransition;
//   - renew needs an end after now (ErrInvalid, first); revoked is final;
//     an expired license comes back active (inactive while a payment is
//     missing);
//   - payment failed: an active license with its payments up to date (it
//     lapses at once without grace); payment: an active or inactive
//     license waiting for one (inactive comes back active);
//   - change plan: not revoked, and another plan; revoke: not revoked;
//   - an account holds at most one active license: an operation that would
//     give it a second is ErrConflict and changes nothing (a license stored
//     active but past its end or grace no longer counts, and is recorded so);
//   - sweep records what the clock changed, and nothing else;
//   - the gate serves an account exactly when it has a license active now,
//     and each license's history is the transitions the model made.

func TestLicenseStatesProperty(t *testing.T) {
	t.Run("memstore", func(t *testing.T) {
		rapid.Check(t, func(rt *rapid.T) { licenseStates(rt, memstore.New(auditmem.New()), 30, true) })
	})
	proptest.EachSQL(t, func(t *testing.T, db *sqlx.DB) {
		if err := sqlstore.Migrate(t.Context(), db); err != nil {
			t.Fatal(err)
		}
		store, err := sqlstore.New(db)
		if err != nil {
			t.Fatal(err)
		}
		// Runs share the database, so a sweep also sees earlier runs'
		// licenses: its counts are checked as lower bounds there.
		proptest.Check(t, proptest.SQLRuns(), func(rt *rapid.T) { licenseStates(rt, store, 15, false) })
	})
}

type licModel struct {
	id       string
	account  string
	plan     string
	status   licensing.Status
	endsAt   time.Time
	grace    time.Duration
	failedAt time.Time
	history  []licensing.EventKind
}

// at is the license's state at now.
func (l *licModel) at(now time.Time) licensing.Status {
	switch {
	case (l.status == licensing.Active || l.status == licensing.Inactive) && !now.Before(l.endsAt):
		return licensing.Expired
	case l.status == licensing.Active && !l.failedAt.IsZero() && !now.Before(l.failedAt.Add(l.grace)):
		return licensing.Inactive
	}
	return l.status
}

// settle records what the clock changed.
func (l *licModel) settle(now time.Time) {
	switch s := l.at(now); {
	case s == l.status:
	case s == licensing.Inactive:
		l.status, l.history = s, append(l.history, licensing.Lapsed)
	default:
		l.status, l.history = s, append(l.history, licensing.ExpiredEvent)
	}
}

func (l *licModel) live() bool { return l.status == licensing.Active || l.status == licensing.Inactive }

func (l *licModel) clone() *licModel {
	c := *l
	c.history = slices.Clone(l.history)
	return &c
}

func licenseStates(rt *rapid.T, store licensing.Store, maxSteps int, exactSweep bool) {
	ctx := audit.WithPrincipal(context.Background(), audit.System("property"))
	clock := testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	svc := licensing.New(store, &licensing.Config{Now: clock.Now, Features: []licensing.Feature{{Key: "chat", Name: "Chat"}}})
	pid := audit.NewUUIDv7()
	for _, plan := range []string{"basic", "pro"} {
		if _, err := svc.CreatePlan(ctx, licensing.PlanParams{PlatformID: pid, ID: plan, Name: plan, Features: []string{"chat"}}); err != nil {
			rt.Fatalf("create plan: %v", err)
		}
	}
	accounts := []string{"acc-a", "acc-b", "acc-c"}
	var lics []*licModel
	day := 24 * time.Hour

	// commit applies next (a changed copy of one license) unless it would
	// give its account a second license active now: then ErrConflict. An
	// account's license stored active but no longer active now is settled.
	commit := func(next *licModel) error {
		if next.status == licensing.Active && next.account != "" {
			for _, o := range lics {
				if o.id == next.id || o.account != next.account || o.status != licensing.Active {
					continue
				}
				if o.at(clock.Now()) == licensing.Active {
					return licensing.ErrConflict
				}
				o.settle(clock.Now())
			}
		}
		for i, l := range lics {
			if l.id == next.id {
				lics[i] = next
				return nil
			}
		}
		lics = append(lics, next)
		return nil
	}
	pickLic := func() *licModel { return rapid.SampledFrom(lics).Draw(rt, "license") }
	pickAcc := func() string { return rapid.SampledFrom(accounts).Draw(rt, "account") }

	steps := proptest.Steps(rt, maxSteps)
	for i := range steps {
		ops := []string{"issue", "clock", "clock to deadline", "sweep"}
		if len(lics) > 0 {
			ops = append(ops, "assign", "move", "unassign", "renew", "payment failed", "payment", "change plan", "revoke")
		}
		op := rapid.SampledFrom(ops).Draw(rt, "op")
		what := fmt.Sprintf("step %d: %s", i, op)
		now := clock.Now()
		switch op {
		case "issue":
			if len(lics) >= 5 {
				break
			}
			acc := ""
			if rapid.Bool().Draw(rt, "assigned") {
				acc = pickAcc()
			}
			p := licensing.IssueParams{PlatformID: pid, PlanID: "basic", AccountID: acc,
				EndsAt: now.Add(time.Duration(rapid.IntRange(1, 20).Draw(rt, "days")) * day),
				Grace:  rapid.SampledFrom([]time.Duration{0, time.Hour, 2 * day}).Draw(rt, "grace")}
			next := &licModel{account: acc, plan: "basic", status: licensing.Active, endsAt: p.EndsAt, grace: p.Grace,
				history: []licensing.EventKind{licensing.Issued}}
			if acc != "" {
				next.history = append(next.history, licensing.Assigned)
			}
			before := cloneLics(lics)
			next.id = "pending"
			want := commit(next)
			l, err := svc.Issue(ctx, p)
			proptest.Expect(rt, what, err, want)
			if err != nil {
				lics = before
				break
			}
			next.id = l.ID
		case "clock":
			clock.Advance(rapid.SampledFrom([]time.Duration{time.Minute, time.Hour, day, 10 * day}).Draw(rt, "advance"))
		case "clock to deadline":
			// Land exactly on a license's end or grace deadline.
			if len(lics) == 0 {
				break
			}
			l := pickLic()
			to := l.endsAt
			if !l.failedAt.IsZero() && rapid.Bool().Draw(rt, "grace deadline") {
				to = l.failedAt.Add(l.grace)
			}
			if to.After(now) {
				clock.Advance(to.Sub(now))
			}
		case "sweep":
			var wantExpired, wantLapsed int
			for _, l := range lics {
				switch s := l.at(now); {
				case s == l.status:
				case s == licensing.Expired:
					wantExpired++
				default:
					wantLapsed++
				}
				l.settle(now)
			}
			res, err := svc.Sweep(ctx, 0)
			proptest.Expect(rt, what, err, nil)
			if exactSweep && (res.Expired != wantExpired || res.Lapsed != wantLapsed) ||
				res.Expired < wantExpired || res.Lapsed < wantLapsed {
				rt.Fatalf("%s: swept %+v, the model %d expired and %d lapsed", what, res, wantExpired, wantLapsed)
			}
		default:
			l := pickLic()
			next := l.clone()
			next.settle(now)
			var call func() error
			var refuse error
			switch op {
			case "assign":
				acc := pickAcc()
				call = func() error { _, err := svc.Assign(ctx, pid, l.id, acc); return err }
				if !next.live() || next.account != "" {
					refuse = licensing.ErrTransition
				}
				next.account, next.history = acc, append(next.history, licensing.Assigned)
			case "move":
				acc := pickAcc()
				call = func() error { _, err := svc.Move(ctx, pid, l.id, acc); return err }
				if !next.live() || next.account == "" || next.account == acc {
					refuse = licensing.ErrTransition
				}
				next.account, next.history = acc, append(next.history, licensing.Moved)
			case "unassign":
				call = func() error { _, err := svc.Unassign(ctx, pid, l.id); return err }
				if next.status == licensing.Revoked || next.account == "" {
					refuse = licensing.ErrTransition
				}
				next.account, next.history = "", append(next.history, licensing.Unassigned)
			case "renew":
				ends := now.Add(time.Duration(rapid.IntRange(-1, 20).Draw(rt, "renew days")) * day)
				call = func() error { _, err := svc.Renew(ctx, pid, l.id, ends); return err }
				switch {
				case !ends.After(now):
					refuse = licensing.ErrInvalid
				case next.status == licensing.Revoked:
					refuse = licensing.ErrTransition
				}
				next.endsAt, next.history = ends, append(next.history, licensing.Renewed)
				if next.status == licensing.Expired {
					next.status = licensing.Active
					if !next.failedAt.IsZero() {
						next.status = licensing.Inactive
					}
				}
			case "payment failed":
				call = func() error { _, err := svc.RecordPaymentFailed(ctx, pid, l.id); return err }
				if next.status != licensing.Active || !next.failedAt.IsZero() {
					refuse = licensing.ErrTransition
				}
				next.failedAt, next.history = now, append(next.history, licensing.PaymentFailed)
				if next.grace == 0 {
					next.status, next.history = licensing.Inactive, append(next.history, licensing.Lapsed)
				}
			case "payment":
				call = func() error { _, err := svc.RecordPayment(ctx, pid, l.id); return err }
				if !next.live() || next.failedAt.IsZero() {
					refuse = licensing.ErrTransition
				}
				next.failedAt = time.Time{}
				if next.status == licensing.Inactive {
					next.status, next.history = licensing.Active, append(next.history, licensing.Reactivated)
				} else {
					next.history = append(next.history, licensing.PaymentReceived)
				}
			case "change plan":
				plan := rapid.SampledFrom([]string{"basic", "pro"}).Draw(rt, "plan")
				call = func() error { _, err := svc.ChangePlan(ctx, pid, l.id, plan); return err }
				if next.status == licensing.Revoked || next.plan == plan {
					refuse = licensing.ErrTransition
				}
				next.plan, next.history = plan, append(next.history, licensing.PlanChanged)
			case "revoke":
				call = func() error { _, err := svc.Revoke(ctx, pid, l.id); return err }
				if next.status == licensing.Revoked {
					refuse = licensing.ErrTransition
				}
				next.status, next.history = licensing.Revoked, append(next.history, licensing.RevokedEvent)
			}
			before := cloneLics(lics)
			if refuse == nil {
				refuse = commit(next)
			}
			err := call()
			proptest.Expect(rt, fmt.Sprintf("%s (license %s %s, account %q)", what, l.status, l.at(now), l.account), err, refuse)
			if err != nil {
				lics = before
			}
		}
		checkLicenses(rt, svc, pid, lics, accounts, clock.Now(), what)
	}
}

func cloneLics(ls []*licModel) []*licModel {
	out := make([]*licModel, len(ls))
	for i, l := range ls {
		out[i] = l.clone()
	}
	return out
}

// checkLicenses compares every license, its history, and the gate's
// answer for every account with the model.
func checkLicenses(rt *rapid.T, svc *licensing.Service, pid string, lics []*licModel, accounts []string, now time.Time, after string) {
	ctx := context.Background()
	for _, m := range lics {
		l, err := svc.License(ctx, pid, m.id)
		proptest.Expect(rt, after+": get license", err, nil)
		if l.Status != m.status || l.AccountID != m.account || l.PlanID != m.plan || !l.EndsAt.Equal(m.endsAt) || !l.PaymentFailedAt.Equal(m.failedAt) {
			rt.Fatalf("%s: license is %s on %q plan %s ends %v failed %v; the model says %s on %q plan %s ends %v failed %v",
				after, l.Status, l.AccountID, l.PlanID, l.EndsAt, l.PaymentFailedAt, m.status, m.account, m.plan, m.endsAt, m.failedAt)
		}
		if got, want := l.StatusAt(now), m.at(now); got != want {
			rt.Fatalf("%s: license is %s now, the model says %s", after, got, want)
		}
		h, err := svc.History(ctx, pid, m.id)
		proptest.Expect(rt, after+": history", err, nil)
		var kinds []licensing.EventKind
		for _, e := range h {
			kinds = append(kinds, e.Kind)
		}
		if !slices.Equal(kinds, m.history) {
			rt.Fatalf("%s: history %v, the model %v", after, kinds, m.history)
		}
	}
	for _, acc := range accounts {
		want := slices.ContainsFunc(lics, func(l *licModel) bool { return l.account == acc && l.at(now) == licensing.Active })
		d, err := svc.Gate().Check(ctx, pid, acc, "")
		proptest.Expect(rt, after+": gate", err, nil)
		if d.Allowed != want {
			rt.Fatalf("%s: the gate says %v (%s) for %s, the model %v", after, d.Allowed, d.Reason, acc, want)
		}
	}
}
