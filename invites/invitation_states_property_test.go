package invites_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"pgregory.net/rapid"

	"github.com/tenantry/tenantry/audit"
	auditmem "github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/internal/proptest"
	"github.com/tenantry/tenantry/internal/testclock"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/invites/memstore"
	"github.com/tenantry/tenantry/invites/sqlstore"
)

// The invitation state machine as a property: random creates, resends,
// revocations, declines, acceptances, expiry sweeps and clock moves,
// checked after every step against a model written from the package
// documentation.
//
// The model's rules:
//   - an invitation is pending until accepted, declined, revoked or its
//     expiry (7 days after it was last sent; the instant itself has
//     expired), whatever is stored;
//   - create: a team-member invitation first holds a seat (refused when
//     none is free); an invitation for the same kind, email and place that
//     is pending now is ErrConflict, one past its expiry is recorded
//     expired (its seat released) and replaced;
//   - resend: a pending invitation, at least a minute after it was last
//     sent (ErrTooSoon), gets a new link (the old one is ErrNotFound from
//     then on) and a new expiry;
//   - revoke: pending only; decline: the invitee's email (ErrWrongRecipient,
//     checked before the state); accept: the state first (ErrExpired,
//     ErrRevoked, ErrDeclined, ErrUsed), then the email; a grant that fails
//     is ErrConflict and leaves the invitation pending;
//   - a team seat is held while its invitation is stored pending, and by
//     the member once accepted; revoke, decline and a recorded expiry give
//     it back; Expire records exactly the pending ones past their expiry;
//   - grants happen once per accepted invitation.

func TestInvitationStatesProperty(t *testing.T) {
	t.Run("memstore", func(t *testing.T) {
		rapid.Check(t, func(rt *rapid.T) { invitationStates(rt, memstore.New(auditmem.New()), 30) })
	})
	proptest.EachSQL(t, func(t *testing.T, db *sqlx.DB) {
		if err := sqlstore.Migrate(t.Context(), db); err != nil {
			t.Fatal(err)
		}
		store, err := sqlstore.New(db)
		if err != nil {
			t.Fatal(err)
		}
		proptest.Check(t, proptest.SQLRuns(), func(rt *rapid.T) { invitationStates(rt, store, 15) })
	})
}

var errSeatsFull = errors.New("no team seat free")

// seats is a team quota of a few seats per account.
type seats struct {
	mu   sync.Mutex
	cap  int
	held map[string]int
}

func (s *seats) Reserve(_ context.Context, _, accountID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[accountID] >= s.cap {
		return errSeatsFull
	}
	s.held[accountID]++
	return nil
}

func (s *seats) Release(_ context.Context, _, accountID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held[accountID]--
	return nil
}

type invModel struct {
	id, kind, email, account string
	status                   invites.Status
	sentAt, expiresAt        time.Time
	token                    string
	oldTokens                []string
}

func (m *invModel) at(now time.Time) invites.Status {
	if m.status == invites.Pending && !now.Before(m.expiresAt) {
		return invites.Expired
	}
	return m.status
}

// refusal is the error of an invitation that is no longer pending.
func refusal(s invites.Status) error {
	switch s {
	case invites.Pending:
		return nil
	case invites.Expired:
		return invites.ErrExpired
	case invites.Revoked:
		return invites.ErrRevoked
	case invites.Declined:
		return invites.ErrDeclined
	}
	return invites.ErrUsed
}

var errGrant = errors.New("grant refused by the host")

