package audit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/tenantry/tenantry/internal/validate"
)

// Config tunes a Service. A nil *Config means all defaults.
type Config struct {
	// Retention is how long events are kept before Purge removes them.
	// Defaults to 6 months (183 days).
	Retention time.Duration
	// PurgeBatch, when set, is how many events every purge statement
	// deletes at most. When zero (the default) each statement's size
	// adapts so that none holds the table for long: the first deletes 500
	// events, and each next one as many as should take PurgeStatementTime
	// at the pace of the last (at most twice as many, between 50 and
	// 100,000).
	PurgeBatch int
	// PurgeStatementTime is how long one purge statement should take when
	// PurgeBatch is zero. Defaults to 50 ms.
	PurgeStatementTime time.Duration
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// NewID makes event IDs. Defaults to UUIDv7 strings.
	NewID func() string
	// Logger receives purge progress. Defaults to silent.
	Logger *slog.Logger
}

// DefaultRetention is how long events are kept when Config.Retention is unset.
const DefaultRetention = 183 * 24 * time.Hour

const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// Adaptive purge batches (Config.PurgeBatch zero).
const (
	// DefaultPurgeStatementTime is Config.PurgeStatementTime's default.
	DefaultPurgeStatementTime = 50 * time.Millisecond
	firstPurgeBatch           = 500
	minPurgeBatch             = 50
	maxPurgeBatch             = 100_000
)

