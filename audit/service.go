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
	// PurgeBatch is how many events one purge statement deletes at most, so
	// that none holds the table for long. Defaults to 1000.
	PurgeBatch int
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
	defaultPurgeBatch = 1000
	defaultPageSize   = 50
	maxPageSize       = 1000
)

func (c *Config) withDefaults() Config {
	var out Config
	if c != nil {
		out = *c
	}
	if out.Retention <= 0 {
		out.Retention = DefaultRetention
	}
	if out.PurgeBatch <= 0 {
		out.PurgeBatch = defaultPurgeBatch
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
}

// New returns a Service over store.
func New(store Store, cfg *Config) *Service {
	return &Service{store: store, cfg: cfg.withDefaults()}
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

// Purge removes every event older than the retention, in batches of
// Config.PurgeBatch, until none is left or ctx ends.
func (s *Service) Purge(ctx context.Context) (PurgeResult, error) {
	res := PurgeResult{Cutoff: s.cfg.Now().Add(-s.cfg.Retention).UTC().Truncate(time.Microsecond)}
	for {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("audit: purge: %w", err)
		}
		n, err := s.store.PurgeBefore(ctx, res.Cutoff, s.cfg.PurgeBatch)
		if err != nil {
			return res, fmt.Errorf("audit: purge: %w", err)
		}
		if n == 0 {
			break
		}
		res.Deleted += n
		res.Batches++
		if n < s.cfg.PurgeBatch {
			break
		}
	}
	s.cfg.Logger.InfoContext(ctx, "audit: purged", "deleted", res.Deleted, "batches", res.Batches, "cutoff", res.Cutoff)
	return res, nil
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