func invitationStates(rt *rapid.T, store invites.Store, maxSteps int) {
	ctx := audit.WithPrincipal(context.Background(), audit.System("property"))
	clock := testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	seatCap := rapid.IntRange(0, 2).Draw(rt, "seats per account")
	st := &seats{cap: seatCap, held: map[string]int{}}
	var grantMu sync.Mutex
	failGrant := false
	granted := map[string]int{}
	svc := invites.New(store, &invites.Config{
		Now: clock.Now, Seats: st, PerInviter: 1 << 20, PerPlatform: 1 << 20,
		Grant: func(_ context.Context, a invites.Acceptance) error {
			grantMu.Lock()
			defer grantMu.Unlock()
			if failGrant {
				return errGrant
			}
			granted[a.Invitation.ID]++
			return nil
		},
	})
	pid := audit.NewUUIDv7()
	emails := []string{"ann@example.com", "bob@example.com"}
	accounts := []string{"acc-a", "acc-b"}
	kinds := []invites.Kind{invites.KindTeamMember, invites.KindManager, invites.KindAccount}
	var invs []*invModel
	pick := func() *invModel { return rapid.SampledFrom(invs).Draw(rt, "invitation") }
	// token draws a link: an invitation's current one, or an old one.
	token := func(m *invModel) (string, bool) {
		if len(m.oldTokens) > 0 && rapid.Bool().Draw(rt, "old link") {
			return rapid.SampledFrom(m.oldTokens).Draw(rt, "old token"), false
		}
		return m.token, true
	}
	held := func(account string) int {
		n := 0
		for _, m := range invs {
			if m.kind == string(invites.KindTeamMember) && m.account == account && (m.status == invites.Pending || m.status == invites.Accepted) {
				n++
			}
		}
		return n
	}

	steps := proptest.Steps(rt, maxSteps)
	for i := range steps {
		ops := []string{"create", "clock", "expire"}
		if len(invs) > 0 {
			ops = append(ops, "resend", "revoke", "decline", "accept", "clock to expiry")
		}
		op := rapid.SampledFrom(ops).Draw(rt, "op")
		what := fmt.Sprintf("step %d: %s", i, op)
		now := clock.Now()
		switch op {
		case "create":
			kind := rapid.SampledFrom(kinds).Draw(rt, "kind")
			p := invites.CreateParams{PlatformID: pid, Kind: kind, Email: rapid.SampledFrom(emails).Draw(rt, "email")}
			if kind != invites.KindAccount {
				p.AccountID = rapid.SampledFrom(accounts).Draw(rt, "account")
			}
			if kind == invites.KindManager {
				p.ResourceID = "bot-1"
			}
			var want error
			var dups []*invModel
			for _, m := range invs {
				if m.kind == string(kind) && m.email == p.Email && m.account == p.AccountID && m.status == invites.Pending {
					dups = append(dups, m)
				}
			}
			if kind == invites.KindTeamMember && held(p.AccountID) >= seatCap {
				want = errSeatsFull
			} else {
				for _, d := range dups {
					if d.at(now) == invites.Pending {
						want = invites.ErrConflict
					}
				}
			}
			c, err := svc.Create(ctx, p)
			proptest.Expect(rt, what, err, want)
			if err != nil {
				break
			}
			for _, d := range dups {
				d.status = invites.Expired
			}
			invs = append(invs, &invModel{id: c.Invitation.ID, kind: string(kind), email: p.Email, account: p.AccountID,
				status: invites.Pending, sentAt: now, expiresAt: now.Add(invites.DefaultTTL), token: c.Token})
		case "resend":
			m := pick()
			want := refusal(m.at(now))
			if want == nil && now.Before(m.sentAt.Add(invites.DefaultResendCooldown)) {
				want = invites.ErrTooSoon
			}
			c, err := svc.Resend(ctx, pid, m.id)
			proptest.Expect(rt, what, err, want)
			if err == nil {
				m.oldTokens = append(m.oldTokens, m.token)
				m.token, m.sentAt, m.expiresAt = c.Token, now, now.Add(invites.DefaultTTL)
			}
		case "revoke":
			m := pick()
			_, err := svc.Revoke(ctx, pid, m.id)
			want := refusal(m.at(now))
			proptest.Expect(rt, what, err, want)
			if want == nil {
				m.status = invites.Revoked
			}
		case "decline":
			m := pick()
			tok, current := token(m)
			email := rapid.SampledFrom(emails).Draw(rt, "invitee")
			_, err := svc.Decline(ctx, pid, tok, "user-1", email)
			var want error
			switch {
			case !current:
				want = invites.ErrNotFound
			case email != m.email:
				want = invites.ErrWrongRecipient
			default:
				want = refusal(m.at(now))
			}
			proptest.Expect(rt, what, err, want)
			if err == nil {
				m.status = invites.Declined
			}
		case "accept":
			m := pick()
			tok, current := token(m)
			email := rapid.SampledFrom(emails).Draw(rt, "invitee")
			fail := rapid.IntRange(0, 4).Draw(rt, "grant fails") == 0
			grantMu.Lock()
			failGrant = fail
			grantMu.Unlock()
			_, err := svc.Accept(ctx, invites.AcceptParams{PlatformID: pid, Token: tok, UserID: "user-1", UserEmail: email})
			var want error
			switch {
			case !current:
				want = invites.ErrNotFound
			case refusal(m.at(now)) != nil:
				want = refusal(m.at(now))
			case email != m.email:
				want = invites.ErrWrongRecipient
			case fail:
				want = invites.ErrConflict
			}
			proptest.Expect(rt, what, err, want)
			if err == nil {
				m.status = invites.Accepted
			}
		case "expire":
			want := 0
			for _, m := range invs {
				if m.status == invites.Pending && m.at(now) == invites.Expired {
					m.status = invites.Expired
					want++
				}
			}
			n, err := svc.Expire(ctx, pid)
			proptest.Expect(rt, what, err, nil)
			if n != want {
				rt.Fatalf("%s: expired %d, the model %d", what, n, want)
			}
		case "clock":
			clock.Advance(rapid.SampledFrom([]time.Duration{30 * time.Second, time.Minute, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}).Draw(rt, "advance"))
		case "clock to expiry":
			if m := pick(); m.expiresAt.After(now) {
				clock.Advance(m.expiresAt.Sub(now))
			}
		}
		checkInvitations(rt, svc, st, pid, invs, accounts, granted, &grantMu, clock.Now(), what, held)
	}
}

