package memstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	auditmem "github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/licensing"
)

// These tests cover what the conformance suite cannot see from outside: a
// failing audit store, the indexes staying in step with a batch, and the
// guarantees of the in-process listeners.

var t0 = time.Date(2024, time.May, 1, 9, 0, 0, 123456000, time.UTC)

const pid = "p1"

// flakyAudit is an audit store whose inserts fail while fail is set.
type flakyAudit struct {
	audit.Store
	fail atomic.Bool
}

var errAuditDown = errors.New("audit down")

func (f *flakyAudit) Insert(ctx context.Context, e audit.Event) error {
	if f.fail.Load() {
		return errAuditDown
	}
	return f.Store.Insert(ctx, e)
}

var seq atomic.Int64

func next(prefix string) string { return fmt.Sprintf("%s%d", prefix, seq.Add(1)) }

func ev(action string) audit.Event {
	return audit.Event{PlatformID: pid, ID: next("e"), At: t0, ActorID: "system:test", Action: action}
}

func newStore(t *testing.T) (*Store, *flakyAudit) {
	t.Helper()
	fa := &flakyAudit{Store: auditmem.New()}
	return New(fa), fa
}

func license(id, number, account string, status licensing.Status) licensing.License {
	return licensing.License{PlatformID: pid, ID: id, Number: number, AccountID: account, PlanID: "plan1", Status: status,
		StartsAt: t0, EndsAt: t0.Add(30 * 24 * time.Hour), Version: 1, CreatedAt: t0, UpdatedAt: t0}
}

func insert(l licensing.License, kind licensing.EventKind) licensing.LicenseChange {
	return licensing.LicenseChange{License: l, Insert: true, History: []licensing.HistoryEntry{entry(l, kind, "")}}
}

func update(l licensing.License, kind licensing.EventKind, from string) licensing.LicenseChange {
	l.Version++
	return licensing.LicenseChange{License: l, History: []licensing.HistoryEntry{entry(l, kind, from)}}
}

func entry(l licensing.License, kind licensing.EventKind, from string) licensing.HistoryEntry {
	return licensing.HistoryEntry{PlatformID: pid, LicenseID: l.ID, ID: next("h"), Kind: kind, AccountID: l.AccountID, FromAccountID: from, ActorID: "system:test", At: t0}
}

func write(t *testing.T, s *Store, changes ...licensing.LicenseChange) error {
	t.Helper()
	return s.WriteLicenses(context.Background(), changes, ev("license.write"))
}

func TestAuditFailureChangesNothing(t *testing.T) {
	ctx := context.Background()
	s, fa := newStore(t)
	var heard atomic.Int64
	listen(t, s, func(_, _ string) { heard.Add(1) })

	fa.fail.Store(true)
	require.ErrorIs(t, write(t, s, insert(license("l1", "N1", "a1", licensing.Active), licensing.Issued)), errAuditDown)
	_, err := s.GetLicense(ctx, pid, "l1")
	require.ErrorIs(t, err, licensing.ErrNotFound)
	_, _, err = s.ApplyCredit(ctx, licensing.CreditEntry{PlatformID: pid, AccountID: "a1", Kind: "sms", ID: "c1", Delta: 5, IdempotencyKey: "k", At: t0}, ev("credit.grant"))
	require.ErrorIs(t, err, errAuditDown)
	require.ErrorIs(t, s.SetOverride(ctx, licensing.Override{PlatformID: pid, AccountID: "a1", Feature: "f", Enabled: true, UpdatedAt: t0}, ev("override.set")), errAuditDown)
	require.Zero(t, heard.Load(), "a failed write notifies nobody")
	require.Empty(t, s.platforms, "a failed write leaves no platform behind")

	fa.fail.Store(false)
	require.NoError(t, write(t, s, insert(license("l1", "N1", "a1", licensing.Active), licensing.Issued)))
	e, applied, err := s.ApplyCredit(ctx, licensing.CreditEntry{PlatformID: pid, AccountID: "a1", Kind: "sms", ID: "c1", Delta: 5, IdempotencyKey: "k", At: t0}, ev("credit.grant"))
	require.NoError(t, err)
	require.True(t, applied, "the failed call did not spend the key")
	require.Equal(t, int64(5), e.Balance)
	require.Equal(t, int64(1), heard.Load(), "a1 once; credits are not gate facts")
}

