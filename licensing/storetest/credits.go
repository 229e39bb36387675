package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/licensing"
)

// testCreditGrantAndDebit applies grants and debits of two kinds and checks
// each entry's Balance, Balances and the history, newest first.
func testCreditGrantAndDebit(t *testing.T, h Harness) {
	e := setup(t, h)
	x := newID()
	require.Empty(t, e.balances(x), "no credits yet")
	e.requireCreditHistory(x, "")

	withKey := e.credit(x, licensing.CreditSMS, 100)
	withKey.IdempotencyKey = "grant-" + newID()
	var entries []licensing.CreditEntry
	entries = append(entries,
		e.apply(withKey, 100),
		e.apply(e.credit(x, licensing.CreditSMS, -30), 70),
		e.apply(e.credit(x, licensing.CreditVoiceMinutes, 15), 15),
		e.apply(e.credit(x, licensing.CreditSMS, -70), 0), // down to exactly zero
		e.apply(e.credit(x, licensing.CreditSMS, 5), 5),
		e.apply(e.credit(x, licensing.CreditVoiceMinutes, -1), 14),
	)
	require.Equal(t, map[string]int64{licensing.CreditSMS: 5, licensing.CreditVoiceMinutes: 14}, e.balances(x))

	e.requireCreditHistory(x, "", newestCreditsFirst(entries)...)
	var sms, voice []licensing.CreditEntry
	for _, c := range entries {
		if c.Kind == licensing.CreditSMS {
			sms = append(sms, c)
		} else {
			voice = append(voice, c)
		}
	}
	e.requireCreditHistory(x, licensing.CreditSMS, newestCreditsFirst(sms)...)
	e.requireCreditHistory(x, licensing.CreditVoiceMinutes, newestCreditsFirst(voice)...)
	e.requireCreditHistory(x, "fax")

	got := e.creditHistory(licensing.CreditQuery{AccountID: x, Limit: 2})
	require.Equal(t, creditIDs(newestCreditsFirst(entries)[:2]), creditIDs(got), "limit")
}

// testCreditInsufficient debits more than the balance: nothing is written,
// and the idempotency key stays unused.
func testCreditInsufficient(t *testing.T, h Harness) {
	e := setup(t, h)
	x := newID()
	grant := e.apply(e.credit(x, licensing.CreditSMS, 10), 10)

	refuse := func(c licensing.CreditEntry) {
		t.Helper()
		ev := e.creditEvent(c)
		_, applied, err := e.s.ApplyCredit(e.ctx, c, ev)
		require.ErrorIs(t, err, licensing.ErrInsufficientCredits, "%+d %s", c.Delta, c.Kind)
		require.False(t, applied)
		e.requireNoEvent(ev)
	}
	refuse(e.credit(x, licensing.CreditSMS, -11))
	refuse(e.credit(x, licensing.CreditVoiceMinutes, -1)) // a kind never granted
	refuse(e.credit(newID(), licensing.CreditSMS, -1))    // an account never granted
	keyed := e.credit(x, licensing.CreditSMS, -11)
	keyed.IdempotencyKey = "debit-" + newID()
	refuse(keyed)
	require.Equal(t, map[string]int64{licensing.CreditSMS: 10}, e.balances(x))
	e.requireCreditHistory(x, "", grant)

	// The failed call did not use its key: once the balance allows it, the
	// same debit applies.
	more := e.apply(e.credit(x, licensing.CreditSMS, 5), 15)
	keyed.At = more.At.Add(time.Second)
	debit := e.apply(keyed, 4)
	require.Equal(t, map[string]int64{licensing.CreditSMS: 4}, e.balances(x))
	e.requireCreditHistory(x, "", debit, more, grant)
}

// testCreditIdempotency replays keyed changes: the earlier entry comes
// back, applied false, and nothing is written, whatever the replay's Delta
// or kind; the earlier entry wins even when its debit no longer fits.
func testCreditIdempotency(t *testing.T, h Harness) {
	e := setup(t, h)
	x := newID()
	key := "order-" + newID()
	g := e.credit(x, licensing.CreditSMS, 10)
	g.IdempotencyKey = key
	grant := e.apply(g, 10)

	replay := func(c licensing.CreditEntry, want licensing.CreditEntry) {
		t.Helper()
		ev := e.creditEvent(c)
		got, applied, err := e.s.ApplyCredit(e.ctx, c, ev)
		require.NoError(t, err, "replay of %s", c.IdempotencyKey)
		require.False(t, applied, "replay of %s applied", c.IdempotencyKey)
		requireCredit(t, want, got)
		e.requireNoEvent(ev)
	}
	same := e.credit(x, licensing.CreditSMS, 10)
	same.IdempotencyKey = key
	replay(same, grant)
	bigger := e.credit(x, licensing.CreditSMS, 99)
	bigger.IdempotencyKey = key
	replay(bigger, grant)
	otherKind := e.credit(x, licensing.CreditVoiceMinutes, 7)
	otherKind.IdempotencyKey = key
	replay(otherKind, grant)
	require.Equal(t, map[string]int64{licensing.CreditSMS: 10}, e.balances(x))
	e.requireCreditHistory(x, "", grant)

	// A keyed debit, then the balance goes to zero: the replay still
	// returns the debit, without ErrInsufficientCredits.
	d := e.credit(x, licensing.CreditSMS, -4)
	d.IdempotencyKey = "debit-" + newID()
	debit := e.apply(d, 6)
	drain := e.apply(e.credit(x, licensing.CreditSMS, -6), 0)
	again := e.credit(x, licensing.CreditSMS, -4)
	again.IdempotencyKey = d.IdempotencyKey
	replay(again, debit)
	require.Equal(t, int64(0), e.balances(x)[licensing.CreditSMS])
	e.requireCreditHistory(x, "", drain, debit, grant)

	// Keys are per account: another account, and another platform, apply
	// the same key.
	y := newID()
	yg := e.credit(y, licensing.CreditSMS, 3)
	yg.IdempotencyKey = key
	e.apply(yg, 3)
	o := e.other()
	og := o.credit(x, licensing.CreditSMS, 8)
	og.IdempotencyKey = key
	o.apply(og, 8)
	require.Equal(t, map[string]int64{licensing.CreditSMS: 3}, e.balances(y))
	require.Equal(t, map[string]int64{licensing.CreditSMS: 8}, o.balances(x))
	e.requireCreditHistory(x, "", drain, debit, grant)
}

