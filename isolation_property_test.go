package tenantry_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"pgregory.net/rapid"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/proptest"
	"github.com/tenantry/tenantry/internal/testclock"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

// Tenant isolation as a property, through the root façade: two or three
// platforms, each with an owner, an admin, an operator, a secure operator,
// customers and accounts (one secure); rapid draws operations by random
// actors — any user of any platform, sometimes impersonating a customer —
// on a random platform, naming objects of that platform or of another one.
// After every step:
//
//   - every other platform reads exactly as before (a snapshot of every
//     list of the platform: accounts, users, members, allocations, pools,
//     licenses and their history, plans, credits, invitations, sessions,
//     theme, domains, audit trail);
//   - everything a platform's lists return carries that platform's ID;
//   - the operation succeeded exactly when the model of the rules says so
//     (an unexpected success or an unexpected refusal fails), and a refused
//     operation changed nothing on its own platform either.
//
// The model's rules, from the package documentation:
//
//   - an actor acts only on its own platform, only while its user is
//     active; a customer impersonated has the customer's rights, minus
//     what needs a staff role, role changes and impersonation;
//   - accounts: staff (owner, admin, operator, secure operator) create
//     them and change their state; a secure account only a secure
//     operator; only owners and admins delete (so a secure account is
//     deleted by nobody but the host); the primary admin edits the
//     profile, not the note;
//   - team: staff who may manage the account and its primary admin add
//     members (each takes one of the 10 team seats, as does a pending
//     team invitation);
//   - users: only owners change roles, never an owner's; owners manage
//     every non-owner, other staff regular users only, nobody themselves;
//   - licensing and the white label: owners and admins;
//   - invitations: owners invite staff; staff invite team members (a
//     secure account's: secure operators only), and so do the account's
//     primary admin and its members holding "team"; revoking follows the
//     same rule; accepting needs the invited email and grants once;
//   - impersonation: active staff into an active, unlocked account whose
//     primary user is an active regular user, never oneself, never nested,
//     secure accounts by secure operators only; the policy is checked
//     again on every Resolve; only staff revoke sessions;
//   - cascades: an account newly disabled, locked or deleted ends its
//     sessions and revokes its pending invitations; a user whose role or
//     status changes leaves every session they are in; deleting an
//     account deletes the regular users with no other place.
func TestIsolationProperty(t *testing.T) {
	proptest.EachSQL(t, func(t *testing.T, db *sqlx.DB) {
		clock := testclock.New(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
		p, err := tenantry.Open(t.Context(), db, &tenantry.Config{
			Now:       clock.Now,
			SecretKey: []byte("0123456789abcdef0123456789abcdef"),
			Features:  []licensing.Feature{{Key: "chat", Name: "Chat"}},
			Tenancy:   &tenancy.Config{Argon2: tenancy.Argon2Params{MemoryKiB: 8, Iterations: 1, Parallelism: 1}},
			Invites:   &invites.Config{PerInviter: 1 << 20, PerPlatform: 1 << 20},
		})
		if err != nil {
			t.Fatal(err)
		}
		// Runs share the database: every run adds its own platforms, and the
		// earlier runs' platforms are more neighbours that must not move.
		// Each run snapshots every platform after every step, so it makes
		// half the runs of the other SQL properties.
		var runs, done int
		proptest.Check(t, max(proptest.SQLRuns()/2, 3), func(rt *rapid.T) { runs++; done += isolation(rt, p, 25) })
		t.Logf("%d runs, %d operations checked", runs, done)
	})
}

// The world's model.

type userM struct {
	plat     int
	id       string
	email    string
	role     tenancy.Role
	disabled bool
	deleted  bool
}

func (u *userM) staff() bool { return u.role.IsStaff() }

type acctM struct {
	plat     int
	id       string
	primary  *userM
	secure   bool
	locked   bool
	disabled bool
	deleted  bool
	members  map[string]bool // user ID: holds "team"
	seats    int             // team seats taken: members added and pending team invitations
	licensed bool
	balance  int64
}

func (a *acctM) isMember(u *userM) bool {
	_, ok := a.members[u.id]
	return ok
}

type invM struct {
	plat    int
	id      string
	token   string
	kind    invites.Kind
	email   string
	acct    *acctM
	role    tenancy.Role
	pending bool
	status  error // the refusal once not pending
}

type sessM struct {
	plat    int
	id      string
	token   string
	actor   *userM
	subject *userM
	acct    *acctM
	ended   bool
}

type platM struct {
	id       string
	users    []*userM
	accts    []*acctM
	invs     []*invM
	sessions []*sessM
	licenses []string
	plans    int
	domains  int
}

type isoWorld struct {
	actor actorM // who acts in the current step
	p     *tenantry.Portal
	plats []*platM
	n     int // a counter for unique names
}

// actorM is who acts: a user, or a customer impersonated through a
// session.
type actorM struct {
	user   *userM // whose rights apply (the subject when impersonating)
	sess   *sessM
	platID string
}

func (a actorM) ctx() context.Context {
	pr := audit.Principal{PlatformID: a.platID, UserID: a.user.id}
	if a.sess != nil {
		pr.ActorID, pr.SessionID = a.sess.actor.id, a.sess.id
	}
	return audit.WithPrincipal(context.Background(), pr)
}

func (a actorM) String() string {
	s := fmt.Sprintf("%s (p%d, %s", a.user.email, a.user.plat, a.user.role)
	if a.user.disabled {
		s += ", disabled"
	}
	if a.user.deleted {
		s += ", deleted"
	}
	if a.sess != nil {
		s += ", impersonated by " + a.sess.actor.email
	}
	return s + ")"
}

// active: may the actor act on platform t at all?
func (a actorM) on(t int) bool { return a.user.plat == t && !a.user.disabled && !a.user.deleted }

// hasRole: acting as itself, active on t, holding one of roles.
func (a actorM) hasRole(t int, roles ...tenancy.Role) bool {
	return a.on(t) && a.sess == nil && slices.Contains(roles, a.user.role)
}

// mayManage is tenancy's rule for changing an account.
func (a actorM) mayManage(t int, acc *acctM) bool {
	if !a.on(t) || !a.user.staff() {
		return false
	}
	return !acc.secure || a.user.role == tenancy.RoleSecureOperator
}

var staffRoles = []tenancy.Role{tenancy.RoleOwner, tenancy.RoleAdmin, tenancy.RoleOperator, tenancy.RoleSecureOperator}

func (w *isoWorld) name(prefix string) string {
	w.n++
	return fmt.Sprintf("%s%d", prefix, w.n)
}

func sysCtx() context.Context {
	return audit.WithPrincipal(context.Background(), audit.System("property"))
}

func (w *isoWorld) setup(rt *rapid.T, platforms int) {
	ctx := sysCtx()
	p := w.p
	for k := range platforms {
		pl, err := p.Tenancy.CreatePlatform(ctx, tenancy.CreatePlatformParams{Name: fmt.Sprintf("Platform %d", k)})
		if err != nil {
			rt.Fatalf("setup: %v", err)
		}
		pm := &platM{id: pl.ID}
		w.plats = append(w.plats, pm)
		for _, role := range staffRoles {
			c, err := p.Tenancy.CreateUser(ctx, tenancy.CreateUserParams{PlatformID: pl.ID, Email: fmt.Sprintf("%s@p%d.example", role, k), Name: string(role), Role: role, Password: "staff password 1"})
			if err != nil {
				rt.Fatalf("setup: %v", err)
			}
			pm.users = append(pm.users, &userM{plat: k, id: c.User.ID, email: c.User.Email, role: role})
		}
		for i := range 2 {
			acc := w.createAccount(rt, ctx, k)
			if i == 1 {
				if _, err := p.Tenancy.SetSecure(ctx, pl.ID, acc.id, true); err != nil {
					rt.Fatalf("setup: %v", err)
				}
				acc.secure = true
			}
		}
		if _, err := p.Licensing.CreatePlan(ctx, licensing.PlanParams{PlatformID: pl.ID, ID: "basic", Name: "Basic", Features: []string{"chat"}}); err != nil {
			rt.Fatalf("setup: %v", err)
		}
	}
}

func (w *isoWorld) createAccount(rt *rapid.T, ctx context.Context, k int) *acctM {
	email := w.name("client") + fmt.Sprintf("@p%d.example", k)
	c, err := w.p.Tenancy.CreateAccount(ctx, tenancy.CreateAccountParams{PlatformID: w.plats[k].id, Name: "Customer " + email, Email: email, Password: "client password 1"})
	if err != nil {
		rt.Fatalf("create account: %v", err)
	}
	return w.addAccount(k, c)
}

func (w *isoWorld) addAccount(k int, c tenancy.CreatedAccount) *acctM {
	pm := w.plats[k]
	u := &userM{plat: k, id: c.PrimaryAdmin.ID, email: c.PrimaryAdmin.Email}
	pm.users = append(pm.users, u)
	acc := &acctM{plat: k, id: c.Account.ID, primary: u, members: map[string]bool{u.id: true}}
	pm.accts = append(pm.accts, acc)
	return acc
}

// Cascades of the model.

func (w *isoWorld) closeAccount(acc *acctM) {
	pm := w.plats[acc.plat]
	for _, s := range pm.sessions {
		if s.acct == acc {
			s.ended = true
		}
	}
	for _, inv := range pm.invs {
		if inv.acct == acc && inv.pending {
			inv.pending, inv.status = false, invites.ErrRevoked
			if inv.kind == invites.KindTeamMember {
				acc.seats--
			}
		}
	}
}

func (w *isoWorld) endUser(u *userM) {
	for _, s := range w.plats[u.plat].sessions {
		if s.actor == u || s.subject == u {
			s.ended = true
		}
	}
}

func (w *isoWorld) userByEmail(k int, email string) *userM {
	for _, u := range w.plats[k].users {
		if u.email == email && !u.deleted {
			return u
		}
	}
	return nil
}

// places counts the live accounts u is a member of.
func (w *isoWorld) places(u *userM) int {
	n := 0
	for _, a := range w.plats[u.plat].accts {
		if !a.deleted && a.isMember(u) {
			n++
		}
	}
	return n
}

// policy is impersonation's rule for actor entering acc as its primary
// user: nil or the refusal.
func policy(actor *userM, acc *acctM) error {
	subj := acc.primary
	switch {
	case actor.disabled || actor.deleted || !actor.staff():
		return impersonation.ErrActorNotStaff
	case acc.deleted:
		return impersonation.ErrAccountDeleted
	case acc.secure && actor.role != tenancy.RoleSecureOperator:
		return impersonation.ErrSecureAccount
	case acc.locked:
		return impersonation.ErrAccountLocked
	case acc.disabled:
		return impersonation.ErrAccountDisabled
	case subj == actor:
		return impersonation.ErrSelf
	case subj.deleted:
		return impersonation.ErrTargetInactive
	case subj.staff():
		return impersonation.ErrTargetStaff
	case subj.disabled:
		return impersonation.ErrTargetInactive
	}
	return nil
}

// isolation is one run: set up the platforms, then draw steps.
func isolation(rt *rapid.T, p *tenantry.Portal, maxSteps int) int {
	w := &isoWorld{p: p}
	w.setup(rt, rapid.IntRange(2, 3).Draw(rt, "platforms"))
	before := w.snapshots(rt)
	steps, done := proptest.Steps(rt, maxSteps), 0
	for i := range steps {
		op := rapid.SampledFrom(opNames).Draw(rt, "op")
		a := w.drawActor(rt)
		w.actor = a
		t := a.user.plat
		if rapid.IntRange(0, 3).Draw(rt, "foreign platform") == 0 {
			t = rapid.IntRange(0, len(w.plats)-1).Draw(rt, "platform")
		}
		what := fmt.Sprintf("step %d: %s by %s on p%d", i, op, a, t)
		res := ops[op](w, rt, a, t)
		what += res.what
		if res.skip {
			continue
		}
		err := res.err
		if res.want != errAnyOutcome {
			proptest.Expect(rt, what, err, res.want)
		}
		after := w.snapshots(rt)
		for k := range w.plats {
			if k == t && (err == nil || res.writesOnRefusal) {
				continue
			}
			if d := diff(before[k], after[k]); d != "" {
				rt.Fatalf("%s (%v): platform p%d changed: %s", what, err, k, d)
			}
		}
		before = after
		done++
	}
	return done
}

// drawActor draws any user of any platform, or a customer impersonated
// through one of the sessions started so far.
func (w *isoWorld) drawActor(rt *rapid.T) actorM {
	var sessions []*sessM
	for _, pm := range w.plats {
		sessions = append(sessions, pm.sessions...)
	}
	if len(sessions) > 0 && rapid.IntRange(0, 4).Draw(rt, "impersonating") == 0 {
		s := rapid.SampledFrom(sessions).Draw(rt, "session")
		return actorM{user: s.subject, sess: s}
	}
	var closed []*userM
	for _, pm := range w.plats {
		for _, u := range pm.users {
			if u.disabled || u.deleted {
				closed = append(closed, u)
			}
		}
	}
	if len(closed) > 0 && rapid.IntRange(0, 4).Draw(rt, "closed actor") == 0 {
		return actorM{user: rapid.SampledFrom(closed).Draw(rt, "actor")}
	}
	k := rapid.IntRange(0, len(w.plats)-1).Draw(rt, "actor platform")
	return actorM{user: rapid.SampledFrom(w.plats[k].users).Draw(rt, "actor")}
}

// step is what an operation did and what the model expected of it.
type step struct {
	what            string
	err             error
	want            error
	skip            bool
	writesOnRefusal bool // a refusal may still write on the platform (ends a session, records a denial)
}

// pickAcct draws an account: of platform t mostly, of another one
// sometimes (which platform t must not find).
func (w *isoWorld) pickAcct(rt *rapid.T, t int) *acctM {
	var own []*acctM
	for _, acc := range w.plats[t].accts {
		if acc.isMember(w.actor.user) {
			own = append(own, acc)
		}
	}
	if len(own) > 0 && rapid.Bool().Draw(rt, "actor's own account") {
		return rapid.SampledFrom(own).Draw(rt, "account")
	}
	k := t
	if rapid.IntRange(0, 4).Draw(rt, "foreign account") == 0 {
		k = rapid.IntRange(0, len(w.plats)-1).Draw(rt, "account platform")
	}
	return rapid.SampledFrom(w.plats[k].accts).Draw(rt, "account")
}

func (w *isoWorld) pickUser(rt *rapid.T, t int) *userM {
	k := t
	if rapid.IntRange(0, 4).Draw(rt, "foreign user") == 0 {
		k = rapid.IntRange(0, len(w.plats)-1).Draw(rt, "user platform")
	}
	return rapid.SampledFrom(w.plats[k].users).Draw(rt, "user")
}

func acctText(acc *acctM) string {
	s := fmt.Sprintf(" [account of p%d", acc.plat)
	for _, f := range []struct {
		on   bool
		name string
	}{{acc.secure, "secure"}, {acc.locked, "locked"}, {acc.disabled, "disabled"}, {acc.deleted, "deleted"}} {
		if f.on {
			s += " " + f.name
		}
	}
	return s + "]"
}

func userText(u *userM) string {
	s := fmt.Sprintf(" [user %s of p%d, %s", u.email, u.plat, u.role)
	if u.disabled {
		s += " disabled"
	}
	if u.deleted {
		s += " deleted"
	}
	return s + "]"
}

var ops = map[string]func(w *isoWorld, rt *rapid.T, a actorM, t int) step{
	"create account": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		email := w.name("new") + "@example.com"
		c, err := w.p.Tenancy.CreateAccount(a.ctxOn(w), tenancy.CreateAccountParams{PlatformID: w.plats[t].id, Name: "New " + email, Email: email, Password: "client password 1"})
		var want error
		if !a.on(t) || !a.user.staff() {
			want = tenancy.ErrForbidden
		}
		if err == nil {
			w.addAccount(t, c)
		}
		return step{err: err, want: want}
	},
	"disable account": accountFlag("disable", (*tenancy.Service).DisableAccount, func(acc *acctM) bool { return !acc.disabled }, func(acc *acctM) { acc.disabled = true }),
	"enable account":  accountFlag("enable", (*tenancy.Service).EnableAccount, nil, func(acc *acctM) { acc.disabled = false }),
	"lock account":    accountFlag("lock", (*tenancy.Service).LockAccount, func(acc *acctM) bool { return !acc.locked }, func(acc *acctM) { acc.locked = true }),
	"unlock account":  accountFlag("unlock", (*tenancy.Service).UnlockAccount, nil, func(acc *acctM) { acc.locked = false }),
	"set secure": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		acc := w.pickAcct(rt, t)
		on := rapid.Bool().Draw(rt, "secure")
		_, err := w.p.Tenancy.SetSecure(a.ctxOn(w), w.plats[t].id, acc.id, on)
		want := manageWant(a, t, acc)
		if err == nil {
			acc.secure = on
		}
		return step{what: acctText(acc), err: err, want: want}
	},
	"edit note": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		acc := w.pickAcct(rt, t)
		note := w.name("note ")
		_, err := w.p.Tenancy.UpdateAccount(a.ctxOn(w), w.plats[t].id, acc.id, tenancy.AccountEdit{Note: &note})
		return step{what: acctText(acc), err: err, want: manageWant(a, t, acc)}
	},
	"edit name": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		acc := w.pickAcct(rt, t)
		name := w.name("Name ")
		_, err := w.p.Tenancy.UpdateAccount(a.ctxOn(w), w.plats[t].id, acc.id, tenancy.AccountEdit{Name: &name})
		want := manageWant(a, t, acc)
		if want == tenancy.ErrForbidden && a.on(t) && !a.user.staff() && acc.primary == a.user {
			want = nil // the primary admin edits the profile
		}
		return step{what: acctText(acc), err: err, want: want}
	},
	"delete account": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		acc := w.pickAcct(rt, t)
		_, err := w.p.Tenancy.DeleteAccount(a.ctxOn(w), w.plats[t].id, acc.id)
		want := manageWant(a, t, acc)
		if want == nil && a.user.role != tenancy.RoleOwner && a.user.role != tenancy.RoleAdmin {
			want = tenancy.ErrForbidden
		}
		if err == nil {
			var orphans []*userM
			for _, u := range w.plats[acc.plat].users {
				if acc.isMember(u) && u.role == tenancy.RoleNone && !u.deleted && w.places(u) == 1 {
					orphans = append(orphans, u)
				}
			}
			acc.deleted = true
			w.closeAccount(acc)
			for _, u := range orphans {
				u.deleted = true
				w.endUser(u)
			}
		}
		return step{what: acctText(acc), err: err, want: want}
	},
	"add member": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		acc := w.pickAcct(rt, t)
		u := w.pickUser(rt, t)
		team := rapid.Bool().Draw(rt, "team permission")
		var perms []string
		if team {
			perms = []string{tenancy.PermTeam}
		}
		_, err := w.p.Tenancy.AddMember(a.ctxOn(w), tenancy.AddMemberParams{PlatformID: w.plats[t].id, AccountID: acc.id, UserID: u.id, Permissions: perms})
		var want error
		switch {
		case !a.on(t):
			want = tenancy.ErrForbidden
		case acc.plat != t || acc.deleted:
			want = tenancy.ErrNotFound
		case a.user.staff() && !a.mayManage(t, acc), !a.user.staff() && acc.primary != a.user:
			want = tenancy.ErrForbidden
		case u.plat != t || u.deleted:
			want = tenancy.ErrNotFound
		case acc.isMember(u):
			want = tenancy.ErrConflict
		case acc.seats >= tenancy.DefaultTeamMembers:
			want = tenancy.ErrQuotaExceeded
		}
		if err == nil {
			acc.members[u.id] = team
			acc.seats++
		}
		return step{what: acctText(acc) + userText(u), err: err, want: want}
	},
	"set role": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		u := w.pickUser(rt, t)
		role := rapid.SampledFrom(append([]tenancy.Role{tenancy.RoleNone}, staffRoles...)).Draw(rt, "role")
		_, err := w.p.Tenancy.SetRole(a.ctxOn(w), w.plats[t].id, u.id, role)
		var want error
		switch {
		case !a.hasRole(t, tenancy.RoleOwner):
			want = tenancy.ErrForbidden
		case u.plat != t || u.deleted:
			want = tenancy.ErrNotFound
		case u.role == tenancy.RoleOwner && role != tenancy.RoleOwner:
			want = tenancy.ErrForbidden
		}
		if err == nil && u.role != role {
			u.role = role
			w.endUser(u)
		}
		return step{what: userText(u) + " to " + role.String(), err: err, want: want}
	},
	"disable user": userStatus(true),
	"enable user":  userStatus(false),
	"create plan": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		id := w.name("plan-")
		_, err := w.p.Licensing.CreatePlan(a.ctxOn(w), licensing.PlanParams{PlatformID: w.plats[t].id, ID: id, Name: id, Features: []string{"chat"}})
		return step{err: err, want: licensingWant(a, t)}
	},
	"issue license": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		acc := w.pickAcct(rt, t)
		l, err := w.p.Licensing.Issue(a.ctxOn(w), licensing.IssueParams{PlatformID: w.plats[t].id, PlanID: "basic", AccountID: acc.id, EndsAt: w.now().Add(30 * 24 * time.Hour)})
		want := licensingWant(a, t)
		switch {
		case want != nil:
		case acc.plat != t:
			// licensing knows no accounts: an ID another platform uses is
			// only a name here. Either answer will do; the other platform
			// must not move.
			want = errAnyOutcome
		case acc.licensed:
			want = licensing.ErrConflict
		}
		if err == nil {
			w.plats[t].licenses = append(w.plats[t].licenses, l.ID)
			if acc.plat == t {
				acc.licensed = true
			}
		}
		return step{what: acctText(acc), err: err, want: want}
	},
	"grant credits": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		acc := w.pickAcct(rt, t)
		n := rapid.Int64Range(1, 5).Draw(rt, "credits")
		_, err := w.p.Licensing.GrantCredits(a.ctxOn(w), licensing.CreditParams{PlatformID: w.plats[t].id, AccountID: acc.id, Kind: licensing.CreditSMS, Amount: n})
		want := licensingWant(a, t)
		if want == nil && acc.plat != t {
			want = errAnyOutcome
		}
		if err == nil && acc.plat == t {
			acc.balance += n
		}
		return step{what: acctText(acc), err: err, want: want}
	},
	"debit credits": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		acc := w.pickAcct(rt, t)
		n := rapid.Int64Range(1, 5).Draw(rt, "credits")
		_, err := w.p.Licensing.DebitCredits(a.ctxOn(w), licensing.CreditParams{PlatformID: w.plats[t].id, AccountID: acc.id, Kind: licensing.CreditSMS, Amount: n})
		want := licensingWant(a, t)
		switch {
		case want != nil:
		case acc.plat != t:
			want = licensing.ErrInsufficientCredits // nothing was ever granted under that name here
		case acc.balance < n:
			want = licensing.ErrInsufficientCredits
		}
		if err == nil && acc.plat == t {
			acc.balance -= n
		}
		return step{what: acctText(acc), err: err, want: want}
	},
	"invite team member": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		acc := w.pickAcct(rt, t)
		email := w.inviteeEmail(rt, t)
		c, err := w.p.Invites.Create(a.ctxOn(w), invites.CreateParams{PlatformID: w.plats[t].id, Kind: invites.KindTeamMember, Email: email, AccountID: acc.id})
		want := w.inviteWant(a, t, acc)
		if want == nil {
			switch {
			case acc.plat != t || acc.deleted:
				want = proptest.Refused // no seat to hold
			case acc.seats >= tenancy.DefaultTeamMembers:
				want = proptest.Refused
			case w.pendingInvite(t, invites.KindTeamMember, email, acc):
				want = invites.ErrConflict
			}
		}
		if err == nil {
			w.plats[t].invs = append(w.plats[t].invs, &invM{plat: t, id: c.Invitation.ID, token: c.Token, kind: invites.KindTeamMember, email: c.Invitation.Email, acct: acc, pending: true})
			acc.seats++
		}
		return step{what: acctText(acc) + " " + email, err: err, want: want}
	},
	"invite staff": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		email := w.inviteeEmail(rt, t)
		role := rapid.SampledFrom(staffRoles[1:]).Draw(rt, "role")
		c, err := w.p.Invites.Create(a.ctxOn(w), invites.CreateParams{PlatformID: w.plats[t].id, Kind: invites.KindStaff, Email: email, Role: string(role)})
		var want error
		switch {
		case !a.hasRole(t, tenancy.RoleOwner):
			want = invites.ErrForbidden
		case w.pendingInvite(t, invites.KindStaff, email, nil):
			want = invites.ErrConflict
		}
		if err == nil {
			w.plats[t].invs = append(w.plats[t].invs, &invM{plat: t, id: c.Invitation.ID, token: c.Token, kind: invites.KindStaff, email: c.Invitation.Email, role: role, pending: true})
		}
		return step{what: " " + email, err: err, want: want}
	},
	"revoke invitation": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		inv, ok := w.pickInvite(rt, t)
		if !ok {
			return step{skip: true}
		}
		_, err := w.p.Invites.Revoke(a.ctxOn(w), w.plats[t].id, inv.id)
		var want error
		switch {
		case inv.plat != t:
			want = invites.ErrNotFound
		case inv.kind == invites.KindStaff && !a.hasRole(t, tenancy.RoleOwner):
			want = invites.ErrForbidden
		case inv.kind == invites.KindTeamMember && w.inviteWant(a, t, inv.acct) != nil:
			want = invites.ErrForbidden
		case !inv.pending:
			want = inv.status
		}
		if err == nil {
			inv.pending, inv.status = false, invites.ErrRevoked
			if inv.kind == invites.KindTeamMember {
				inv.acct.seats--
			}
		}
		return step{what: fmt.Sprintf(" [%s invitation of p%d to %s]", inv.kind, inv.plat, inv.email), err: err, want: want}
	},
	"accept invitation": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		inv, ok := w.pickInvite(rt, t)
		if !ok {
			return step{skip: true}
		}
		// The invitee signs in on platform t (or registered there).
		u := w.userByEmail(inv.plat, inv.email)
		if u == nil {
			return step{skip: true}
		}
		_, err := w.p.Invites.Accept(context.Background(), invites.AcceptParams{PlatformID: w.plats[t].id, Token: inv.token, UserID: u.id, UserEmail: u.email})
		var want error
		switch {
		case inv.plat != t:
			want = invites.ErrNotFound
		case !inv.pending:
			want = inv.status
		case inv.kind == invites.KindTeamMember && (inv.acct.deleted || inv.acct.isMember(u)):
			want = invites.ErrConflict // the grant fails; the invitation stays pending
		}
		if err == nil {
			inv.pending, inv.status = false, invites.ErrUsed
			switch inv.kind {
			case invites.KindTeamMember:
				inv.acct.members[u.id] = false
			case invites.KindStaff:
				if u.role != inv.role {
					u.role = inv.role
					w.endUser(u)
				}
			}
		}
		return step{what: fmt.Sprintf(" [%s invitation of p%d by %s]", inv.kind, inv.plat, userText(u)), err: err, want: want, writesOnRefusal: true}
	},
	"start impersonation": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		acc := w.pickAcct(rt, t)
		st, err := w.p.Impersonation.Start(a.ctxOn(w), impersonation.StartParams{PlatformID: w.plats[t].id, AccountID: acc.id, Mode: impersonation.AsClient})
		var want error
		switch {
		case a.sess != nil:
			want = impersonation.ErrNested
		case a.user.plat != t:
			want = impersonation.ErrForbidden
		case acc.plat != t:
			want = impersonation.ErrForbidden
			if !a.user.disabled && !a.user.deleted && a.user.staff() {
				want = impersonation.ErrAccountDeleted // not on this platform
			}
		default:
			want = policy(a.user, acc)
		}
		if err == nil {
			w.plats[t].sessions = append(w.plats[t].sessions, &sessM{plat: t, id: st.Session.ID, token: st.Token, actor: a.user, subject: acc.primary, acct: acc})
		}
		return step{what: acctText(acc) + userText(acc.primary), err: err, want: want, writesOnRefusal: true}
	},
	"resolve session": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		s, ok := w.pickSession(rt, t)
		if !ok {
			return step{skip: true}
		}
		_, err := w.p.Impersonation.Resolve(context.Background(), w.plats[t].id, s.token)
		var want error
		switch {
		case s.plat != t:
			want = impersonation.ErrNotFound
		case s.ended:
			want = impersonation.ErrEnded
		default:
			if want = policy(s.actor, s.acct); want != nil {
				s.ended = true
			}
		}
		return step{what: fmt.Sprintf(" [session of p%d by %s%s]", s.plat, s.actor.email, acctText(s.acct)), err: err, want: want, writesOnRefusal: true}
	},
	"exit session": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		s, ok := w.pickSession(rt, t)
		if !ok {
			return step{skip: true}
		}
		_, err := w.p.Impersonation.Exit(context.Background(), w.plats[t].id, s.token)
		var want error
		switch {
		case s.plat != t:
			want = impersonation.ErrNotFound
		case s.ended:
			want = impersonation.ErrEnded
		}
		if err == nil {
			s.ended = true
		}
		return step{err: err, want: want}
	},
	"revoke session": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		s, ok := w.pickSession(rt, t)
		if !ok {
			return step{skip: true}
		}
		_, err := w.p.Impersonation.Revoke(a.ctxOn(w), w.plats[t].id, s.id)
		var want error
		switch {
		case a.user.plat != t, !a.on(t) || !a.user.staff() || a.sess != nil:
			want = impersonation.ErrForbidden
		case s.plat != t:
			want = impersonation.ErrNotFound
		case s.ended:
			want = impersonation.ErrEnded
		}
		if err == nil {
			s.ended = true
		}
		return step{err: err, want: want}
	},
	"set theme": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		_, err := w.p.Branding.SetTheme(a.ctxOn(w), branding.Theme{PlatformID: w.plats[t].id, ProductName: w.name("Product ")})
		want := error(nil)
		if !a.hasRole(t, tenancy.RoleOwner, tenancy.RoleAdmin) {
			want = branding.ErrForbidden
		}
		return step{err: err, want: want}
	},
	"add domain": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		host := fmt.Sprintf("%s.p%s.example", w.name("d"), w.plats[t].id[len(w.plats[t].id)-8:])
		_, err := w.p.Branding.AddDomain(a.ctxOn(w), w.plats[t].id, host)
		want := error(nil)
		if !a.hasRole(t, tenancy.RoleOwner, tenancy.RoleAdmin) {
			want = branding.ErrForbidden
		}
		return step{err: err, want: want}
	},
	"read": func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		// Reads are not authorised (the host decides who sees which page)
		// but are scoped: an ID of another platform is not found here.
		ctx, pid := context.Background(), w.plats[t].id
		k := rapid.IntRange(0, len(w.plats)-1).Draw(rt, "read platform")
		if k == t {
			return step{skip: true}
		}
		o := w.plats[k]
		acc := rapid.SampledFrom(o.accts).Draw(rt, "foreign account")
		u := rapid.SampledFrom(o.users).Draw(rt, "foreign user")
		checks := []struct {
			name string
			err  error
			want error
		}{
			{"account", second(w.p.Tenancy.Account(ctx, pid, acc.id)), tenancy.ErrNotFound},
			{"user", second(w.p.Tenancy.User(ctx, pid, u.id)), tenancy.ErrNotFound},
			{"user by email", second(w.p.Tenancy.UserByEmail(ctx, pid, u.email)), tenancy.ErrNotFound},
		}
		if ms, err := w.p.Tenancy.Members(ctx, pid, acc.id); err == nil && len(ms) > 0 {
			rt.Fatalf("p%d lists the members of an account of p%d: %v", t, k, ms)
		}
		if ms, err := w.p.Tenancy.Memberships(ctx, pid, u.id); err == nil && len(ms) > 0 {
			rt.Fatalf("p%d lists the memberships of a user of p%d: %v", t, k, ms)
		}
		for _, l := range o.licenses {
			checks = append(checks, struct {
				name string
				err  error
				want error
			}{"license", second(w.p.Licensing.License(ctx, pid, l)), licensing.ErrNotFound})
		}
		for _, inv := range o.invs {
			checks = append(checks, struct {
				name string
				err  error
				want error
			}{"invitation link", second(w.p.Invites.Preview(ctx, pid, inv.token)), invites.ErrNotFound})
		}
		for _, c := range checks {
			proptest.Expect(rt, fmt.Sprintf("read on p%d a %s of p%d", t, c.name, k), c.err, c.want)
		}
		return step{}
	},
}