func TestBatchIsCheckedAsAWhole(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	old := license("l1", "N1", "a1", licensing.Active)
	require.NoError(t, write(t, s, insert(old, licensing.Issued)))

	// A second active license for a1 is refused, and nothing of the batch
	// is written, though its first change alone was fine.
	other := license("l2", "N2", "a2", licensing.Active)
	second := license("l3", "N3", "a1", licensing.Active)
	require.ErrorIs(t, write(t, s, insert(other, licensing.Issued), insert(second, licensing.Issued)), licensing.ErrConflict)
	_, err := s.GetLicense(ctx, pid, "l2")
	require.ErrorIs(t, err, licensing.ErrNotFound)
	require.Len(t, s.platforms[pid].historyIDs, 1)

	// Ending the old one first in the same batch lets the new one in.
	ended := old
	ended.Status = licensing.Expired
	require.NoError(t, write(t, s, update(ended, licensing.ExpiredEvent, ""), insert(second, licensing.Issued)))
	got, err := s.AccountLicense(ctx, pid, "a1")
	require.NoError(t, err)
	require.Equal(t, "l3", got.ID)

	// Two licenses swap numbers within one batch; the index follows.
	a, b := ended, second
	a.Version, b.Version = 2, 1
	a.Number, b.Number = "N3", "N1"
	require.NoError(t, write(t, s, update(a, licensing.Renewed, ""), update(b, licensing.Renewed, "")))
	byNumber, err := s.GetLicenseByNumber(ctx, pid, "N1")
	require.NoError(t, err)
	require.Equal(t, "l3", byNumber.ID)
	require.Equal(t, map[string]string{"N1": "l3", "N3": "l1"}, s.platforms[pid].numbers)
	require.Equal(t, map[string]string{"a1": "l3"}, s.platforms[pid].active)

	// A number taken by a license outside the batch is refused.
	require.ErrorIs(t, write(t, s, insert(license("l4", "N1", "", licensing.Active), licensing.Issued)), licensing.ErrConflict)
}

func TestConcurrentActivationsOneWins(t *testing.T) {
	s, _ := newStore(t)
	var wins atomic.Int64
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			l := license(fmt.Sprintf("l%d", i), fmt.Sprintf("N%d", i), "a1", licensing.Active)
			err := write(t, s, insert(l, licensing.Issued))
			if err == nil {
				wins.Add(1)
			} else {
				require.ErrorIs(t, err, licensing.ErrConflict)
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(1), wins.Load())
	require.Len(t, s.platforms[pid].licenses, 1)
}

func TestCreditOverflowIsInvalid(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	grant := func(id string, n int64) error {
		_, _, err := s.ApplyCredit(ctx, licensing.CreditEntry{PlatformID: pid, AccountID: "a1", Kind: "sms", ID: id, Delta: n, At: t0}, ev("credit.grant"))
		return err
	}
	require.NoError(t, grant("c1", math.MaxInt64))
	require.ErrorIs(t, grant("c2", 1), licensing.ErrInvalid)
	require.ErrorIs(t, grant("c1", -1), licensing.ErrConflict, "an entry ID is used once")
	b, err := s.Balances(ctx, pid, "a1")
	require.NoError(t, err)
	require.Equal(t, map[string]int64{"sms": math.MaxInt64}, b)
}

func TestCopiesAndTimes(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p := licensing.Plan{PlatformID: pid, ID: "plan1", Name: "Pro", Features: []string{"b", "a"}, Limits: map[string]int64{"seats": 3}, Version: 1,
		CreatedAt: time.Date(2024, 1, 1, 12, 0, 0, 123456789, time.FixedZone("X", 3600)), UpdatedAt: t0}
	require.NoError(t, s.InsertPlan(ctx, p, ev("plan.create")))
	p.Features[0], p.Limits["seats"] = "mutated", 99
	got, err := s.GetPlan(ctx, pid, "plan1")
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, got.Features)
	require.Equal(t, map[string]int64{"seats": 3}, got.Limits)
	require.Equal(t, time.Date(2024, 1, 1, 11, 0, 0, 123456000, time.UTC), got.CreatedAt)
	got.Features[0], got.Limits["seats"] = "mutated", 99
	plans, err := s.Plans(ctx, pid)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, plans[0].Features)
	require.Equal(t, int64(3), plans[0].Limits["seats"])

	keys := []string{"z", "a", "z"}
	require.NoError(t, s.SetHiddenFeatures(ctx, pid, keys, ev("hidden.set")))
	keys[0] = "mutated"
	hidden, err := s.HiddenFeatures(ctx, pid)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "z"}, hidden)
}
