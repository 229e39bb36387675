package impersonation_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"pgregory.net/rapid"

	"github.com/tenantry/tenantry/audit"
	auditmem "github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/impersonation/memstore"
	"github.com/tenantry/tenantry/impersonation/sqlstore"
	"github.com/tenantry/tenantry/internal/proptest"
	"github.com/tenantry/tenantry/internal/testclock"
)

// Impersonation sessions as a state machine property: random starts,
// resolves, exits, revocations, account closures, sweeps, changes of the
// people and the account involved, and clock moves, checked after every
// step against a model written from the package documentation.
//
// The model's rules:
//   - Start: active staff into an active, unlocked account whose primary
//     user is an active regular user; secure accounts by secure operators
//     only (ErrActorNotStaff, ErrSecureAccount, ErrAccountLocked,
//     ErrAccountDisabled, ErrTargetStaff, ErrTargetInactive, in the
//     policy's order); the session lasts at most Config.MaxDuration;
//   - Resolve: an ended session is ErrEnded; at or past its expiry it is
//     ErrExpired and ends; a session the policy now refuses ends with the
//     refusal; otherwise it resolves;
//   - Exit: ErrEnded once ended, ErrExpired (and ended) past expiry,
//     otherwise it ends (refused as ErrActorNotStaff when the actor's user
//     is no longer active, but ended all the same);
//   - Revoke ends any session not ended yet (ErrEnded after); EndAccount
//     ends every session of the account; Sweep ends exactly the sessions
//     past their expiry.

func TestSessionStatesProperty(t *testing.T) {
	t.Run("memstore", func(t *testing.T) {
		rapid.Check(t, func(rt *rapid.T) { sessionStates(rt, memstore.New(auditmem.New()), 40) })
	})
	proptest.EachSQL(t, func(t *testing.T, db *sqlx.DB) {
		if err := sqlstore.Migrate(t.Context(), db); err != nil {
			t.Fatal(err)
		}
		store, err := sqlstore.New(db)
		if err != nil {
			t.Fatal(err)
		}
		proptest.Check(t, proptest.SQLRuns(), func(rt *rapid.T) { sessionStates(rt, store, 20) })
	})
}

// dir is a Directory the property changes as it goes.
type dir struct {
	users map[string]*impersonation.User
	acc   impersonation.Account
}

func (d *dir) User(_ context.Context, _, id string) (impersonation.User, error) {
	if u, ok := d.users[id]; ok {
		return *u, nil
	}
	return impersonation.User{}, impersonation.ErrNotFound
}

func (d *dir) Account(_ context.Context, _, id string) (impersonation.Account, error) {
	if id != d.acc.ID {
		return impersonation.Account{}, impersonation.ErrNotFound
	}
	return d.acc, nil
}

func (d *dir) IsMember(_ context.Context, _, accountID, userID string) (bool, error) {
	return accountID == d.acc.ID && userID == d.acc.PrimaryUserID, nil
}

func (d *dir) IsAssigned(context.Context, string, string, string) (bool, error) { return true, nil }

type sessModel struct {
	id, token, actor string
	expires          time.Time
	ended            bool
}

// policy is the model's answer to "may actor enter the account now".
func (d *dir) policy(actor string) error {
	a, s := d.users[actor], d.users[d.acc.PrimaryUserID]
	switch {
	case !a.Active || !a.Role.IsStaff():
		return impersonation.ErrActorNotStaff
	case d.acc.Secure && a.Role != impersonation.RoleSecureOperator:
		return impersonation.ErrSecureAccount
	case d.acc.Locked:
		return impersonation.ErrAccountLocked
	case d.acc.Disabled:
		return impersonation.ErrAccountDisabled
	case s.Role.IsStaff():
		return impersonation.ErrTargetStaff
	case !s.Active:
		return impersonation.ErrTargetInactive
	}
	return nil
}