var opNames = func() []string {
	var out []string
	for k := range ops {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}()

// errAnyOutcome is what the model predicts when either outcome will do.
var errAnyOutcome = errors.New("either outcome")

func second[T any](_ T, err error) error { return err }

func (a actorM) ctxOn(w *isoWorld) context.Context {
	a.platID = w.plats[a.user.plat].id
	return a.ctx()
}

func (w *isoWorld) now() time.Time { return time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC) }

func manageWant(a actorM, t int, acc *acctM) error {
	switch {
	case !a.on(t):
		return tenancy.ErrForbidden
	case acc.plat != t || acc.deleted:
		return tenancy.ErrNotFound
	case !a.mayManage(t, acc):
		return tenancy.ErrForbidden
	}
	return nil
}

func licensingWant(a actorM, t int) error {
	if !a.hasRole(t, tenancy.RoleOwner, tenancy.RoleAdmin) {
		return licensing.ErrForbidden
	}
	return nil
}

// inviteWant is who may invite team members to acc (and revoke such
// invitations): staff (a secure account's: secure operators), its primary
// admin and its members holding "team".
func (w *isoWorld) inviteWant(a actorM, t int, acc *acctM) error {
	switch {
	case a.user.plat != t:
		return invites.ErrForbidden
	case a.on(t) && a.sess == nil && a.user.staff():
		if acc.plat == t && acc.secure && a.user.role != tenancy.RoleSecureOperator {
			return invites.ErrForbidden
		}
		return nil
	case !a.on(t):
		return invites.ErrForbidden
	case acc.plat == t && !acc.deleted && (acc.primary == a.user || acc.members[a.user.id]):
		return nil
	}
	return invites.ErrForbidden
}

