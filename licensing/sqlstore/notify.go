package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/pgnotify"
)

// Channel is the PostgreSQL notification channel of licensing changes.
// Each payload is a platform ID, a tab, and an account ID ("*" for every
// account of the platform).
const Channel = "tenantry_licensing"

// payload encodes ref for Channel.
func payload(ref accountRef) string { return ref.platform + "\t" + ref.account }

// parsePayload decodes a Channel payload; ok is false for a payload this
// package did not write.
func parsePayload(p string) (ref accountRef, ok bool) {
	platform, account, ok := strings.Cut(p, "\t")
	return accountRef{platform, account}, ok
}

// changes carries the licensing changes (see internal/pgnotify): on
// Channel on PostgreSQL, in process on SQLite.
var changes = pgnotify.New(pgnotify.Config[accountRef]{
	Name:       Channel,
	Encode:     payload,
	Decode:     parsePayload,
	Everything: accountRef{"*", "*"},
})

// notifyTx, on PostgreSQL, queues a notification of every ref in tx, in
// one statement; PostgreSQL delivers them when tx commits, and not at all
// when it rolls back. On SQLite it does nothing: see delivered.
func (s *Store) notifyTx(ctx context.Context, tx *sqlx.Tx, refs []accountRef) error {
	return changes.NotifyTx(ctx, s.base.DB, tx, refs...)
}

// delivered, on SQLite, tells this process's listeners of refs once their
// transaction has committed; on PostgreSQL the notifications queued by
// notifyTx reach them through LISTEN, like those of other processes.
func (s *Store) delivered(refs []accountRef) { changes.Delivered(s.base.DB, refs...) }

// NotifyChange tells every listener that an account's gate facts changed
// (accountID "*": every account of the platform), for changes made outside
// this Store, such as the account being locked.
//
// On PostgreSQL it runs pg_notify on Channel, outside any transaction, and
// every process listening on the database hears it. On SQLite it reaches
// the listeners of this process on the same *sqlx.DB (see ListenChanges);
// it fails only when ctx has ended.
func (s *Store) NotifyChange(ctx context.Context, platformID, accountID string) error {
	if err := changes.Notify(ctx, s.base.DB, accountRef{platformID, accountID}); err != nil {
		return fmt.Errorf("licensing: sqlstore: notify change: %w", err)
	}
	return nil
}

// ListenChanges calls fn for every change to an account's gate facts,
// until ctx ends; then it returns ctx.Err(). ready, when not nil, is called
// once, as soon as fn will hear every change committed after it.
//
// What is heard: WriteLicenses, for each license's account before and
// after the batch and the accounts its history entries name; SetOverride
// and DeleteOverride, for the account; UpdatePlan, for every account of
// the platform as accountID "*"; and every NotifyChange. Credits, hidden
// features and new plans are not gate facts.
//
// On PostgreSQL, fn hears every process writing to the database, over
// LISTEN on Channel: ListenChanges holds one connection of the pool for as
// long as it runs (so a pool needs one more connection per listener), and
// calls fn from its own goroutine, one notification at a time, in commit
// order. Should the connection be lost, it reconnects with a bounded
// back-off (from 50ms doubling to 5s), and then calls fn("*", "*"):
// changes may have been missed meanwhile, so the caller must forget
// everything (licensing.Gate does). A failure to subscribe the first time
// is returned at once, before ready.
//
// On SQLite, which serves one process, fn hears the writes of the Stores
// of this process on the same *sqlx.DB, synchronously: in the writer's
// goroutine, after the commit, before the write returns, as memstore does.
// fn must then be quick and safe for concurrent use. Another process
// writing to the same SQLite file is not heard.
func (s *Store) ListenChanges(ctx context.Context, ready func(), fn func(platformID, accountID string)) error {
	err := changes.Listen(ctx, s.base.DB, ready, func(r accountRef) { fn(r.platform, r.account) })
	if err != nil && err != ctx.Err() {
		return fmt.Errorf("licensing: sqlstore: listen changes: %w", err)
	}
	return err
}
