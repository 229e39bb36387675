package impersonation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/audit"
)

// EndAccount ends every session in the account, as its account is
// disabled, locked or deleted; the next request of each is refused. The
// principal in ctx (active platform staff closing the account, or a system
// principal) is recorded as ending them.
func (s *Service) EndAccount(ctx context.Context, platformID, accountID string) ([]Session, error) {
	const op = "impersonation: end account: %w"
	if strings.TrimSpace(accountID) == "" {
		return nil, fmt.Errorf(op, invalid("account_id", "required"))
	}
	if err := checkIDs("account_id", accountID); err != nil {
		return nil, fmt.Errorf(op, err)
	}
	ended, err := s.endAll(ctx, EndAll{PlatformID: platformID, AccountID: accountID, Reason: EndAccountClosed})
	if err != nil {
		return nil, fmt.Errorf(op, err)
	}
	return ended, nil
}

// EndUser ends every session the user is in, as actor or as subject, as
// the user is disabled, deleted or changes role.
func (s *Service) EndUser(ctx context.Context, platformID, userID string) ([]Session, error) {
	const op = "impersonation: end user: %w"
	if strings.TrimSpace(userID) == "" {
		return nil, fmt.Errorf(op, invalid("user_id", "required"))
	}
	if err := checkIDs("user_id", userID); err != nil {
		return nil, fmt.Errorf(op, err)
	}
	ended, err := s.endAll(ctx, EndAll{PlatformID: platformID, UserID: userID, Reason: EndUserClosed})
	if err != nil {
		return nil, fmt.Errorf(op, err)
	}
	return ended, nil
}

// Sweep ends the platform's sessions past their maximum time, recording
// each expiry, at most limit of them (all when limit is 0), and returns
// how many it ended. Expired sessions are refused whether swept or not;
// sweeping keeps the history and the list of live sessions exact.
func (s *Service) Sweep(ctx context.Context, platformID string, limit int) (int, error) {
	ended, err := s.endAll(ctx, EndAll{PlatformID: platformID, ExpiredOnly: true, Limit: limit, Reason: EndExpired})
	if err != nil {
		return 0, fmt.Errorf("impersonation: sweep: %w", err)
	}
	return len(ended), nil
}

// endAll ends the sessions e selects, recorded as done by the principal in
// ctx (a sweep records each session's actor, as an expiry does).
func (s *Service) endAll(ctx context.Context, e EndAll) ([]Session, error) {
	if strings.TrimSpace(e.PlatformID) == "" {
		return nil, invalid("platform_id", "required")
	}
	if err := checkIDs("platform_id", e.PlatformID); err != nil {
		return nil, err
	}
	if e.Limit < 0 {
		return nil, invalid("limit", "negative")
	}
	p, err := s.principal(ctx, e.PlatformID)
	if err != nil {
		return nil, err
	}
	if !p.IsSystem() {
		// Ending others' sessions is staff work (or the system's, for the
		// cascades): a customer must not end support's sessions.
		u, err := s.user(ctx, e.PlatformID, p.UserID)
		if err != nil {
			return nil, err
		}
		if p.IsImpersonating() || !u.Active || !u.Role.IsStaff() {
			return nil, refuse(ErrActorNotStaff)
		}
	}
	e.At = s.now()
	action := "impersonation.end"
	if e.ExpiredOnly {
		action = "impersonation.expire"
	}
	e.Event = func(sess Session) audit.Event {
		actor := p.Actor()
		if e.ExpiredOnly {
			actor = sess.ActorID
		}
		return s.endEvent(sess, e.Reason, action, actor, "", e.At)
	}
	return s.store.EndAll(ctx, e)
}

// principal is the principal in ctx, required and of platformID (or the
// system).
func (s *Service) principal(ctx context.Context, platformID string) (audit.Principal, error) {
	p, ok := audit.PrincipalFrom(ctx)
	switch {
	case !ok:
		return p, fmt.Errorf("%w: no principal in the context", ErrForbidden)
	case !p.IsSystem() && p.PlatformID != "" && p.PlatformID != platformID:
		return p, fmt.Errorf("%w: principal belongs to another platform", ErrForbidden)
	}
	return p, nil
}