func (w *isoWorld) inviteeEmail(rt *rapid.T, t int) string {
	if rapid.Bool().Draw(rt, "invite a user") {
		return rapid.SampledFrom(w.plats[t].users).Draw(rt, "invitee").email
	}
	return w.name("invitee") + "@example.com"
}

func (w *isoWorld) pendingInvite(t int, kind invites.Kind, email string, acc *acctM) bool {
	for _, inv := range w.plats[t].invs {
		if inv.pending && inv.kind == kind && inv.email == email && inv.acct == acc {
			return true
		}
	}
	return false
}

func (w *isoWorld) pickInvite(rt *rapid.T, t int) (*invM, bool) {
	var all []*invM
	for _, pm := range w.plats {
		all = append(all, pm.invs...)
	}
	if len(all) == 0 {
		return nil, false
	}
	return rapid.SampledFrom(all).Draw(rt, "invitation"), true
}

func (w *isoWorld) pickSession(rt *rapid.T, t int) (*sessM, bool) {
	var all []*sessM
	for _, pm := range w.plats {
		all = append(all, pm.sessions...)
	}
	if len(all) == 0 {
		return nil, false
	}
	return rapid.SampledFrom(all).Draw(rt, "session"), true
}

func accountFlag(name string, call func(*tenancy.Service, context.Context, string, string) (tenancy.Account, error), closes func(*acctM) bool, set func(*acctM)) func(*isoWorld, *rapid.T, actorM, int) step {
	return func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		acc := w.pickAcct(rt, t)
		_, err := call(w.p.Tenancy, a.ctxOn(w), w.plats[t].id, acc.id)
		want := manageWant(a, t, acc)
		if err == nil {
			closing := closes != nil && closes(acc)
			set(acc)
			if closing {
				w.closeAccount(acc)
			}
		}
		return step{what: acctText(acc), err: err, want: want}
	}
}

