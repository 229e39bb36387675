package sqlstore

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/pgnotify"
)

// Channel is the PostgreSQL notification channel of domain changes. Each
// payload is the ID of the platform whose domains changed.
const Channel = "tenantry_branding"

// Everything is what ListenChanges passes fn, on PostgreSQL, once it is
// subscribed again after its connection was lost: changes may have been
// missed meanwhile, so the caller must forget every platform's domains.
// No platform ID is "*".
const Everything = branding.Everything

// changes carries the domain changes (see internal/pgnotify): on Channel
// on PostgreSQL, in process on SQLite. Each payload is a platform ID.
var changes = pgnotify.New(pgnotify.Config[string]{
	Name:       Channel,
	Encode:     func(platformID string) string { return platformID },
	Decode:     func(payload string) (string, bool) { return payload, true },
	Everything: Everything,
})

// notifyTx, on PostgreSQL, queues a notification of platformID in tx;
// PostgreSQL delivers it when tx commits, and not at all when it rolls
// back. On SQLite it does nothing: see delivered.
func (s *Store) notifyTx(ctx context.Context, tx *sqlx.Tx, platformID string) error {
	return changes.NotifyTx(ctx, s.base.DB, tx, platformID)
}

// delivered, on SQLite, tells this process's listeners of platformID once
// its transaction has committed; on PostgreSQL the notification queued by
// notifyTx reaches them through LISTEN, like those of other processes.
func (s *Store) delivered(platformID string) { changes.Delivered(s.base.DB, platformID) }

// ListenChanges calls fn with the platform ID for every change to a
// platform's domains (InsertDomain, UpdateDomain, DeleteDomain), until ctx
// ends; then it returns ctx.Err(). ready, when not nil, is called once, as
// soon as fn will hear every change committed after it. Themes, logos and
// login settings are not heard.
//
// On PostgreSQL, fn hears every process writing to the database, over
// LISTEN on Channel (each write sends pg_notify inside its transaction, so
// a change is heard once committed, never when rolled back): ListenChanges
// holds one connection of the pool for as long as it runs (so a pool needs
// one more connection per listener), and calls fn from its own goroutine,
// one notification at a time, in commit order. Should the connection be
// lost, it reconnects with a bounded back-off (from 50ms doubling to 5s),
// and then calls fn(Everything): changes may have been missed meanwhile,
// so the caller must forget every platform's domains. A failure to
// subscribe the first time is returned at once, before ready.
//
// On SQLite, which serves one process, fn hears the writes of the Stores
// of this process on the same *sqlx.DB, synchronously: in the writer's
// goroutine, after the commit, before the write returns. fn must then be
// quick and safe for concurrent use. Another process writing to the same
// SQLite file is not heard.
func (s *Store) ListenChanges(ctx context.Context, ready func(), fn func(platformID string)) error {
	err := changes.Listen(ctx, s.base.DB, ready, fn)
	if err != nil && err != ctx.Err() {
		return fmt.Errorf("branding: sqlstore: listen changes: %w", err)
	}
	return err
}