// Revoke ends one session by ID at the request of the principal in ctx,
// who must be platform staff or the system (an owner watching the live
// sessions, say). A session already ended is ErrEnded.
func (s *Service) Revoke(ctx context.Context, platformID, sessionID string) (Session, error) {
	const op = "impersonation: revoke: %w"
	if err := checkIDs("platform_id", platformID, "session_id", sessionID); err != nil {
		return Session{}, fmt.Errorf(op, err)
	}
	p, err := s.principal(ctx, platformID)
	if err != nil {
		return Session{}, fmt.Errorf(op, err)
	}
	if !p.IsSystem() {
		u, err := s.user(ctx, platformID, p.UserID)
		if err != nil {
			return Session{}, fmt.Errorf(op, err)
		}
		if p.IsImpersonating() || !u.Active || !u.Role.IsStaff() {
			return Session{}, fmt.Errorf(op, refuse(ErrActorNotStaff))
		}
	}
	sess, err := s.store.Get(ctx, platformID, sessionID)
	if err != nil {
		return Session{}, fmt.Errorf(op, err)
	}
	now := s.now()
	ended, err := s.store.End(ctx, End{
		PlatformID: platformID, ID: sess.ID, At: now, Reason: EndRevoked,
		Event: s.endEvent(sess, EndRevoked, "impersonation.end", p.Actor(), "", now),
	})
	if err != nil {
		return Session{}, fmt.Errorf(op, err)
	}
	return ended, nil
}

// Sessions lists the platform's sessions matching q, newest first. Limit
// defaults to 50 and is at most 1000.
func (s *Service) Sessions(ctx context.Context, q Query) ([]Session, error) {
	const op = "impersonation: sessions: %w"
	switch {
	case strings.TrimSpace(q.PlatformID) == "":
		return nil, fmt.Errorf(op, invalid("platform_id", "required"))
	case q.Limit < 0 || q.Limit > 1000:
		return nil, fmt.Errorf(op, invalid("limit", "must be between 0 and 1000"))
	case q.Limit == 0:
		q.Limit = 50
	}
	if err := checkIDs("platform_id", q.PlatformID, "account_id", q.AccountID, "actor_id", q.ActorID, "subject_id", q.SubjectID); err != nil {
		return nil, fmt.Errorf(op, err)
	}
	if q.After != nil {
		if err := checkIDs("after.id", q.After.ID); err != nil {
			return nil, fmt.Errorf(op, err)
		}
	}
	out, err := s.store.List(ctx, q)
	if err != nil {
		return nil, fmt.Errorf(op, err)
	}
	return out, nil
}

// Guard is the check a host calls before a change while a session may be
// active: nil outside a session; inside one, ErrActionRefused for the
// actions never allowed while impersonating (Config.RefusedActions:
// changing the password or email, deleting the account, by default) and
// ErrReadOnly for any change in a read-only session. Both match
// ErrForbidden and are recorded.
func (s *Service) Guard(ctx context.Context, action string) error {
	if err := checkIDs("action", action); err != nil {
		return fmt.Errorf("impersonation: guard: %w", err)
	}
	p, ok := audit.PrincipalFrom(ctx)
	if !ok || !p.IsImpersonating() {
		return nil
	}
	sess, ok := SessionFrom(ctx)
	if !ok || sess.ID != p.SessionID {
		var err error
		if sess, err = s.store.Get(ctx, p.PlatformID, p.SessionID); err != nil {
			return fmt.Errorf("impersonation: guard %s: %w", action, err)
		}
	}
	var refusal error
	switch {
	case slices.Contains(s.cfg.RefusedActions, action):
		refusal = ErrActionRefused
	case sess.ReadOnly:
		refusal = ErrReadOnly
	default:
		return nil
	}
	err := fmt.Errorf("impersonation: guard %s: %w", action, refuse(refusal))
	ev := s.sessionEvent(sess, "impersonation.refuse_action", sess.ActorID, s.now())
	ev.Reason = err.Error()
	ev.Changes = []audit.Change{{Field: "action", After: action}}
	if rerr := s.store.Record(ctx, ev); rerr != nil {
		s.cfg.Logger.WarnContext(ctx, "impersonation: recording a refusal failed", "platform", sess.PlatformID, "error", rerr)
	}
	return err
}

type sessionKey struct{}

// WithSession returns a context carrying sess and its principal (the
// middleware does this for every request of a live session).
func WithSession(ctx context.Context, sess Session) context.Context {
	ctx = audit.WithPrincipal(ctx, sess.Principal())
	return context.WithValue(ctx, sessionKey{}, sess)
}

// SessionFrom returns the session of the request, if it is inside one.
func SessionFrom(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(Session)
	return s, ok
}