func sessionStates(rt *rapid.T, store impersonation.Store, maxSteps int) {
	clock := testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	pid := audit.NewUUIDv7()
	d := &dir{
		users: map[string]*impersonation.User{
			"op":   {ID: "op", Email: "op@example.com", Role: impersonation.RoleOperator, Active: true},
			"sop":  {ID: "sop", Email: "sop@example.com", Role: impersonation.RoleSecureOperator, Active: true},
			"cust": {ID: "cust", Email: "cust@example.com", Role: impersonation.RoleRegular, Active: true},
		},
		acc: impersonation.Account{ID: "acc", Name: "Acme", PrimaryUserID: "cust"},
	}
	svc := impersonation.New(store, d, &impersonation.Config{Now: clock.Now})
	sys := audit.WithPrincipal(context.Background(), audit.System("property"))
	as := func(id string) context.Context {
		return audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: pid, UserID: id})
	}
	var sessions []*sessModel
	pick := func() *sessModel { return rapid.SampledFrom(sessions).Draw(rt, "session") }

	steps := proptest.Steps(rt, maxSteps)
	for i := range steps {
		ops := []string{"start", "clock", "sweep", "end account", "lock", "unlock", "disable", "enable", "secure", "insecure",
			"disable subject", "enable subject", "demote actor", "promote actor", "disable actor", "enable actor"}
		if len(sessions) > 0 {
			ops = append(ops, "resolve", "exit", "revoke", "clock to expiry")
		}
		op := rapid.SampledFrom(ops).Draw(rt, "op")
		what := fmt.Sprintf("step %d: %s", i, op)
		now := clock.Now().UTC().Truncate(time.Microsecond)
		switch op {
		case "start":
			actor := rapid.SampledFrom([]string{"op", "sop"}).Draw(rt, "actor")
			dur := rapid.SampledFrom([]time.Duration{0, time.Minute, 30 * time.Minute, 2 * time.Hour}).Draw(rt, "duration")
			st, err := svc.Start(as(actor), impersonation.StartParams{PlatformID: pid, AccountID: "acc", Mode: impersonation.AsClient, Duration: dur})
			want := d.policy(actor)
			proptest.Expect(rt, what+" by "+actor, err, want)
			if err == nil {
				if dur == 0 || dur > impersonation.DefaultMaxDuration {
					dur = impersonation.DefaultMaxDuration
				}
				sessions = append(sessions, &sessModel{id: st.Session.ID, token: st.Token, actor: actor, expires: now.Add(dur)})
			}
		case "resolve":
			s := pick()
			_, err := svc.Resolve(context.Background(), pid, s.token)
			var want error
			switch {
			case s.ended:
				want = impersonation.ErrEnded
			case !now.Before(s.expires):
				want = impersonation.ErrExpired
			default:
				want = d.policy(s.actor)
			}
			proptest.Expect(rt, what, err, want)
			if want != nil {
				s.ended = true
			}
		case "exit":
			s := pick()
			_, err := svc.Exit(context.Background(), pid, s.token)
			var want error
			switch {
			case s.ended:
				want = impersonation.ErrEnded
			case !now.Before(s.expires):
				want = impersonation.ErrExpired
			case !d.users[s.actor].Active:
				want = impersonation.ErrActorNotStaff
			}
			proptest.Expect(rt, what, err, want)
			s.ended = true
		case "revoke":
			s := pick()
			_, err := svc.Revoke(sys, pid, s.id)
			var want error
			if s.ended {
				want = impersonation.ErrEnded
			}
			proptest.Expect(rt, what, err, want)
			s.ended = true
		case "end account":
			ended, err := svc.EndAccount(sys, pid, "acc")
			proptest.Expect(rt, what, err, nil)
			want := 0
			for _, s := range sessions {
				if !s.ended {
					s.ended = true
					want++
				}
			}
			if len(ended) != want {
				rt.Fatalf("%s: ended %d sessions, the model %d", what, len(ended), want)
			}
		case "sweep":
			n, err := svc.Sweep(sys, pid, 0)
			proptest.Expect(rt, what, err, nil)
			want := 0
			for _, s := range sessions {
				if !s.ended && !now.Before(s.expires) {
					s.ended = true
					want++
				}
			}
			if n != want {
				rt.Fatalf("%s: swept %d sessions, the model %d", what, n, want)
			}
		case "clock":
			clock.Advance(rapid.SampledFrom([]time.Duration{time.Minute, 29 * time.Minute, time.Hour}).Draw(rt, "advance"))
		case "clock to expiry":
			if s := pick(); s.expires.After(now) {
				clock.Advance(s.expires.Sub(now))
			}
		case "lock", "unlock":
			d.acc.Locked = op == "lock"
		case "disable", "enable":
			d.acc.Disabled = op == "disable"
		case "secure", "insecure":
			d.acc.Secure = op == "secure"
		case "disable subject", "enable subject":
			d.users["cust"].Active = op == "enable subject"
		case "demote actor", "promote actor", "disable actor", "enable actor":
			a := d.users[rapid.SampledFrom([]string{"op", "sop"}).Draw(rt, "actor")]
			switch op {
			case "demote actor":
				a.Role = impersonation.RoleRegular
			case "promote actor":
				a.Role = impersonation.RoleOperator
				if a.ID == "sop" {
					a.Role = impersonation.RoleSecureOperator
				}
			default:
				a.Active = op == "enable actor"
			}
		}
		checkSessions(rt, svc, pid, sessions, clock.Now(), what)
	}
}

// checkSessions compares the stored sessions with the model.
func checkSessions(rt *rapid.T, svc *impersonation.Service, pid string, sessions []*sessModel, now time.Time, after string) {
	got, err := svc.Sessions(context.Background(), impersonation.Query{PlatformID: pid, Limit: 1000})
	proptest.Expect(rt, after+": sessions", err, nil)
	if len(got) != len(sessions) {
		rt.Fatalf("%s: %d sessions stored, the model %d", after, len(got), len(sessions))
	}
	byID := map[string]impersonation.Session{}
	for _, s := range got {
		byID[s.ID] = s
	}
	for _, m := range sessions {
		s := byID[m.id]
		if s.EndedAt.IsZero() == m.ended || !s.ExpiresAt.Equal(m.expires) {
			rt.Fatalf("%s: session ended at %v, expires %v; the model: ended %v, expires %v", after, s.EndedAt, s.ExpiresAt, m.ended, m.expires)
		}
		if want := !m.ended && now.Before(m.expires); s.ActiveAt(now) != want {
			rt.Fatalf("%s: session active %v, the model %v", after, s.ActiveAt(now), want)
		}
	}
	live, err := svc.Sessions(context.Background(), impersonation.Query{PlatformID: pid, ActiveAt: now, Limit: 1000})
	proptest.Expect(rt, after+": live sessions", err, nil)
	want := 0
	for _, m := range sessions {
		if !m.ended && now.Before(m.expires) {
			want++
		}
	}
	if len(live) != want {
		rt.Fatalf("%s: %d live sessions listed, the model %d", after, len(live), want)
	}
}
