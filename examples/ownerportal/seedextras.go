package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/licensing"
	licensingsql "github.com/tenantry/tenantry/licensing/sqlstore"
)

// demoPlans are the licensing plans of the demo platform; the accounts'
// plan labels name them.
var demoPlans = []licensing.PlanParams{
	{ID: "starter", Name: "Starter", Features: []string{"live_chat"},
		Limits: map[string]int64{licensing.LimitSeats: 2, licensing.LimitBots: 1}},
	{ID: "pro", Name: "Pro", Features: []string{"analytics", "broadcasts", "live_chat"},
		Limits: map[string]int64{licensing.LimitSeats: 5, licensing.LimitBots: 5}},
	{ID: "agency", Name: "Agency", Features: []string{"analytics", "api", "broadcasts", "live_chat", "white_label"},
		Limits: map[string]int64{licensing.LimitSeats: 20, licensing.LimitBots: 50}},
}

// licensingAt is a licensing service whose clock stands still at t, for
// a history that looks lived.
func (s seeder) licensingAt(t time.Time) (*licensing.Service, error) {
	ls, err := licensingsql.New(s.db)
	if err != nil {
		return nil, err
	}
	return licensing.New(ls, &licensing.Config{Now: func() time.Time { return t }, Features: features}), nil
}

// licenses creates the plans and gives most accounts a license: a year
// from their creation, except for some that expired, were revoked, stopped
// paying, or never had one.
func (s seeder) licenses(ctx context.Context) error {
	start := s.now.Add(-365 * day)
	ls, err := s.licensingAt(start)
	if err != nil {
		return err
	}
	for _, p := range demoPlans {
		p.PlatformID = demoPlatformID
		if _, err := ls.CreatePlan(ctx, p); err != nil && !errors.Is(err, licensing.ErrConflict) {
			return err
		}
	}
	for i, d := range demoAccounts {
		if err := s.license(ctx, i, d); err != nil {
			return err
		}
	}
	return nil
}

// license gives demo account number i its license (see licenses).
func (s seeder) license(ctx context.Context, i int, d demoAccount) error {
	if i%11 == 5 {
		return nil // never licensed
	}
	acc, err := s.at(s.now).AccountByNickname(ctx, demoPlatformID, d.Nickname)
	if err != nil {
		return err
	}
	if _, err := s.portal.Licensing.AccountLicense(ctx, demoPlatformID, acc.ID); !errors.Is(err, licensing.ErrNotFound) {
		return err // already there, from an interrupted earlier run
	}
	created := acc.CreatedAt
	ls, err := s.licensingAt(created)
	if err != nil {
		return err
	}
	end := created.Add(365 * day)
	if i%7 == 3 && d.DaysAgo > 31 {
		end = created.Add(30 * day) // expired
	}
	l, err := ls.Issue(ctx, licensing.IssueParams{PlatformID: demoPlatformID, AccountID: acc.ID,
		PlanID: strings.ToLower(d.Plan), StartsAt: created, EndsAt: end})
	if err != nil {
		return err
	}
	later, err := s.licensingAt(created.Add(time.Duration(d.DaysAgo) * day / 2))
	if err != nil {
		return err
	}
	switch {
	case i%9 == 4:
		_, err = later.Revoke(ctx, demoPlatformID, l.ID)
	case i%13 == 6:
		_, err = later.RecordPaymentFailed(ctx, demoPlatformID, l.ID)
	}
	return err
}

// activity counts the host's metrics of every account for each day of the
// last 3 months it existed, each day on a clock set to that day.
func (s seeder) activity(ctx context.Context) error {
	ids := make([]string, len(demoAccounts))
	for i, d := range demoAccounts {
		acc, err := s.at(s.now).AccountByNickname(ctx, demoPlatformID, d.Nickname)
		if err != nil {
			return err
		}
		ids[i] = acc.ID
	}
	for back := 91; back >= 0; back-- {
		svc := s.at(s.now.Add(-time.Duration(back) * day))
		for i, d := range demoAccounts {
			if back >= d.DaysAgo || d.Disabled {
				continue
			}
			base := int64(len(d.Name)%7 + 2)
			wave := int64((91 - back) % 7)
			if err := svc.CountActivity(ctx, demoPlatformID, ids[i], "conversations", base*(3+wave)+int64(91-back)/8); err != nil {
				return err
			}
			if back%3 == 0 {
				if err := svc.CountActivity(ctx, demoPlatformID, ids[i], "bookings", base+wave/2); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// demoHost is the platform's default host. Branding wants at least two
// labels, so plain "localhost" is refused; browsers resolve any
// *.localhost name to the loopback address, so http://demo.localhost:8080
// reaches the demo too.
const demoHost = "demo.localhost"

// branding gives the platform its default host and a theme.
func (s seeder) branding(ctx context.Context) error {
	b := s.portal.Branding
	if _, err := b.AddDefaultHost(ctx, demoPlatformID, demoHost); err != nil && !errors.Is(err, branding.ErrConflict) {
		return err
	}
	_, err := b.SetTheme(ctx, branding.Theme{PlatformID: demoPlatformID,
		Colors: branding.Colors{Sidebar: "#1f2a44", SidebarText: "#ffffff", Button: "#2f5fd0", ButtonText: "#ffffff",
			Status: "#2e7d4f", StatusText: "#ffffff", Link: "#2f5fd0", LinkText: "#ffffff", Background: "#f7f8fa", Text: "#1f2933"},
		ProductName: "Demo Chat", SupportEmail: "support@demo.example", EmailSenderName: "Demo Chat"})
	return err
}