func userStatus(disable bool) func(*isoWorld, *rapid.T, actorM, int) step {
	return func(w *isoWorld, rt *rapid.T, a actorM, t int) step {
		u := w.pickUser(rt, t)
		var err error
		if disable {
			_, err = w.p.Tenancy.DisableUser(a.ctxOn(w), w.plats[t].id, u.id)
		} else {
			_, err = w.p.Tenancy.EnableUser(a.ctxOn(w), w.plats[t].id, u.id)
		}
		var want error
		switch {
		case !a.on(t):
			want = tenancy.ErrForbidden
		case u.plat != t || u.deleted:
			want = tenancy.ErrNotFound
		case a.user == u:
			want = tenancy.ErrForbidden
		case a.user.role == tenancy.RoleOwner && a.sess == nil:
			if u.role == tenancy.RoleOwner {
				want = tenancy.ErrForbidden
			}
		case a.user.staff() && a.sess == nil:
			if u.role != tenancy.RoleNone {
				want = tenancy.ErrForbidden
			}
		default:
			want = tenancy.ErrForbidden
		}
		if err == nil && u.disabled != disable {
			u.disabled = disable
			if disable {
				w.endUser(u)
			}
		}
		return step{what: userText(u), err: err, want: want}
	}
}

// Snapshots.

