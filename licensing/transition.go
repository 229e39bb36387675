package licensing

import (
	"fmt"
	"time"
)

// change is one operation asked of a license.
type change struct {
	kind    EventKind
	account string    // Assigned, Moved
	endsAt  time.Time // Renewed
	planID  string    // PlanChanged
}

// transition applies c to l at now and returns the license as it must be
// stored with the history entries that record it. A license whose stored
// status no longer holds (past its end or grace) first records that
// (expired, lapsed). Entries carry no ID, actor or platform: the caller
// stamps them. An operation the state does not allow is ErrTransition.
func transition(l License, c change, now time.Time) (License, []HistoryEntry, error) {
	var out []HistoryEntry
	entry := func(k EventKind, detail string) {
		out = append(out, HistoryEntry{LicenseID: l.ID, Kind: k, AccountID: l.AccountID, Detail: detail, At: now})
	}
	if s := l.StatusAt(now); s != l.Status {
		l.Status = s
		if s == Inactive {
			entry(Lapsed, "grace period over")
		} else {
			entry(ExpiredEvent, "ended "+l.EndsAt.UTC().Format(time.RFC3339))
		}
	}
	var err error
	switch c.kind {
	case Assigned, Moved, Unassigned:
		err = assignment(&l, c, entry, func() []HistoryEntry { return out })
	case "":
		// Sweep: record only what the clock changed.
		if len(out) == 0 {
			err = fmt.Errorf("%w: nothing is due", ErrTransition)
		}
	default:
		err = lifecycle(&l, c, now, entry)
	}
	if err != nil {
		return License{}, nil, fmt.Errorf("%w (%s a license that is %s)", err, c.kind, l.Status)
	}
	l.Version++
	l.UpdatedAt = now
	return l, out, nil
}

// assignment moves a license between accounts: assign an unassigned one,
// move an assigned one, or unassign it. last gives the entries so far, so
// the new entry can record the account it came from.
func assignment(l *License, c change, entry func(EventKind, string), last func() []HistoryEntry) error {
	live := l.Status == Active || l.Status == Inactive
	from := l.AccountID
	switch {
	case c.kind == Assigned && (!live || from != ""):
		return fmt.Errorf("%w: only an unassigned license that is active or inactive can be assigned", ErrTransition)
	case c.kind == Moved && (!live || from == "" || from == c.account):
		return fmt.Errorf("%w: only a license assigned to another account, active or inactive, can move", ErrTransition)
	case c.kind == Unassigned && (l.Status == Revoked || from == ""):
		return fmt.Errorf("%w: only an assigned license that is not revoked can be unassigned", ErrTransition)
	}
	l.AccountID = c.account
	entry(c.kind, "")
	if c.kind != Assigned {
		h := last()
		h[len(h)-1].FromAccountID = from
	}
	return nil
}

// lifecycle applies the operations that move a license through its
// states: renew, change plan, payment failed or received, revoke.
func lifecycle(l *License, c change, now time.Time, entry func(EventKind, string)) error {
	live := l.Status == Active || l.Status == Inactive
	refuse := func(why string) error { return fmt.Errorf("%w: %s", ErrTransition, why) }
	switch c.kind {
	case Renewed:
		if l.Status == Revoked {
			return refuse("revoked is final")
		}
		l.EndsAt = c.endsAt
		if l.Status == Expired {
			l.Status = Active
			if !l.PaymentFailedAt.IsZero() {
				l.Status = Inactive
			}
		}
		entry(Renewed, "ends "+c.endsAt.UTC().Format(time.RFC3339))
	case PlanChanged:
		if l.Status == Revoked || l.PlanID == c.planID {
			return refuse("revoked, or already on that plan")
		}
		l.PlanID = c.planID
		entry(PlanChanged, "plan "+c.planID)
	case PaymentFailed:
		if l.Status != Active || !l.PaymentFailedAt.IsZero() {
			return refuse("only an active license with its payments up to date can miss one")
		}
		l.PaymentFailedAt = now
		entry(PaymentFailed, "grace "+l.Grace.String())
		if l.Grace == 0 {
			l.Status = Inactive
			entry(Lapsed, "no grace period")
		}
	case PaymentReceived:
		if !live || l.PaymentFailedAt.IsZero() {
			return refuse("only a license waiting for a missed payment can receive it")
		}
		l.PaymentFailedAt = time.Time{}
		if l.Status == Inactive {
			l.Status = Active
			entry(Reactivated, "")
		} else {
			entry(PaymentReceived, "within the grace period")
		}
	case RevokedEvent:
		if l.Status == Revoked {
			return refuse("revoked is final")
		}
		l.Status = Revoked
		entry(RevokedEvent, "")
	default:
		return refuse("unknown operation")
	}
	return nil
}
