// Package pgnotify carries the change notifications of one kind of
// tenantry's SQL stores (licensing gate facts, branding domains) to the
// listeners of every process, on PostgreSQL and on SQLite.
//
// On PostgreSQL a write queues pg_notify on the Channel inside its
// transaction, so that it is heard once committed and never when rolled
// back, and Listen holds a dedicated connection of the pool that LISTENs
// on it, reconnecting with a bounded back-off when it is lost and then
// telling its function the Channel's "everything" value, since changes may
// have been missed meanwhile. On SQLite, which serves one process, the
// writer tells the listeners on the same database handle itself, after
// the commit, through a fanout.Registry.
//
// A store keeps its channel name, its payload format and the wiring; the
// mechanism is here.
package pgnotify