// snapshot is everything a platform's reads return.
type snapshot struct {
	Platform    tenancy.Platform
	Accounts    []tenancy.Account
	Users       []tenancy.User
	Members     [][]tenancy.Member
	Allocations []tenancy.Allocation
	Pools       []tenancy.Pool
	Assignments []tenancy.Assignment
	Licenses    []licensing.License
	History     [][]licensing.HistoryEntry
	Plans       []licensing.Plan
	Balances    []map[string]int64
	Invitations []invites.Invitation
	Sessions    []impersonation.Session
	Theme       branding.Theme
	Domains     []branding.Domain
	Audit       []audit.Event
}

func (w *isoWorld) snapshots(rt *rapid.T) []snapshot {
	out := make([]snapshot, len(w.plats))
	for k := range w.plats {
		out[k] = w.snapshot(rt, k)
	}
	return out
}

func (w *isoWorld) snapshot(rt *rapid.T, k int) snapshot {
	ctx, p, pid := context.Background(), w.p, w.plats[k].id
	must := func(what string, err error) {
		if err != nil {
			rt.Fatalf("snapshot of p%d: %s: %v", k, what, err)
		}
	}
	var s snapshot
	var err error
	s.Platform, err = p.Tenancy.Platform(ctx, pid)
	must("platform", err)
	accs, err := p.Tenancy.ListAccounts(ctx, tenancy.ListAccountsParams{PlatformID: pid, IncludeLocked: true, Limit: 500})
	must("accounts", err)
	s.Accounts = accs.Accounts
	users, err := p.Tenancy.ListUsers(ctx, tenancy.ListUsersParams{PlatformID: pid, IncludeDisabled: true, Limit: 500})
	must("users", err)
	s.Users = users.Users
	for _, a := range s.Accounts {
		ms, err := p.Tenancy.Members(ctx, pid, a.ID)
		must("members", err)
		s.Members = append(s.Members, ms)
		b, err := p.Licensing.Balances(ctx, pid, a.ID)
		must("balances", err)
		s.Balances = append(s.Balances, b)
	}
	s.Allocations, err = p.Tenancy.Allocations(ctx, pid)
	must("allocations", err)
	s.Pools, err = p.Tenancy.Pools(ctx, pid)
	must("pools", err)
	s.Assignments, err = p.Tenancy.Assignments(ctx, pid)
	must("assignments", err)
	lics, err := p.Licensing.ListLicenses(ctx, licensing.ListLicensesParams{PlatformID: pid, Limit: 500})
	must("licenses", err)
	s.Licenses = lics.Licenses
	for _, l := range s.Licenses {
		h, err := p.Licensing.History(ctx, pid, l.ID)
		must("history", err)
		s.History = append(s.History, h)
	}
	s.Plans, err = p.Licensing.Plans(ctx, pid)
	must("plans", err)
	invs, err := p.Invites.List(ctx, invites.ListParams{PlatformID: pid, Limit: 500})
	must("invitations", err)
	s.Invitations = invs.Invitations
	s.Sessions, err = p.Impersonation.Sessions(ctx, impersonation.Query{PlatformID: pid, Limit: 1000})
	must("sessions", err)
	s.Theme, err = p.Branding.Theme(ctx, pid)
	must("theme", err)
	s.Domains, err = p.Branding.Domains(ctx, pid)
	must("domains", err)
	ev, err := p.Audit.List(ctx, audit.Query{PlatformID: pid, Limit: 1000})
	must("audit", err)
	s.Audit = ev.Events
	w.checkOwn(rt, k, s)
	return s
}