// checkInvitations compares the stored invitations, their links, the
// pending listing, the seats held and the grants with the model.
func checkInvitations(rt *rapid.T, svc *invites.Service, st *seats, pid string, invs []*invModel, accounts []string,
	granted map[string]int, grantMu *sync.Mutex, now time.Time, after string, held func(string) int) {
	ctx := context.Background()
	page, err := svc.List(ctx, invites.ListParams{PlatformID: pid, Limit: 500})
	proptest.Expect(rt, after+": list", err, nil)
	if len(page.Invitations) != len(invs) {
		rt.Fatalf("%s: %d invitations stored, the model %d", after, len(page.Invitations), len(invs))
	}
	byID := map[string]invites.Invitation{}
	for _, inv := range page.Invitations {
		byID[inv.ID] = inv
	}
	var wantPending []string
	grantMu.Lock()
	defer grantMu.Unlock()
	for _, m := range invs {
		inv, ok := byID[m.id]
		if !ok {
			rt.Fatalf("%s: invitation %s is not listed", after, m.id)
		}
		if inv.Status != m.status || !inv.ExpiresAt.Equal(m.expiresAt) || !inv.SentAt.Equal(m.sentAt) {
			rt.Fatalf("%s: invitation is %s, expires %v, sent %v; the model says %s, %v, %v",
				after, inv.Status, inv.ExpiresAt, inv.SentAt, m.status, m.expiresAt, m.sentAt)
		}
		if got, want := inv.StatusAt(now), m.at(now); got != want {
			rt.Fatalf("%s: invitation is %s now, the model says %s", after, got, want)
		}
		if m.at(now) == invites.Pending {
			wantPending = append(wantPending, m.id)
		}
		if _, err := svc.Preview(ctx, pid, m.token); err != nil {
			rt.Fatalf("%s: the current link does not open its invitation: %v", after, err)
		}
		for _, old := range m.oldTokens {
			_, err := svc.Preview(ctx, pid, old)
			proptest.Expect(rt, after+": old link", err, invites.ErrNotFound)
		}
		want := 0
		if m.status == invites.Accepted {
			want = 1
		}
		if granted[m.id] != want {
			rt.Fatalf("%s: invitation granted %d times, the model %d", after, granted[m.id], want)
		}
	}
	pending, err := svc.List(ctx, invites.ListParams{PlatformID: pid, OnlyPending: true, Limit: 500})
	proptest.Expect(rt, after+": list pending", err, nil)
	var gotPending []string
	for _, inv := range pending.Invitations {
		gotPending = append(gotPending, inv.ID)
	}
	slices.Sort(gotPending)
	slices.Sort(wantPending)
	if !slices.Equal(gotPending, wantPending) {
		rt.Fatalf("%s: pending %v, the model %v", after, gotPending, wantPending)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, acc := range accounts {
		if st.held[acc] != held(acc) {
			rt.Fatalf("%s: %d seats held on %s, the model %d", after, st.held[acc], acc, held(acc))
		}
	}
}
