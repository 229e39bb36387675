package impersonation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/secret"
	"github.com/tenantry/tenantry/internal/validate"
)

// Service holds the impersonation rules over a Store and a Directory. It
// is safe for concurrent use.
type Service struct {
	store Store
	dir   Directory
	cfg   Config
}

// New returns a Service over store, asking dir about users and accounts.
func New(store Store, dir Directory, cfg *Config) *Service {
	return &Service{store: store, dir: dir, cfg: cfg.withDefaults()}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// StartParams says whom the principal in the context wants to enter.
type StartParams struct {
	PlatformID string
	AccountID  string
	Mode       Mode
	// UserID is the staff member to enter as; required with AsStaff and
	// refused with the other modes (their subject is the account's primary
	// user).
	UserID string
	// Reason and Ticket say why; required when Config says so.
	Reason string
	Ticket string
	// ReadOnly starts a session that may look but not change anything.
	ReadOnly bool
	// Duration, when set, ends the session sooner than Config.MaxDuration;
	// it never extends it.
	Duration time.Duration
}

// Started is a new session and its token, handed out once: the host sets
// it as a cookie (see HTTP.Begin) and never stores it.
type Started struct {
	Session Session
	Token   string
}

// Start opens a session for the principal in ctx, the actor. The policy
// decides first (see the package documentation); a refusal matches
// ErrForbidden and names its reason, and is recorded in audit.
func (s *Service) Start(ctx context.Context, p StartParams) (Started, error) {
	const op = "impersonation: start: %w"
	r, err := s.startRequest(ctx, p)
	if err != nil {
		return Started{}, fmt.Errorf(op, err)
	}
	now := s.now()
	f, err := s.evaluate(ctx, r, now)
	if err != nil {
		s.recordDenial(ctx, r, f, err, now)
		return Started{}, fmt.Errorf(op, err)
	}
	d := s.cfg.MaxDuration
	if p.Duration > 0 && p.Duration < d {
		d = p.Duration
	}
	token, hash := secret.New()
	sess := Session{
		PlatformID: p.PlatformID, ID: s.cfg.NewID(), TokenHash: hash,
		ActorID: f.actor.ID, SubjectID: f.subject.ID, SubjectEmail: f.subject.Email,
		AccountID: f.account.ID, AccountName: f.account.Name, Mode: p.Mode,
		Reason: strings.TrimSpace(p.Reason), Ticket: strings.TrimSpace(p.Ticket),
		ReadOnly:  p.ReadOnly || s.cfg.ReadOnly,
		StartedAt: now, ExpiresAt: now.Add(d).Truncate(time.Microsecond),
	}
	ev := s.sessionEvent(sess, "impersonation.start", sess.ActorID, now)
	ev.Changes = []audit.Change{
		{Field: "mode", After: string(sess.Mode)},
		{Field: "read_only", After: fmt.Sprint(sess.ReadOnly)},
		{Field: "expires_at", After: sess.ExpiresAt.Format(time.RFC3339)},
	}
	if err := s.store.Insert(ctx, sess, ev); err != nil {
		return Started{}, fmt.Errorf(op, err)
	}
	return Started{Session: sess, Token: token}, nil
}

// Allowed reports whether the principal in ctx may start the session p
// describes, without starting it or recording anything: nil, or the
// refusal Start would give. Hosts use it to show or hide "log in as".
func (s *Service) Allowed(ctx context.Context, p StartParams) error {
	r, err := s.startRequest(ctx, p)
	if err != nil {
		return fmt.Errorf("impersonation: allowed: %w", err)
	}
	if _, err := s.evaluate(ctx, r, s.now()); err != nil {
		return fmt.Errorf("impersonation: allowed: %w", err)
	}
	return nil
}

// startRequest checks p and the principal, and builds the request the
// policy decides.
func (s *Service) startRequest(ctx context.Context, p StartParams) (request, error) {
	if err := s.checkStart(p); err != nil {
		return request{}, err
	}
	pr, ok := audit.PrincipalFrom(ctx)
	switch {
	case !ok:
		return request{}, fmt.Errorf("%w: no principal in the context", ErrForbidden)
	case pr.IsImpersonating():
		return request{}, refuse(ErrNested)
	case pr.IsSystem():
		return request{}, refuse(ErrActorNotStaff, "a system principal is nobody to impersonate with")
	case pr.PlatformID != "" && pr.PlatformID != p.PlatformID:
		return request{}, fmt.Errorf("%w: principal belongs to another platform", ErrForbidden)
	}
	return request{
		platformID: p.PlatformID, actorID: pr.UserID, accountID: p.AccountID,
		mode: p.Mode, subjectID: p.UserID, principal: pr,
	}, nil
}

func (s *Service) checkStart(p StartParams) error {
	switch {
	case strings.TrimSpace(p.PlatformID) == "":
		return invalid("platform_id", "required")
	case strings.TrimSpace(p.AccountID) == "":
		return invalid("account_id", "required")
	case !p.Mode.Valid():
		return invalid("mode", validate.Excerpt(string(p.Mode))+" is not client, partner or staff")
	case p.Mode == AsStaff && strings.TrimSpace(p.UserID) == "":
		return invalid("user_id", "required to log in as a staff member")
	case p.Mode != AsStaff && p.UserID != "":
		return invalid("user_id", "only a staff-member session names its user; the client is the account's primary user")
	case p.Duration < 0:
		return invalid("duration", "negative")
	}
	if err := checkIDs("platform_id", p.PlatformID, "account_id", p.AccountID, "user_id", p.UserID); err != nil {
		return err
	}
	if err := checkText("reason", p.Reason, maxReason, s.cfg.RequireReason); err != nil {
		return err
	}
	return checkText("ticket", p.Ticket, maxTicket, s.cfg.RequireTicket)
}

// checkText checks a free-text field: single-line text (valid UTF-8, no
// control characters, which would break the history and log lines; see
// validate.Line) of at most max bytes, and present when required.
func checkText(field, v string, max int, required bool) error {
	v = strings.TrimSpace(v)
	if required && v == "" {
		return invalid(field, "required")
	}
	if err := validate.Line(v, max); err != nil {
		return invalid(field, err.Error())
	}
	return nil
}

// Resolve finds the session of token and checks it again: not ended, not
// past its maximum time, and still allowed by the policy — the actor still
// staff with the same reach, the account still open, the subject still an
// active regular user. A session that fails is ended (recorded as an
// expiry or a refusal) and the reason returned: ErrExpired, a refusal
// matching ErrForbidden, or ErrEnded for one ended before. An unknown
// token is ErrNotFound.
func (s *Service) Resolve(ctx context.Context, platformID, token string) (Session, error) {
	const op = "impersonation: resolve: %w"
	sess, err := s.byToken(ctx, platformID, token)
	if err != nil {
		return Session{}, fmt.Errorf(op, err)
	}
	now := s.now()
	if !sess.EndedAt.IsZero() {
		return Session{}, fmt.Errorf(op, fmt.Errorf("%w (%s)", ErrEnded, sess.EndReason))
	}
	if !now.Before(sess.ExpiresAt) {
		s.end(ctx, sess, EndExpired, "impersonation.expire", sess.ActorID, "", now)
		return Session{}, fmt.Errorf(op, ErrExpired)
	}
	r := request{
		platformID: platformID, actorID: sess.ActorID, accountID: sess.AccountID, mode: sess.Mode,
		subjectID: sess.SubjectID, principal: sess.Principal(),
	}
	if _, err := s.evaluate(ctx, r, now); err != nil {
		if errors.Is(err, ErrForbidden) {
			s.end(ctx, sess, EndRefused, "impersonation.refuse", sess.ActorID, err.Error(), now)
		}
		return Session{}, fmt.Errorf(op, err)
	}
	return sess, nil
}

// byToken checks the token's shape and reads its session.
func (s *Service) byToken(ctx context.Context, platformID, token string) (Session, error) {
	if strings.TrimSpace(platformID) == "" {
		return Session{}, invalid("platform_id", "required")
	}
	if err := checkIDs("platform_id", platformID); err != nil {
		return Session{}, err
	}
	hash, err := secret.Hash(token)
	if err != nil {
		return Session{}, ErrNotFound
	}
	return s.store.GetByToken(ctx, platformID, hash)
}

// Exit ends the session of token at the actor's request. The host then
// starts the actor's own session again with a new token (HTTP's exit
// handler calls HTTP.Resume) — only when Exit returns no error. Exiting a
// session that already ended is ErrEnded; an expired one is ended and
// reported ErrExpired; a session whose actor is no longer an active user
// is ended and refused (ErrActorNotStaff).
func (s *Service) Exit(ctx context.Context, platformID, token string) (Session, error) {
	const op = "impersonation: exit: %w"
	sess, err := s.byToken(ctx, platformID, token)
	if err != nil {
		return Session{}, fmt.Errorf(op, err)
	}
	now := s.now()
	if sess.EndedAt.IsZero() && !now.Before(sess.ExpiresAt) {
		s.end(ctx, sess, EndExpired, "impersonation.expire", sess.ActorID, "", now)
		return sess, fmt.Errorf(op, ErrExpired)
	}
	ended, err := s.store.End(ctx, End{
		PlatformID: platformID, ID: sess.ID, At: now, Reason: EndExit,
		Event: s.endEvent(sess, EndExit, "impersonation.exit", sess.ActorID, "", now),
	})
	if err != nil {
		return sess, fmt.Errorf(op, err)
	}
	// The actor gets their own session back only while their user is
	// still active: a disabled actor's exit ends the session and no more.
	actor, err := s.user(ctx, platformID, ended.ActorID)
	if err != nil {
		return ended, fmt.Errorf(op, err)
	}
	if !actor.Active {
		return ended, fmt.Errorf(op, refuse(ErrActorNotStaff, "the actor's user is no longer active"))
	}
	return ended, nil
}

// end ends sess for reason and records action; a failure is logged, since
// the caller refuses the request either way.
func (s *Service) end(ctx context.Context, sess Session, reason EndReason, action, actor, why string, now time.Time) {
	_, err := s.store.End(ctx, End{
		PlatformID: sess.PlatformID, ID: sess.ID, At: now, Reason: reason,
		Event: s.endEvent(sess, reason, action, actor, why, now),
	})
	if err != nil && !errors.Is(err, ErrEnded) {
		s.cfg.Logger.WarnContext(ctx, "impersonation: ending a refused session failed",
			"platform", sess.PlatformID, "session", sess.ID, "error", err)
	}
}

// sessionEvent is the audit event of action on sess, done by actor on the
// subject's behalf.
func (s *Service) sessionEvent(sess Session, action, actor string, now time.Time) audit.Event {
	ev := audit.Event{
		PlatformID: sess.PlatformID, ID: s.cfg.NewID(), At: now,
		AccountID: sess.AccountID, ActorID: actor, Action: action,
		TargetType: "impersonation_session", TargetID: sess.ID,
		Reason: reasonText(sess.Reason, sess.Ticket),
	}
	if actor == sess.ActorID {
		ev.OnBehalfOfID = sess.SubjectID
	}
	return ev
}

func (s *Service) endEvent(sess Session, reason EndReason, action, actor, why string, now time.Time) audit.Event {
	ev := s.sessionEvent(sess, action, actor, now)
	ev.Changes = []audit.Change{{Field: "ended", After: string(reason)}}
	if why != "" {
		ev.Reason = why
	}
	return ev
}

func reasonText(reason, ticket string) string {
	switch {
	case ticket == "":
		return reason
	case reason == "":
		return "ticket " + ticket
	}
	return reason + " (ticket " + ticket + ")"
}

// recordDenial records a refused Start, when it was a refusal of the
// policy by a known actor; a failure to record is logged.
func (s *Service) recordDenial(ctx context.Context, r request, f facts, err error, now time.Time) {
	if !errors.Is(err, ErrForbidden) || r.actorID == "" {
		return
	}
	ev := audit.Event{
		PlatformID: r.platformID, ID: s.cfg.NewID(), At: now, AccountID: r.accountID,
		ActorID: r.actorID, Action: "impersonation.deny", Reason: err.Error(),
		Changes: []audit.Change{{Field: "mode", After: string(r.mode)}},
	}
	if f.subject.ID != "" {
		ev.TargetType, ev.TargetID = "user", f.subject.ID
	} else if r.subjectID != "" {
		ev.TargetType, ev.TargetID = "user", r.subjectID
	}
	if rerr := s.store.Record(ctx, ev); rerr != nil {
		s.cfg.Logger.WarnContext(ctx, "impersonation: recording a refusal failed",
			"platform", r.platformID, "error", rerr)
	}
}

// Principal is the principal acting in the session: the subject's rights,
// the actor acting (RFC 8693 "act").
func (sess Session) Principal() audit.Principal {
	return audit.Principal{PlatformID: sess.PlatformID, UserID: sess.SubjectID, ActorID: sess.ActorID, SessionID: sess.ID}
}