// testCreditAccountsApart keeps two accounts' balances and histories apart.
func testCreditAccountsApart(t *testing.T, h Harness) {
	e := setup(t, h)
	x, y := newID(), newID()
	xs := []licensing.CreditEntry{e.apply(e.credit(x, licensing.CreditSMS, 10), 10)}
	ys := []licensing.CreditEntry{e.apply(e.credit(y, licensing.CreditSMS, 3), 3)}
	xs = append(xs, e.apply(e.credit(x, licensing.CreditSMS, -8), 2))
	ys = append(ys, e.apply(e.credit(y, licensing.CreditSMS, -3), 0))
	xs = append(xs, e.apply(e.credit(x, licensing.CreditVoiceMinutes, 60), 60))

	over := e.credit(y, licensing.CreditSMS, -1)
	ev := e.creditEvent(over)
	_, _, err := e.s.ApplyCredit(e.ctx, over, ev)
	require.ErrorIs(t, err, licensing.ErrInsufficientCredits, "x's balance is not y's")
	e.requireNoEvent(ev)

	require.Equal(t, map[string]int64{licensing.CreditSMS: 2, licensing.CreditVoiceMinutes: 60}, e.balances(x))
	require.Equal(t, int64(0), e.balances(y)[licensing.CreditSMS])
	e.requireCreditHistory(x, "", newestCreditsFirst(xs)...)
	e.requireCreditHistory(y, "", newestCreditsFirst(ys)...)
}

// testCreditHistoryPagination pages through entries with ties on At, with
// and without a kind filter.
func testCreditHistoryPagination(t *testing.T, h Harness) {
	e := setup(t, h)
	x := newID()
	e.apply(e.credit(newID(), licensing.CreditSMS, 1), 1) // another account's entry
	t1, t2, t3 := at(10*day+time.Microsecond), at(11*day+2*time.Microsecond), at(12*day+3*time.Microsecond)
	var all, sms []licensing.CreditEntry
	balance := map[string]int64{}
	for i, when := range []time.Time{t3, t1, t2, t1, t3, t1, t2, t1, t3, t2} {
		kind := licensing.CreditSMS
		if i%3 == 2 {
			kind = licensing.CreditVoiceMinutes
		}
		c := e.credit(x, kind, int64(i+1))
		c.At = when
		balance[kind] += c.Delta
		c = e.apply(c, balance[kind])
		all = append(all, c)
		if kind == licensing.CreditSMS {
			sms = append(sms, c)
		}
	}

	page := func(q licensing.CreditQuery, size int) []licensing.CreditEntry {
		t.Helper()
		var out []licensing.CreditEntry
		q.AccountID, q.Limit = x, size
		for range 20 {
			got := e.creditHistory(q)
			require.LessOrEqual(t, len(got), size, "page size")
			out = append(out, got...)
			if len(got) < size {
				return out
			}
			last := got[len(got)-1]
			q.After = &licensing.CreditCursor{At: last.At, ID: last.ID}
		}
		t.Fatal("pagination does not end")
		return nil
	}
	for _, size := range []int{1, 2, 3, 4} {
		require.Equal(t, newestCreditsFirst(all), page(licensing.CreditQuery{}, size), "page size %d", size)
		require.Equal(t, newestCreditsFirst(sms), page(licensing.CreditQuery{Kind: licensing.CreditSMS}, size), "sms, page size %d", size)
	}

	sorted := newestCreditsFirst(all)
	last := sorted[len(sorted)-1]
	require.Empty(t, e.creditHistory(licensing.CreditQuery{AccountID: x, After: &licensing.CreditCursor{At: last.At, ID: last.ID}}))
	mid := sorted[4]
	require.Equal(t, sorted[5:], e.creditHistory(licensing.CreditQuery{AccountID: x, After: &licensing.CreditCursor{At: mid.At, ID: mid.ID}}))
}
