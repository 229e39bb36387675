package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/invites"
)

// testRoundTrip stores invitations of every kind and state with every
// field set and reads them back by ID and by token hash.
func testRoundTrip(t *testing.T, h Harness) {
	e := setup(t, h)
	var stored []invites.Invitation
	for _, k := range []invites.Kind{invites.KindAccount, invites.KindTeamMember, invites.KindManager, invites.KindStaff} {
		stored = append(stored, e.invitation(func(i *invites.Invitation) { i.Kind = k }))
	}
	decidedAt := at(2*day + 7*time.Microsecond)
	for _, s := range []invites.Status{invites.Accepted, invites.Declined, invites.Revoked} {
		stored = append(stored, e.invitation(decide(s, "user-"+newID(), decidedAt), func(i *invites.Invitation) {
			i.Version = 4
		}))
	}
	// Stored Expired, and stored Pending but past its expiry.
	stored = append(stored, e.invitation(func(i *invites.Invitation) { i.Status = invites.Expired }))
	stored = append(stored, e.invitation(func(i *invites.Invitation) { i.ExpiresAt = i.CreatedAt.Add(time.Microsecond) }))
	// A system inviter and a single permission.
	stored = append(stored, e.invitation(func(i *invites.Invitation) {
		i.InviterID, i.Permissions = "system:signup", []string{"billing.manage"}
	}))
	e.requireStored(stored...)
	requireInvitations(t, newestFirst(stored), e.list(invites.Query{}))
}

// testEmptyPermissionsAreNil stores invitations with nil and empty
// Permissions and sparse fields: both come back nil, the empty fields
// empty.
func testEmptyPermissionsAreNil(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, perms := range [][]string{nil, {}} {
		inv := e.invitation(func(i *invites.Invitation) {
			i.Kind, i.Permissions = invites.KindAccount, perms
			i.AccountID, i.ResourceID, i.Role = "", "", ""
		})
		got, err := e.s.Get(e.ctx, e.pid, inv.ID)
		require.NoError(t, err)
		require.Nil(t, got.Permissions, "permissions %#v come back nil", perms)
		require.True(t, got.DecidedAt.IsZero(), "DecidedAt stays zero")
		requireInvitation(t, inv, got)
		got, err = e.s.GetByToken(e.ctx, e.pid, inv.TokenHash)
		require.NoError(t, err)
		require.Nil(t, got.Permissions, "permissions %#v come back nil by token", perms)
	}
}

// testGetNotFound asks for an ID and a token hash that were never stored.
func testGetNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	inv := e.invitation()
	_, err := e.s.Get(e.ctx, e.pid, newID())
	require.ErrorIs(t, err, invites.ErrNotFound, "Get")
	_, err = e.s.GetByToken(e.ctx, e.pid, newTokenHash())
	require.ErrorIs(t, err, invites.ErrNotFound, "GetByToken")
	_, err = e.s.GetByToken(e.ctx, e.pid, inv.ID)
	require.ErrorIs(t, err, invites.ErrNotFound, "GetByToken with an ID")
}

// sameKey returns a new invitation for the same platform, kind, email,
// account and resource as inv, with its own ID and token hash.
func (e *env) sameKey(inv invites.Invitation, mods ...func(*invites.Invitation)) invites.Invitation {
	return e.newInvitation(append([]func(*invites.Invitation){func(i *invites.Invitation) {
		i.Kind, i.Email, i.AccountID, i.ResourceID = inv.Kind, inv.Email, inv.AccountID, inv.ResourceID
	}}, mods...)...)
}

