package invites

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/internal/validate"
)

// ListParams selects a page of a platform's invitations: pending ones by
// inviter, by account, by resource, or by invitee email.
type ListParams struct {
	PlatformID string
	// OnlyPending keeps invitations that can still be accepted now.
	OnlyPending bool
	Kind        Kind
	InviterID   string
	AccountID   string
	ResourceID  string
	// Email keeps invitations to that address (any case or IDNA form).
	Email string
	// After is Next of the previous page.
	After string
	// Limit defaults to 50; at most 500.
	Limit int
}

// Page is one page of invitations and the next page's cursor.
type Page struct {
	Invitations []Invitation
	Next        string
}

type cursorJSON struct {
	At int64  `json:"t"`
	ID string `json:"i"`
}

// List returns one page of invitations, newest first.
func (s *Service) List(ctx context.Context, p ListParams) (Page, error) {
	const op = "invites: list: %w"
	if err := checkIDs("platform_id", p.PlatformID, "kind", string(p.Kind), "inviter_id", p.InviterID, "account_id", p.AccountID, "resource_id", p.ResourceID); err != nil {
		return Page{}, fmt.Errorf(op, err)
	}
	q := Query{PlatformID: p.PlatformID, Kind: p.Kind, InviterID: p.InviterID, AccountID: p.AccountID, ResourceID: p.ResourceID}
	if p.OnlyPending {
		q.PendingAt = s.now()
	}
	if p.Email != "" {
		e, err := validate.Email(p.Email)
		if err != nil {
			return Page{}, fmt.Errorf(op, invalid("email", err.Error()))
		}
		q.Email = e
	}
	switch {
	case p.Limit == 0:
		p.Limit = 50
	case p.Limit < 0 || p.Limit > 500:
		return Page{}, fmt.Errorf(op, invalid("limit", "must be between 1 and 500"))
	}
	q.Limit = p.Limit + 1
	if p.After != "" {
		var c cursorJSON
		b, err := base64.RawURLEncoding.DecodeString(p.After)
		if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" || validate.ID(c.ID) != nil {
			return Page{}, fmt.Errorf(op, invalid("after", "is not a cursor from a previous page"))
		}
		q.After = &Cursor{CreatedAt: time.UnixMicro(c.At).UTC(), ID: c.ID}
	}
	invs, err := s.store.List(ctx, q)
	if err != nil {
		return Page{}, fmt.Errorf(op, err)
	}
	out := Page{Invitations: invs}
	if len(invs) > p.Limit {
		out.Invitations = invs[:p.Limit]
		last := out.Invitations[p.Limit-1]
		b, _ := json.Marshal(cursorJSON{At: last.CreatedAt.UnixMicro(), ID: last.ID})
		out.Next = base64.RawURLEncoding.EncodeToString(b)
	}
	return out, nil
}

// PendingFor lists the invitations a user may accept now (the "you have a
// pending invitation" panel), by the user's email.
func (s *Service) PendingFor(ctx context.Context, platformID, email string) ([]Invitation, error) {
	page, err := s.List(ctx, ListParams{PlatformID: platformID, OnlyPending: true, Email: email, Limit: 500})
	if err != nil {
		return nil, err
	}
	return page.Invitations, nil
}

// Expire records as expired the platform's pending invitations past their
// expiry, releasing the team seats they held; run it from a background job
// as a system principal. It returns how many it expired.
func (s *Service) Expire(ctx context.Context, platformID string) (int, error) {
	const op = "invites: expire: %w"
	if err := checkIDs("platform_id", platformID); err != nil {
		return 0, fmt.Errorf(op, err)
	}
	n := 0
	var after *Cursor
	for {
		invs, err := s.store.List(ctx, Query{PlatformID: platformID, Status: Pending, After: after, Limit: 200})
		if err != nil {
			return n, fmt.Errorf(op, err)
		}
		for _, inv := range invs {
			if inv.StatusAt(s.now()) != Expired {
				continue
			}
			if _, err := s.close(ctx, inv, Expired, "system:invites", "invite.expire"); err != nil && !isStale(err) {
				return n, fmt.Errorf(op, err)
			} else if err == nil {
				n++
			}
		}
		if len(invs) < 200 {
			return n, nil
		}
		last := invs[len(invs)-1]
		after = &Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// Preview returns the invitation a link's token opens, for the page the
// link leads to ("Acme invites you to join ..."), without accepting it.
// The token holder was sent the invitation, so nothing is revealed to
// them; an unknown token is ErrNotFound, and the invitation's state says
// whether it can still be accepted (StatusAt).
func (s *Service) Preview(ctx context.Context, platformID, token string) (Invitation, error) {
	inv, err := s.byToken(ctx, platformID, token)
	if err != nil {
		return Invitation{}, fmt.Errorf("invites: preview: %w", err)
	}
	return inv, nil
}