func (c *Config) withDefaults() Config {
	var out Config
	if c != nil {
		out = *c
	}
	if out.Retention <= 0 {
		out.Retention = DefaultRetention
	}
	if out.PurgeBatch < 0 {
		out.PurgeBatch = 0
	}
	if out.PurgeStatementTime <= 0 {
		out.PurgeStatementTime = DefaultPurgeStatementTime
	}
	if out.Now == nil {
		out.Now = time.Now
	}
	if out.NewID == nil {
		out.NewID = NewUUIDv7
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return out
}

// NewUUIDv7 returns a new UUIDv7 string, the default ID maker of every
// tenantry service.
func NewUUIDv7() string { return uuid.Must(uuid.NewV7()).String() }

// Service records, lists and purges events.
type Service struct {
	store Store
	cfg   Config
	// since measures a purge statement: time.Since (the monotonic clock,
	// not Config.Now, which tells the business time).
	since func(time.Time) time.Duration
}

// New returns a Service over store.
func New(store Store, cfg *Config) *Service {
	return &Service{store: store, cfg: cfg.withDefaults(), since: time.Since}
}

// Prepare checks e and fills its ID and time, as Record does before storing
// it. Stores of other packages that write events inside their own
// transactions call it through their services.
func Prepare(e Event, now func() time.Time, newID func() string) (Event, error) {
	switch {
	case e.PlatformID == "":
		return e, invalid("platform_id", "is required")
	case e.ActorID == "":
		return e, invalid("actor_id", "is required (no principal in the context?)")
	case e.Action == "":
		return e, invalid("action", "is required")
	}
	if err := checkEventText(e); err != nil {
		return e, err
	}
	if e.ID == "" {
		e.ID = newID()
	}
	if e.At.IsZero() {
		e.At = now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	return e, nil
}

// Record checks and stores one event.
func (s *Service) Record(ctx context.Context, e Event) (Event, error) {
	e, err := Prepare(e, s.cfg.Now, s.cfg.NewID)
	if err != nil {
		return Event{}, fmt.Errorf("audit: record: %w", err)
	}
	if err := s.store.Insert(ctx, e); err != nil {
		return Event{}, fmt.Errorf("audit: record: %w", err)
	}
	return e, nil
}

// List returns one page of events matching q, newest first.
func (s *Service) List(ctx context.Context, q Query) (Page, error) {
	sq, err := checkQuery(q)
	if err != nil {
		return Page{}, fmt.Errorf("audit: list: %w", err)
	}
	want := sq.Limit
	sq.Limit = want + 1
	events, err := s.store.List(ctx, sq)
	if err != nil {
		return Page{}, fmt.Errorf("audit: list: %w", err)
	}
	page := Page{Events: events}
	if len(events) > want {
		page.Events = events[:want]
		last := page.Events[want-1]
		page.Next = EncodeCursor(Cursor{At: last.At, ID: last.ID})
	}
	return page, nil
}

func checkQuery(q Query) (StoreQuery, error) {
	if q.PlatformID == "" {
		return StoreQuery{}, invalid("platform_id", "is required")
	}
	if err := checkIDs("platform_id", q.PlatformID, "account_id", q.AccountID, "actor_id", q.ActorID, "action", q.Action); err != nil {
		return StoreQuery{}, err
	}
	if q.Limit < 0 || q.Limit > maxPageSize {
		return StoreQuery{}, invalid("limit", fmt.Sprintf("must be between 0 and %d", maxPageSize))
	}
	if q.Limit == 0 {
		q.Limit = defaultPageSize
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return StoreQuery{}, invalid("since", "must be before until")
	}
	sq := StoreQuery{
		PlatformID: q.PlatformID, AccountID: q.AccountID, ActorID: q.ActorID, Action: q.Action,
		Since: micro(q.Since), Until: micro(q.Until), Limit: q.Limit,
	}
	if q.After != "" {
		c, err := DecodeCursor(q.After)
		if err != nil {
			return StoreQuery{}, err
		}
		sq.After = &c
	}
	return sq, nil
}

func micro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// PurgeResult says what a purge removed.
type PurgeResult struct {
	// Deleted is how many events were removed.
	Deleted int
	// Batches is how many bounded statements it took.
	Batches int
	// Cutoff is the instant before which events were removed.
	Cutoff time.Time
}

// Purge removes every event older than the retention, in bounded
// statements (see Config.PurgeBatch), until none is left or ctx ends.
func (s *Service) Purge(ctx context.Context) (PurgeResult, error) {
	res := PurgeResult{Cutoff: s.cfg.Now().Add(-s.cfg.Retention).UTC().Truncate(time.Microsecond)}
	limit, adapt := s.cfg.PurgeBatch, s.cfg.PurgeBatch == 0
	if adapt {
		limit = firstPurgeBatch
	}
	for {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("audit: purge: %w", err)
		}
		start := time.Now()
		n, err := s.store.PurgeBefore(ctx, res.Cutoff, limit)
		if err != nil {
			return res, fmt.Errorf("audit: purge: %w", err)
		}
		took := s.since(start)
		if n == 0 {
			break
		}
		res.Deleted += n
		res.Batches++
		if n < limit {
			break
		}
		if adapt {
			limit = nextPurgeBatch(limit, took, s.cfg.PurgeStatementTime)
		}
	}
	s.cfg.Logger.InfoContext(ctx, "audit: purged", "deleted", res.Deleted, "batches", res.Batches, "cutoff", res.Cutoff)
	return res, nil
}

// nextPurgeBatch is the size of the purge statement after one of limit
// events that took took: as many as should take target at that pace, at
// most twice limit, within minPurgeBatch and maxPurgeBatch.
func nextPurgeBatch(limit int, took, target time.Duration) int {
	next := 2 * limit
	if took > 0 {
		next = min(next, int(float64(limit)*float64(target)/float64(took)))
	}
	return min(max(next, minPurgeBatch), maxPurgeBatch)
}

type cursorJSON struct {
	At int64  `json:"t"`
	ID string `json:"i"`
}

// EncodeCursor returns the opaque page cursor for c.
func EncodeCursor(c Cursor) string {
	b, _ := json.Marshal(cursorJSON{At: c.At.UnixMicro(), ID: c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor made by EncodeCursor.
func DecodeCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, invalid("after", "is not a cursor from a previous page")
	}
	var c cursorJSON
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" || validate.ID(c.ID) != nil {
		return Cursor{}, invalid("after", "is not a cursor from a previous page")
	}
	return Cursor{At: time.UnixMicro(c.At).UTC(), ID: c.ID}, nil
}