// testInsertDuplicatePending checks that a pending invitation blocks
// another with the same kind, email, account and resource, whatever its
// other fields, and only that.
func testInsertDuplicatePending(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, k := range []invites.Kind{invites.KindAccount, invites.KindTeamMember, invites.KindManager, invites.KindStaff} {
		p := e.invitation(func(i *invites.Invitation) { i.Kind = k })

		e.requireInsertConflict(e.sameKey(p), "same key, "+string(k))
		e.requireInsertConflict(e.sameKey(p, func(i *invites.Invitation) {
			i.InviterID, i.Role, i.Permissions, i.AccountName = "user-"+newID(), "admin", []string{"x"}, "Other"
			i.ExpiresAt = i.ExpiresAt.Add(30 * day)
		}), "same key, other details, "+string(k))

		// One field different: each is allowed.
		var others []invites.Invitation
		for _, mod := range []func(*invites.Invitation){
			func(i *invites.Invitation) {
				i.Kind = invites.KindStaff
				if k == invites.KindStaff {
					i.Kind = invites.KindAccount
				}
			},
			func(i *invites.Invitation) { i.Email = newEmail() },
			func(i *invites.Invitation) { i.AccountID = "acct-" + newID() },
			func(i *invites.Invitation) { i.AccountID = "" },
			func(i *invites.Invitation) { i.ResourceID = "bot-" + newID() },
			func(i *invites.Invitation) { i.ResourceID = "" },
		} {
			inv := e.sameKey(p, mod)
			ev := e.event("invitation.create", inv)
			require.NoError(t, e.s.Insert(e.ctx, inv, ev), "key differs: %+v", inv)
			e.requireEvent(ev)
			others = append(others, inv)
		}
		e.requireStored(append(others, p)...)
	}
}

// testInsertAfterDecided checks that an accepted, declined or revoked
// invitation does not block a new one for the same person and place, and
// that the new one blocks the next.
func testInsertAfterDecided(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, s := range []invites.Status{invites.Accepted, invites.Declined, invites.Revoked} {
		// Decided by an update, as Service does.
		p := e.invitation(func(i *invites.Invitation) { i.Kind = invites.KindManager })
		decided := e.update(p, decide(s, "user-"+newID(), p.CreatedAt.Add(time.Minute)))
		again := e.sameKey(p)
		ev := e.event("invitation.create", again)
		require.NoError(t, e.s.Insert(e.ctx, again, ev), "after %s", s)
		e.requireEvent(ev)
		e.requireStored(decided, again)
		e.requireInsertConflict(e.sameKey(p), "after "+string(s)+" and a new pending one")

		// Inserted already decided.
		q := e.invitation(decide(s, "user-"+newID(), at(time.Minute)))
		e.insert(e.sameKey(q))
	}
}

// testInsertAfterExpired checks that an invitation stored Pending blocks
// another for the same person and place even past its expiry, until it is
// stored Expired (Service records that first).
func testInsertAfterExpired(t *testing.T, h Harness) {
	e := setup(t, h)
	p := e.invitation(func(i *invites.Invitation) { i.ExpiresAt = i.CreatedAt.Add(time.Second) })
	e.requireInsertConflict(e.sameKey(p), "stored pending, past its expiry")
	e.update(p, func(i *invites.Invitation) { i.Status = invites.Expired })
	e.insert(e.sameKey(p))

	r := e.invitation(func(i *invites.Invitation) { i.Status = invites.Expired })
	e.insert(e.sameKey(r))
}

// testInsertTokenHashInUse checks that a token hash held by another
// invitation of the platform is ErrConflict, whatever that one's state.
func testInsertTokenHashInUse(t *testing.T, h Harness) {
	e := setup(t, h)
	p := e.invitation()
	inv := e.newInvitation(func(i *invites.Invitation) { i.TokenHash = p.TokenHash })
	e.requireInsertConflict(inv, "token hash of a pending invitation")

	r := e.invitation(decide(invites.Revoked, actor, at(time.Minute)))
	inv = e.newInvitation(func(i *invites.Invitation) { i.TokenHash = r.TokenHash })
	e.requireInsertConflict(inv, "token hash of a revoked invitation")
	e.requireStored(p, r)
}
