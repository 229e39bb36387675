package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/conformance"
)

// rounds is how many times each race is run, each on new records.
const rounds = 3

// racers is how many calls race in each round.
const racers = 20

// testRaceHost races inserts of one host by 20 platforms: exactly one
// wins, the others are ErrConflict and wrote nothing, only the winner's
// event lands, and the host leads to the winner.
func testRaceHost(t *testing.T, h Harness) {
	e := setup(t, h)
	for r := range rounds {
		host := e.host(fmt.Sprint("www", r))
		envs := make([]*env, racers)
		ds := make([]branding.Domain, racers)
		events := make([]audit.Event, racers)
		for i := range envs {
			envs[i] = e.other()
			ds[i] = envs[i].newDomain("x", func(d *branding.Domain) {
				d.Host = host
				if i%2 == 0 {
					primary(d)
				}
			})
			events[i] = envs[i].event(actionDomainAdd, targetDomain, host, "")
		}
		errs := conformance.Race(racers, func(i int) error {
			return e.s.InsertDomain(e.ctx, ds[i], events[i])
		})
		winner := conformance.OneWinner(t, errs, branding.ErrConflict)
		e.events().RequireOnly(winner, events...)
		w := envs[winner]
		w.requireDomains(ds[winner])
		primaryHost := ""
		if ds[winner].Primary {
			primaryHost = host
		}
		w.requireRoute(ds[winner], primaryHost)
		for i, o := range envs {
			if i != winner {
				require.Empty(t, o.list(), "loser %d holds no domain", i)
			}
		}
	}
}

// testRacePrimary races 20 calls that each make a different domain of one
// platform primary, each from the version it has just read, over a
// platform that has a primary already. Calls may win or lose (ErrConflict
// or ErrStale, writing nothing); at least one wins, and afterwards the
// platform has exactly one primary, one of the winners: the former
// primary and every other winner were demoted exactly once, the losers
// are untouched, and only the winners' events landed.
func testRacePrimary(t *testing.T, h Harness) {
	e := setup(t, h)
	prev := e.domain("pre", primary)
	for r := range rounds {
		ds := make([]branding.Domain, racers)
		for i := range ds {
			ds[i] = e.domain(fmt.Sprintf("r%dd%02d", r, i), verified)
		}
		ups := make([]branding.Domain, racers)
		events := make([]audit.Event, racers)
		for i := range events {
			events[i] = e.event(actionDomainUpdate, targetDomain, ds[i].Host, "")
		}
		errs := conformance.Race(racers, func(i int) error {
			cur, err := e.s.GetDomain(e.ctx, e.pid, ds[i].Host)
			if err != nil {
				return fmt.Errorf("read %s: %w", ds[i].Host, err)
			}
			cur.Primary = true
			cur.Version++
			ups[i] = cur
			return e.s.UpdateDomain(e.ctx, cur, events[i])
		})

		// The one primary now.
		var primaries []branding.Domain
		for _, d := range e.list() {
			if d.Primary {
				primaries = append(primaries, d)
			}
		}
		require.Len(t, primaries, 1, "exactly one primary after the race")
		final := -1
		for i, err := range errs {
			switch {
			case err == nil:
				e.requireEvent(events[i])
				if ds[i].Host == primaries[0].Host {
					final = i
				}
			case errors.Is(err, branding.ErrConflict), errors.Is(err, branding.ErrStale):
				e.requireNoEvent(events[i])
			default:
				require.NoError(t, err, "call %d", i)
			}
		}
		require.NotEqual(t, -1, final, "the primary is a winner's domain")

		want := []branding.Domain{demoted(prev)}
		for i, err := range errs {
			switch {
			case i == final:
				want = append(want, ups[i])
			case err == nil:
				want = append(want, demoted(ups[i]))
			default:
				want = append(want, ds[i])
			}
		}
		e.requireDomain(want...)
		for _, d := range want {
			e.requireRoute(d, ups[final].Host)
		}
		prev = ups[final]
	}
}

