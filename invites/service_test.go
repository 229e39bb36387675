package invites_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/invites/memstore"
)

type fixture struct {
	svc     *invites.Service
	store   *memstore.Store
	now     time.Time
	mu      sync.Mutex
	sent    []invites.Message
	granted []invites.Acceptance
	refuse  error
	ctx     context.Context
}

func newFixture(t testing.TB, cfg *invites.Config) *fixture {
	f := &fixture{store: memstore.New(nil), now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		ctx: audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p1", UserID: "inviter-1"})}
	c := invites.Config{}
	if cfg != nil {
		c = *cfg
	}
	c.Now = func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
	if c.Mailer == nil {
		c.Mailer = invites.MailerFunc(func(_ context.Context, m invites.Message) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.sent = append(f.sent, m)
			return nil
		})
	}
	c.LinkURL = func(inv invites.Invitation, token string) string { return "https://app.acme.example/invite?t=" + token }
	c.Grant = func(_ context.Context, a invites.Acceptance) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.refuse != nil {
			return f.refuse
		}
		f.granted = append(f.granted, a)
		return nil
	}
	f.svc = invites.New(f.store, &c)
	return f
}

func (f *fixture) advance(d time.Duration) { f.mu.Lock(); f.now = f.now.Add(d); f.mu.Unlock() }

func (f *fixture) grants() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.granted) }

func (f *fixture) invite(t *testing.T, email string) invites.Created {
	c, err := f.svc.Create(f.ctx, invites.CreateParams{PlatformID: "p1", Kind: invites.KindTeamMember, Email: email, AccountID: "acc-1", Permissions: []string{"live_chat"}})
	require.NoError(t, err)
	return c
}

func (f *fixture) accept(token, email string) error {
	_, err := f.svc.Accept(context.Background(), invites.AcceptParams{PlatformID: "p1", Token: token, UserID: "user-9", UserEmail: email})
	return err
}

// TestAcceptRefusals: every way of accepting wrongly is refused with its own
// error, and nothing is granted.
func TestAcceptRefusals(t *testing.T) {
	f := newFixture(t, nil)
	c := f.invite(t, "Anna.Berg@Example.com")
	assert.Equal(t, "anna.berg@example.com", c.Invitation.Email)
	for name, email := range map[string]string{
		"another email":       "someone@example.com",
		"plus address":        "anna.berg+x@example.com",
		"cyrillic look-alike": "аnna.berg@example.com",
		"look-alike domain":   "anna.berg@exаmple.com",
		"not an email":        "anna.berg",
	} {
		require.ErrorIs(t, f.accept(c.Token, email), invites.ErrWrongRecipient, name)
	}
	require.ErrorIs(t, f.accept("not-a-token", "anna.berg@example.com"), invites.ErrNotFound)
	assert.Zero(t, f.grants())

	// The same address in another case is the same person.
	require.NoError(t, f.accept(c.Token, "ANNA.BERG@example.COM"))
	require.ErrorIs(t, f.accept(c.Token, "anna.berg@example.com"), invites.ErrUsed)
	assert.Equal(t, 1, f.grants())

	expired := f.invite(t, "exp@example.com")
	f.advance(invites.DefaultTTL)
	require.ErrorIs(t, f.accept(expired.Token, "exp@example.com"), invites.ErrExpired)

	revoked := f.invite(t, "rev@example.com")
	_, err := f.svc.Revoke(f.ctx, "p1", revoked.Invitation.ID)
	require.NoError(t, err)
	require.ErrorIs(t, f.accept(revoked.Token, "rev@example.com"), invites.ErrRevoked)

	resent := f.invite(t, "res@example.com")
	_, err = f.svc.Resend(f.ctx, "p1", resent.Invitation.ID)
	require.ErrorIs(t, err, invites.ErrTooSoon)
	f.advance(invites.DefaultResendCooldown)
	fresh, err := f.svc.Resend(f.ctx, "p1", resent.Invitation.ID)
	require.NoError(t, err)
	require.ErrorIs(t, f.accept(resent.Token, "res@example.com"), invites.ErrNotFound, "the old link died")

	declined := f.invite(t, "dec@example.com")
	_, err = f.svc.Decline(context.Background(), "p1", declined.Token, "user-7", "dec@example.com")
	require.NoError(t, err)
	require.ErrorIs(t, f.accept(declined.Token, "dec@example.com"), invites.ErrDeclined)
	assert.Equal(t, 1, f.grants(), "nothing granted by any refusal")

	require.NoError(t, f.accept(fresh.Token, "res@example.com"))
	assert.Equal(t, 2, f.grants())
}

