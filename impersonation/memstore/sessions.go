package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
)

// Insert adds sess with ev. A session ID or a token hash already used on
// the platform, by a session ended or not, is impersonation.ErrConflict.
// sess is stored as given, EndedAt and EndReason included.
func (s *Store) Insert(ctx context.Context, sess impersonation.Session, ev audit.Event) error {
	const op = "insert"
	sess = clone(sess)
	s.mu.Lock()
	defer s.mu.Unlock()
	if pd := s.platforms[sess.PlatformID]; pd != nil {
		if _, ok := pd.sessions[sess.ID]; ok {
			return failf(op, impersonation.ErrConflict, "session %q exists", sess.ID)
		}
		if sess.TokenHash != "" {
			if _, ok := pd.tokens[sess.TokenHash]; ok {
				return failf(op, impersonation.ErrConflict, "token hash in use")
			}
		}
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	s.writable(sess.PlatformID).put(sess)
	return nil
}

// Get returns the session, or impersonation.ErrNotFound.
func (s *Store) Get(_ context.Context, platformID, id string) (impersonation.Session, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if sess, ok := pd.sessions[id]; ok {
			return sess, nil
		}
	}
	return impersonation.Session{}, failf("get", impersonation.ErrNotFound, "session %q", id)
}

// GetByToken returns the session whose token has this hash, ended or not,
// or impersonation.ErrNotFound (always for the empty hash).
func (s *Store) GetByToken(_ context.Context, platformID, tokenHash string) (impersonation.Session, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil && tokenHash != "" {
		if id, ok := pd.tokens[tokenHash]; ok {
			return pd.sessions[id], nil
		}
	}
	return impersonation.Session{}, failf("get by token", impersonation.ErrNotFound, "no session has this token")
}

// End ends session r.ID at r.At for r.Reason with r.Event, if it has not
// ended yet, and returns it ended. Otherwise it writes nothing and returns
// impersonation.ErrEnded, or impersonation.ErrNotFound when the session is
// missing. The check and the change happen under one lock, so of
// concurrent calls exactly one succeeds. A zero r.At is
// impersonation.ErrInvalid, since it would leave the session live.
func (s *Store) End(ctx context.Context, r impersonation.End) (impersonation.Session, error) {
	const op = "end"
	when := micro(r.At)
	if when.IsZero() {
		return impersonation.Session{}, failf(op, impersonation.ErrInvalid, "zero At")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[r.PlatformID]
	var cur impersonation.Session
	ok := false
	if pd != nil {
		cur, ok = pd.sessions[r.ID]
	}
	switch {
	case !ok:
		return impersonation.Session{}, failf(op, impersonation.ErrNotFound, "session %q", r.ID)
	case !cur.EndedAt.IsZero():
		return impersonation.Session{}, failf(op, impersonation.ErrEnded, "session %q ended at %s (%s)", r.ID, cur.EndedAt.Format(time.RFC3339Nano), cur.EndReason)
	}
	if err := s.record(ctx, op, r.Event); err != nil {
		return impersonation.Session{}, err
	}
	cur.EndedAt, cur.EndReason = when, r.Reason
	pd.put(cur)
	return cur, nil
}

// EndAll ends, at r.At for r.Reason, every session of the platform not
// ended yet that matches r — at most r.Limit of them when it is positive,
// the first in StartedAt then ID order — writing r.Event(session) for each
// (given the session already ended), and returns them ended in that order,
// or nil when none matches. When an event cannot be written no session
// ends; the events written before it stay (see the package comment).
//
// r.Event is called under the store's lock: it must not call the Store. A
// nil r.Event with sessions to end, or a zero r.At, is
// impersonation.ErrInvalid.
func (s *Store) EndAll(ctx context.Context, r impersonation.EndAll) ([]impersonation.Session, error) {
	const op = "end all"
	when := micro(r.At)
	if when.IsZero() {
		return nil, failf(op, impersonation.ErrInvalid, "zero At")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[r.PlatformID]
	if pd == nil {
		return nil, nil
	}
	var out []impersonation.Session
	for _, sess := range pd.sessions {
		if endable(r, when, sess) {
			out = append(out, sess)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	if r.Event == nil {
		return nil, failf(op, impersonation.ErrInvalid, "no Event to build the audit events with")
	}
	slices.SortFunc(out, oldest)
	if r.Limit > 0 && len(out) > r.Limit {
		out = out[:r.Limit]
	}
	events := make([]audit.Event, len(out))
	for i := range out {
		out[i].EndedAt, out[i].EndReason = when, r.Reason
		events[i] = r.Event(out[i])
	}
	if err := s.record(ctx, op, events...); err != nil {
		return nil, err
	}
	for _, sess := range out {
		pd.put(sess)
	}
	return slices.Clone(out), nil
}

// endable reports whether EndAll r, at when in the store's precision, ends
// sess.
func endable(r impersonation.EndAll, when time.Time, sess impersonation.Session) bool {
	switch {
	case !sess.EndedAt.IsZero(),
		r.AccountID != "" && sess.AccountID != r.AccountID,
		r.UserID != "" && sess.ActorID != r.UserID && sess.SubjectID != r.UserID,
		r.ExpiredOnly && sess.ExpiresAt.After(when):
		return false
	}
	return true
}

// oldest orders sessions oldest first: StartedAt then ID, ascending.
func oldest(a, b impersonation.Session) int {
	return cmp.Or(a.StartedAt.Compare(b.StartedAt), strings.Compare(a.ID, b.ID))
}

// newest orders sessions newest first, as List returns them.
func newest(a, b impersonation.Session) int { return oldest(b, a) }

// List returns up to q.Limit sessions matching q (every match when
// q.Limit <= 0), newest first (StartedAt then ID, descending), strictly
// after q.After when set, or nil when none matches. An unknown platform
// has none.
func (s *Store) List(_ context.Context, q impersonation.Query) ([]impersonation.Session, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[q.PlatformID]
	if pd == nil {
		return nil, nil
	}
	var after impersonation.Session
	if q.After != nil {
		after = impersonation.Session{StartedAt: micro(q.After.StartedAt), ID: q.After.ID}
	}
	activeAt := micro(q.ActiveAt)
	var out []impersonation.Session
	for _, sess := range pd.sessions {
		if match(q, activeAt, sess) && (q.After == nil || newest(sess, after) > 0) {
			out = append(out, sess)
		}
	}
	slices.SortFunc(out, newest)
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// match reports whether sess passes every filter of q; activeAt is
// q.ActiveAt in the store's precision.
func match(q impersonation.Query, activeAt time.Time, sess impersonation.Session) bool {
	switch {
	case !activeAt.IsZero() && !sess.ActiveAt(activeAt),
		q.AccountID != "" && sess.AccountID != q.AccountID,
		q.ActorID != "" && sess.ActorID != q.ActorID,
		q.SubjectID != "" && sess.SubjectID != q.SubjectID:
		return false
	}
	return true
}

// Record writes ev alone: a refused start or action, which changes no
// session. An event ID already used on its platform is
// impersonation.ErrConflict.
func (s *Store) Record(ctx context.Context, ev audit.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.record(ctx, "record", ev)
}
