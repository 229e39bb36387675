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
	refuse := func(why string) (License, []HistoryEntry, error) {
		return License{}, nil, fmt.Errorf("%w: %s a license that is %s: %s", ErrTransition, c.kind, l.Status, why)
	}
	live := l.Status == Active || l.Status == Inactive
	switch c.kind {
	case Assigned:
		if !live || l.AccountID != "" {
			return refuse("only an unassigned license that is active or inactive can be assigned")
		}
		l.AccountID = c.account
		entry(Assigned, "")
	case Moved:
		if !live || l.AccountID == "" || l.AccountID == c.account {
			return refuse("only a license assigned to another account, active or inactive, can move")
		}
		from := l.AccountID
		l.AccountID = c.account
		entry(Moved, "")
		out[len(out)-1].FromAccountID = from
	case Unassigned:
		if l.Status == Revoked || l.AccountID == "" {
			return refuse("only an assigned license that is not revoked can be unassigned")
		}
		from := l.AccountID
		l.AccountID = ""
		entry(Unassigned, "")
		out[len(out)-1].FromAccountID = from
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
	case "":
		// Sweep: record only what the clock changed.
		if len(out) == 0 {
			return refuse("nothing is due")
		}
	default:
		return refuse("unknown operation")
	}
	l.Version++
	l.UpdatedAt = now
	return l, out, nil
}