// TestAcceptOnceUnderRace: 50 accepts of one invitation at once grant once.
func TestAcceptOnceUnderRace(t *testing.T) {
	f := newFixture(t, nil)
	c := f.invite(t, "race@example.com")
	var wg sync.WaitGroup
	errs := make([]error, 50)
	start := make(chan struct{})
	for i := range errs {
		wg.Go(func() { <-start; errs[i] = f.accept(c.Token, "race@example.com") })
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			require.ErrorIs(t, err, invites.ErrUsed)
		}
	}
	assert.Equal(t, 1, ok)
	assert.Equal(t, 1, f.grants())
}

// TestGrantFailureUndoesAcceptance: a refused grant leaves the invitation
// pending, to be accepted again.
func TestGrantFailureUndoesAcceptance(t *testing.T) {
	f := newFixture(t, nil)
	c := f.invite(t, "undo@example.com")
	f.refuse = errors.New("account is locked")
	require.ErrorIs(t, f.accept(c.Token, "undo@example.com"), invites.ErrConflict)
	f.refuse = nil
	require.NoError(t, f.accept(c.Token, "undo@example.com"))
	assert.Equal(t, 1, f.grants())
}

// TestTeamSeats: a team of 10 with 10 pending invitations refuses the 11th;
// revoking one frees its seat.
func TestTeamSeats(t *testing.T) {
	seats := &seatCounter{limit: 10}
	f := newFixture(t, &invites.Config{Seats: seats})
	var ids []string
	for i := range 10 {
		ids = append(ids, f.invite(t, "m"+string(rune('a'+i))+"@team.example").Invitation.ID)
	}
	_, err := f.svc.Create(f.ctx, invites.CreateParams{PlatformID: "p1", Kind: invites.KindTeamMember, Email: "eleven@team.example", AccountID: "acc-1"})
	require.ErrorIs(t, err, errNoSeat)
	_, err = f.svc.Revoke(f.ctx, "p1", ids[0])
	require.NoError(t, err)
	f.invite(t, "eleven@team.example")
	assert.Equal(t, 10, seats.used)
	// Expiry releases seats too.
	f.advance(invites.DefaultTTL)
	n, err := f.svc.Expire(audit.WithPrincipal(context.Background(), audit.System("sweeper")), "p1")
	require.NoError(t, err)
	assert.Equal(t, 10, n)
	assert.Equal(t, 0, seats.used)
}

var errNoSeat = errors.New("team quota reached")

type seatCounter struct {
	mu          sync.Mutex
	limit, used int
}

func (s *seatCounter) Reserve(context.Context, string, string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used >= s.limit {
		return errNoSeat
	}
	s.used++
	return nil
}

func (s *seatCounter) Release(context.Context, string, string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used--
	return nil
}