// testRaceThemeInsert races inserts (Version 1) of one theme: one wins,
// the others are ErrConflict and wrote nothing.
func testRaceThemeInsert(t *testing.T, h Harness) {
	e := setup(t, h)
	for range rounds {
		for _, acct := range []string{"", newAccountID()} {
			if acct == "" {
				e = e.other() // a new platform for each platform theme
			}
			ths := make([]branding.Theme, racers)
			events := make([]audit.Event, racers)
			for i := range ths {
				ths[i] = e.newTheme(acct)
				events[i] = e.themeEvent(actionTheme, acct)
			}
			errs := conformance.Race(racers, func(i int) error { return e.s.PutTheme(e.ctx, ths[i], events[i]) })
			winner := conformance.OneWinner(t, errs, branding.ErrConflict)
			e.requireTheme(ths[winner])
			e.events().RequireOnly(winner, events...)
		}
	}
}

// testRaceThemeUpdate races updates of one theme from the same version:
// one wins, the others are ErrStale and wrote nothing.
func testRaceThemeUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, acct := range []string{"", newAccountID()} {
		th := e.theme(acct)
		for range rounds {
			ths := make([]branding.Theme, racers)
			events := make([]audit.Event, racers)
			for i := range ths {
				ths[i] = e.newTheme(acct, func(u *branding.Theme) { u.Version = th.Version + 1 })
				events[i] = e.themeEvent(actionTheme, acct)
			}
			errs := conformance.Race(racers, func(i int) error { return e.s.PutTheme(e.ctx, ths[i], events[i]) })
			winner := conformance.OneWinner(t, errs, branding.ErrStale)
			e.requireTheme(ths[winner])
			e.events().RequireOnly(winner, events...)
			th = ths[winner]
		}
	}
}

// testRaceLoginSettings races inserts of a platform's settings (one wins,
// the others ErrConflict), then updates from one version (one wins, the
// others ErrStale).
func testRaceLoginSettings(t *testing.T, h Harness) {
	e := setup(t, h)
	for v := range int64(rounds + 1) {
		loss := branding.ErrStale
		if v == 0 {
			loss = branding.ErrConflict
		}
		ss := make([]branding.LoginSettings, racers)
		events := make([]audit.Event, racers)
		for i := range ss {
			ss[i] = e.newSettings(v+1, i%2 == 0, i%3 == 0)
			events[i] = e.event(actionLogin, targetLogin, e.pid, "")
		}
		errs := conformance.Race(racers, func(i int) error { return e.s.PutLoginSettings(e.ctx, ss[i], events[i]) })
		winner := conformance.OneWinner(t, errs, loss)
		e.requireSettings(ss[winner])
		e.events().RequireOnly(winner, events...)
	}
}

// testRaceProviderName races inserts of providers whose names differ only
// in case: one wins, the others are ErrConflict and wrote nothing.
func testRaceProviderName(t *testing.T, h Harness) {
	e := setup(t, h)
	var won []branding.StoredProvider
	for _, name := range []string{"azuread", "keycloak", "onelogin"} {
		ps := make([]branding.StoredProvider, racers)
		events := make([]audit.Event, racers)
		for i := range ps {
			ps[i] = e.newProvider(caseVariant(name, i))
			events[i] = e.providerEvent(actionProviderAdd, ps[i])
		}
		errs := conformance.Race(racers, func(i int) error { return e.s.InsertProvider(e.ctx, ps[i], events[i]) })
		winner := conformance.OneWinner(t, errs, branding.ErrConflict)
		e.events().RequireOnly(winner, events...)
		for i, p := range ps {
			if i != winner {
				e.requireNoProvider(p.ID)
			}
		}
		won = append(won, ps[winner])
		e.requireProviders(won...)
	}
}

// caseVariant returns name with its letters upper-cased where the bits of
// i say: distinct for each i below 2^len(name).
func caseVariant(name string, i int) string {
	b := []byte(name)
	for j := range b {
		if i&(1<<j) != 0 {
			b[j] = strings.ToUpper(string(b[j]))[0]
		}
	}
	return string(b)
}