// checkOwn fails unless everything the snapshot of platform k holds is
// platform k's.
func (w *isoWorld) checkOwn(rt *rapid.T, k int, s snapshot) {
	pid := w.plats[k].id
	bad := func(what, got string) {
		if got != pid {
			rt.Fatalf("p%d's %s carries platform %s", k, what, got)
		}
	}
	foreign := map[string]bool{}
	for j, pm := range w.plats {
		if j == k {
			continue
		}
		for _, a := range pm.accts {
			foreign[a.id] = true
		}
		for _, u := range pm.users {
			foreign[u.id] = true
		}
	}
	for _, a := range s.Accounts {
		bad("account", a.PlatformID)
		if foreign[a.ID] || foreign[a.PrimaryUserID] {
			rt.Fatalf("p%d lists account %s of another platform", k, a.ID)
		}
	}
	for _, u := range s.Users {
		bad("user", u.PlatformID)
		if foreign[u.ID] {
			rt.Fatalf("p%d lists user %s of another platform", k, u.ID)
		}
	}
	for _, ms := range s.Members {
		for _, m := range ms {
			bad("member", m.PlatformID)
			if foreign[m.UserID] {
				rt.Fatalf("p%d lists a member of another platform", k)
			}
		}
	}
	for _, a := range s.Allocations {
		bad("allocation", a.PlatformID)
	}
	for _, l := range s.Licenses {
		bad("license", l.PlatformID)
	}
	for _, pl := range s.Plans {
		bad("plan", pl.PlatformID)
	}
	for _, inv := range s.Invitations {
		bad("invitation", inv.PlatformID)
	}
	for _, se := range s.Sessions {
		bad("session", se.PlatformID)
		if foreign[se.ActorID] || foreign[se.SubjectID] || foreign[se.AccountID] {
			rt.Fatalf("p%d lists a session naming another platform's user or account: %+v", k, se)
		}
	}
	for _, d := range s.Domains {
		bad("domain", d.PlatformID)
	}
	for _, e := range s.Audit {
		bad("audit event", e.PlatformID)
		if foreign[e.ActorID] || foreign[e.OnBehalfOfID] {
			rt.Fatalf("p%d's audit trail names a user of another platform: %+v", k, e)
		}
	}
}

// diff names the first part of two snapshots that differs, or "".
func diff(a, b snapshot) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			return fmt.Sprintf("%s: before %+v, after %+v", va.Type().Field(i).Name, va.Field(i).Interface(), vb.Field(i).Interface())
		}
	}
	return ""
}