func TestCreateChecksAndLimits(t *testing.T) {
	f := newFixture(t, &invites.Config{PerInviter: 2, PerPlatform: 3})
	bad := map[string]invites.CreateParams{
		"email":       {PlatformID: "p1", Kind: invites.KindAccount, Email: "nope"},
		"kind":        {PlatformID: "p1", Kind: "emperor", Email: "a@x.example"},
		"account_id":  {PlatformID: "p1", Kind: invites.KindTeamMember, Email: "a@x.example"},
		"resource_id": {PlatformID: "p1", Kind: invites.KindManager, Email: "a@x.example", AccountID: "acc-1"},
		"role":        {PlatformID: "p1", Kind: invites.KindStaff, Email: "a@x.example", Role: "owner"},
	}
	for field, p := range bad {
		_, err := f.svc.Create(f.ctx, p)
		var ie *invites.InvalidError
		require.ErrorAs(t, err, &ie, field)
		assert.Equal(t, field, ie.Field)
	}
	_, err := f.svc.Create(context.Background(), invites.CreateParams{PlatformID: "p1", Kind: invites.KindAccount, Email: "a@x.example"})
	require.ErrorIs(t, err, invites.ErrForbidden, "no principal")
	f.invite(t, "one@x.example")
	f.invite(t, "two@x.example")
	_, err = f.svc.Create(f.ctx, invites.CreateParams{PlatformID: "p1", Kind: invites.KindAccount, Email: "three@x.example"})
	require.ErrorIs(t, err, invites.ErrRateLimited, "per inviter")
	other := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p1", UserID: "inviter-2"})
	_, err = f.svc.Create(other, invites.CreateParams{PlatformID: "p1", Kind: invites.KindAccount, Email: "three@x.example"})
	require.NoError(t, err)
	_, err = f.svc.Create(other, invites.CreateParams{PlatformID: "p1", Kind: invites.KindAccount, Email: "four@x.example"})
	require.ErrorIs(t, err, invites.ErrRateLimited, "per platform")
	f.advance(invites.DefaultWindow + time.Second)
	_, err = f.svc.Create(other, invites.CreateParams{PlatformID: "p1", Kind: invites.KindAccount, Email: "four@x.example"})
	require.NoError(t, err, "a new window")
	_, err = f.svc.Create(other, invites.CreateParams{PlatformID: "p1", Kind: invites.KindAccount, Email: "four@x.example"})
	require.ErrorIs(t, err, invites.ErrConflict, "already pending for that person and place")
}

func TestListsAndPanel(t *testing.T) {
	f := newFixture(t, nil)
	f.invite(t, "x@list.example")
	_, err := f.svc.Create(f.ctx, invites.CreateParams{PlatformID: "p1", Kind: invites.KindManager, Email: "X@List.example", AccountID: "acc-2", ResourceID: "bot-1"})
	require.NoError(t, err)
	panel, err := f.svc.PendingFor(context.Background(), "p1", "x@LIST.example")
	require.NoError(t, err)
	assert.Len(t, panel, 2)
	byResource, err := f.svc.List(context.Background(), invites.ListParams{PlatformID: "p1", ResourceID: "bot-1", OnlyPending: true})
	require.NoError(t, err)
	require.Len(t, byResource.Invitations, 1)
	byInviter, err := f.svc.List(context.Background(), invites.ListParams{PlatformID: "p1", InviterID: "inviter-1", Limit: 1})
	require.NoError(t, err)
	require.Len(t, byInviter.Invitations, 1)
	next, err := f.svc.List(context.Background(), invites.ListParams{PlatformID: "p1", InviterID: "inviter-1", Limit: 1, After: byInviter.Next})
	require.NoError(t, err)
	require.Len(t, next.Invitations, 1)
	assert.NotEqual(t, byInviter.Invitations[0].ID, next.Invitations[0].ID)
	// The email went out, branded defaults, with the link.
	require.Len(t, f.sent, 2)
	assert.Equal(t, "x@list.example", f.sent[0].To)
	assert.True(t, strings.Contains(f.sent[0].Text, "https://app.acme.example/invite?t="))
}

// FuzzAcceptToken: whatever a link carries, Accept refuses it cleanly.
func FuzzAcceptToken(f *testing.F) {
	f.Add("")
	f.Add("AAAA")
	f.Add(strings.Repeat("A", 43))
	f.Add("../../etc/passwd")
	fx := newFixture(f, nil)
	f.Fuzz(func(t *testing.T, token string) {
		_, err := fx.svc.Accept(context.Background(), invites.AcceptParams{PlatformID: "p1", Token: token, UserID: "u", UserEmail: "a@b.example"})
		if !errors.Is(err, invites.ErrNotFound) {
			t.Fatalf("token %q: %v", token, err)
		}
	})
}
