package tenantry_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"reflect"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/hostile"
	"github.com/tenantry/tenantry/internal/smtptest"
	"github.com/tenantry/tenantry/internal/testclock"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/internal/validate"
	"github.com/tenantry/tenantry/invites"
	invsmtp "github.com/tenantry/tenantry/invites/smtp"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

// The hostile-input test feeds every value of internal/hostile to every
// string the façade's services take: each positional string argument and
// each string field (through pointers, slices, nested structs and map keys)
// of each parameter, one at a time, the rest of the call valid. Each call
// must either fail with one of its package's sentinel errors (an invalid
// input naming its field; never a raw driver error, and never with the
// value echoed back whole in the error's text), or succeed and hand the
// value back, read fresh, verbatim after the field's documented
// normalisation (trimmed, a canonical email or host); calls that store
// nothing (lookups, listings) may succeed only where listed. A second
// platform must see none of it. The check is strict on both SQLite and
// PostgreSQL: every Service refuses, through internal/validate, what no
// store can hold (invalid UTF-8, NUL, keys past an index row) before it
// reaches one.
//
// A reflection check keeps the table complete: every method of every
// Service (and Gate, Router, HTTP) taking text is in the table or exempt
// with a reason.

// hostileEntry is one method of one service, with a valid call to mutate.
type hostileEntry struct {
	recv   string // "tenancy.Service", for coverage and sentinels
	method string
	// base returns the valid arguments (without ctx); fresh on each call.
	base func(t *testing.T, e *henv) []any
	// ctx is who calls; defaults to the owner of platform A.
	ctx func(e *henv) context.Context
	// read reads back, fresh, what a successful call stored: leaf path ->
	// value (string, []string or map with string keys).
	read func(t *testing.T, e *henv, in, out []reflect.Value) map[string]any
	// okAll lets the call succeed without a read-back for every leaf
	// (lookups that answer "no", queries, idempotent no-ops); ok lists
	// single leaves.
	okAll bool
	ok    []string
	// check, when set, inspects a successful call's results.
	check func(t *testing.T, e *henv, v string, out []reflect.Value) error
}

func (h hostileEntry) key() string { return h.recv + "." + h.method }

// henv is the world the hostile calls run in: platform A with staff, a
// licensed account and a spare account to edit; platform B beside it.
type henv struct {
	p      *tenantry.Portal
	clock  *testclock.Clock
	pid    string
	owner  string
	op     string
	member string          // a team member of acc with live chat only
	acc    tenancy.Account // licensed, impersonation subject's account
	client tenancy.User
	edit   tenancy.Account // the account edits go to
	tmpl   tenancy.Account // a template
	prov   branding.Provider
	bpid   string
	bowner string
	bacc   tenancy.Account
	n      atomic.Int64
}

const hostilePassword = "correct horse battery"

func (e *henv) uniq(prefix string) string { return fmt.Sprintf("%s%d", prefix, e.n.Add(1)) }

func (e *henv) sys() context.Context {
	return audit.WithPrincipal(context.Background(), audit.System("hostile-test"))
}

func (e *henv) as(pid, userID string) context.Context {
	return audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: pid, UserID: userID})
}

func (e *henv) own() context.Context { return e.as(e.pid, e.owner) }

func newHenv(t *testing.T, db *sqlx.DB, configure ...func(*tenantry.Config)) *henv {
	t.Helper()
	e := &henv{clock: testclock.New(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))}
	cfg := &tenantry.Config{
		Now:       e.clock.Now,
		SecretKey: []byte("0123456789abcdef0123456789abcdef"),
		Features:  []licensing.Feature{{Key: "live_chat", Name: "Live chat"}, {Key: "sms", Name: "SMS"}},
		Tenancy:   &tenancy.Config{Argon2: tenancy.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}},
		Invites:   &invites.Config{PerInviter: 1 << 30, PerPlatform: 1 << 30, ResendCooldown: time.Nanosecond},
	}
	for _, c := range configure {
		c(cfg)
	}
	p, err := tenantry.Open(t.Context(), db, cfg)
	require.NoError(t, err)
	e.p = p
	sys := e.sys()
	mk := func(name string) (pid, owner string, acc tenancy.Account) {
		plat, err := p.Tenancy.CreatePlatform(sys, tenancy.CreatePlatformParams{Name: name})
		require.NoError(t, err)
		c, err := p.Tenancy.CreateUser(sys, tenancy.CreateUserParams{PlatformID: plat.ID, Email: "owner@" + strings.ToLower(name) + ".example", Name: "Owner", Role: tenancy.RoleOwner})
		require.NoError(t, err)
		ca, err := p.Tenancy.CreateAccount(e.as(plat.ID, c.User.ID), tenancy.CreateAccountParams{PlatformID: plat.ID, Name: "Acme", Email: "client@acme.example", Password: hostilePassword})
		require.NoError(t, err)
		return plat.ID, c.User.ID, ca.Account
	}
	e.pid, e.owner, e.acc = mk("Reseller")
	e.bpid, e.bowner, e.bacc = mk("Bystander")
	cl, err := p.Tenancy.User(sys, e.pid, e.acc.PrimaryUserID)
	require.NoError(t, err)
	e.client = cl
	op, err := p.Tenancy.CreateUser(sys, tenancy.CreateUserParams{PlatformID: e.pid, Email: "op@reseller.example", Name: "Op", Role: tenancy.RoleOperator})
	require.NoError(t, err)
	e.op = op.User.ID
	mem := e.user(t)
	_, err = p.Tenancy.AddMember(e.own(), tenancy.AddMemberParams{PlatformID: e.pid, AccountID: e.acc.ID, UserID: mem.ID, Permissions: []string{tenancy.PermLiveChat}})
	require.NoError(t, err)
	e.member = mem.ID
	ed, err := p.Tenancy.CreateAccount(e.own(), tenancy.CreateAccountParams{PlatformID: e.pid, Name: "Edited", Email: "edited@acme.example"})
	require.NoError(t, err)
	e.edit = ed.Account
	tm, err := p.Tenancy.CreateAccount(e.own(), tenancy.CreateAccountParams{PlatformID: e.pid, Name: "Template", Email: "template@acme.example"})
	require.NoError(t, err)
	e.tmpl, err = p.Tenancy.SetTemplate(e.own(), e.pid, tm.Account.ID, true)
	require.NoError(t, err)
	_, err = p.Licensing.CreatePlan(e.own(), licensing.PlanParams{PlatformID: e.pid, ID: "pro", Name: "Pro", Features: []string{"live_chat"}, Limits: map[string]int64{"bots": 5}})
	require.NoError(t, err)
	_, err = p.Licensing.Issue(e.own(), licensing.IssueParams{PlatformID: e.pid, PlanID: "pro", AccountID: e.acc.ID, EndsAt: e.clock.Now().Add(365 * 24 * time.Hour)})
	require.NoError(t, err)
	_, err = p.Tenancy.SetPool(e.own(), e.pid, tenancy.ResourceBotSlots, 1000)
	require.NoError(t, err)
	_, err = p.Tenancy.Allocate(e.own(), e.pid, e.acc.ID, tenancy.ResourceBotSlots, 10)
	require.NoError(t, err)
	_, err = p.Licensing.GrantCredits(e.own(), licensing.CreditParams{PlatformID: e.pid, AccountID: e.acc.ID, Kind: "sms", Amount: 1 << 40, IdempotencyKey: "seed"})
	require.NoError(t, err)
	_, err = p.Tenancy.GrantAccess(e.own(), tenancy.GrantParams{PlatformID: e.pid, AccountID: e.acc.ID, ResourceID: "bot-1", UserID: e.op})
	require.NoError(t, err)
	e.prov, err = p.Branding.AddProvider(e.own(), e.provider())
	require.NoError(t, err)
	_, err = p.Branding.AddDomain(e.own(), e.pid, "portal.reseller.example")
	require.NoError(t, err)
	return e
}

func (e *henv) provider() branding.Provider {
	return branding.Provider{
		PlatformID: e.pid, Name: e.uniq("Provider "), ClientID: "client-id", ClientSecret: "client-secret",
		AuthURL: "https://id.example/auth", TokenURL: "https://id.example/token", Scopes: []string{"openid", "email"}, Enabled: true,
	}
}

// user makes a regular user of platform A with a password.
func (e *henv) user(t *testing.T) tenancy.User {
	t.Helper()
	c, err := e.p.Tenancy.CreateUser(e.sys(), tenancy.CreateUserParams{PlatformID: e.pid, Email: e.uniq("u") + "@acme.example", Name: "U", Password: hostilePassword})
	require.NoError(t, err)
	return c.User
}

// invitation makes a pending manager invitation of acc and its token.
func (e *henv) invitation(t *testing.T) invites.Created {
	t.Helper()
	c, err := e.p.Invites.Create(e.own(), invites.CreateParams{PlatformID: e.pid, Kind: invites.KindManager, Email: e.uniq("m") + "@acme.example", AccountID: e.acc.ID, ResourceID: "bot-1"})
	require.NoError(t, err)
	return c
}

func (e *henv) session(t *testing.T) impersonation.Started {
	t.Helper()
	st, err := e.p.Impersonation.Start(e.as(e.pid, e.op), impersonation.StartParams{PlatformID: e.pid, AccountID: e.acc.ID, Mode: impersonation.AsClient})
	require.NoError(t, err)
	return st
}

func out0[T any](out []reflect.Value) T { return out[0].Interface().(T) }

func args(a ...any) func(*testing.T, *henv) []any {
	return func(*testing.T, *henv) []any { return a }
}

// hostileEntries is the table. Entries read IDs from e, so it is built per
// world.
func hostileEntries(e *henv) []hostileEntry {
	pid, acc, edit := e.pid, e.acc.ID, e.edit.ID
	ten := func(method string, base func(*testing.T, *henv) []any, h hostileEntry) hostileEntry {
		h.recv, h.method, h.base = "tenancy.Service", method, base
		return h
	}
	lic := func(method string, base func(*testing.T, *henv) []any, h hostileEntry) hostileEntry {
		h.recv, h.method, h.base = "licensing.Service", method, base
		return h
	}
	inv := func(method string, base func(*testing.T, *henv) []any, h hostileEntry) hostileEntry {
		h.recv, h.method, h.base = "invites.Service", method, base
		return h
	}
	imp := func(method string, base func(*testing.T, *henv) []any, h hostileEntry) hostileEntry {
		h.recv, h.method, h.base = "impersonation.Service", method, base
		return h
	}
	brd := func(method string, base func(*testing.T, *henv) []any, h hostileEntry) hostileEntry {
		h.recv, h.method, h.base = "branding.Service", method, base
		return h
	}
	readAccount := func(t *testing.T, e *henv, id string) tenancy.Account {
		a, err := e.p.Tenancy.Account(e.own(), e.pid, id)
		require.NoError(t, err)
		return a
	}
	accountFields := func(prefix string, a tenancy.Account) map[string]any {
		return map[string]any{
			prefix + "Name": a.Name, prefix + "Nickname": a.Nickname, prefix + "Contact.Address": a.Contact.Address,
			prefix + "Contact.Phone": a.Contact.Phone, prefix + "Contact.Website": a.Contact.Website,
			prefix + "Language": a.Language, prefix + "TimeZone": a.TimeZone, prefix + "LogoURL": a.LogoURL,
			prefix + "Tags": a.Tags, prefix + "Note": a.Note, prefix + "Plan": a.Plan, prefix + "Sites": a.Sites,
		}
	}
	authOK := func(e *henv, email, password string) string {
		if _, err := e.p.Tenancy.Authenticate(context.Background(), tenancy.AuthenticateParams{PlatformID: e.pid, Email: email, Password: password}); err != nil {
			return "(login failed: " + err.Error() + ")"
		}
		return password
	}
	readUser := func(t *testing.T, e *henv, id string) tenancy.User {
		u, err := e.p.Tenancy.User(e.own(), e.pid, id)
		require.NoError(t, err)
		return u
	}
	lookup := hostileEntry{}
	query := hostileEntry{okAll: true}
	deny := func(out []reflect.Value) error {
		if out[0].Bool() {
			return errors.New("answered true")
		}
		return nil
	}
	refusedDecision := func(_ *testing.T, _ *henv, _ string, out []reflect.Value) error {
		if d := out0[licensing.Decision](out); d.Allowed {
			return errors.New("the gate allowed a hostile feature, limit or ID")
		}
		return nil
	}
	resource := tenancy.ResourceBotSlots

	return []hostileEntry{
		// tenancy: platforms.
		ten("CreatePlatform", func(*testing.T, *henv) []any { return []any{tenancy.CreatePlatformParams{Name: "P"}} }, hostileEntry{
			ctx: (*henv).sys,
			read: func(t *testing.T, e *henv, _, out []reflect.Value) map[string]any {
				p, err := e.p.Tenancy.Platform(e.sys(), out0[tenancy.Platform](out).ID)
				require.NoError(t, err)
				return map[string]any{"arg1.ID": p.ID, "arg1.Name": p.Name}
			},
		}),
		ten("Platform", args(pid), lookup),
		ten("RenamePlatform", args(pid, "Reseller"), hostileEntry{read: func(t *testing.T, e *henv, _, _ []reflect.Value) map[string]any {
			p, err := e.p.Tenancy.Platform(e.own(), e.pid)
			require.NoError(t, err)
			return map[string]any{"arg2": p.Name}
		}}),
		// tenancy: accounts.
		ten("CreateAccount", func(_ *testing.T, e *henv) []any {
			return []any{tenancy.CreateAccountParams{PlatformID: e.pid, Name: "New", Email: e.uniq("new") + "@acme.example", Password: hostilePassword, Tags: []string{"vip"}, Sites: []string{"https://acme.example/"}}}
		}, hostileEntry{read: func(t *testing.T, e *henv, in, out []reflect.Value) map[string]any {
			c := out0[tenancy.CreatedAccount](out)
			m := accountFields("arg1.", readAccount(t, e, c.Account.ID))
			u := readUser(t, e, c.PrimaryAdmin.ID)
			m["arg1.Email"], m["arg1.AdminName"] = u.Email, u.Name
			m["arg1.Password"] = authOK(e, u.Email, in[0].Interface().(tenancy.CreateAccountParams).Password)
			return m
		}}),
		ten("CreateFromTemplate", func(_ *testing.T, e *henv) []any {
			return []any{tenancy.CreateFromTemplateParams{PlatformID: e.pid, TemplateID: e.tmpl.ID, Accounts: []tenancy.NewFromTemplate{{Name: "From template", Email: e.uniq("ft") + "@acme.example", Password: hostilePassword}}}}
		}, hostileEntry{read: func(t *testing.T, e *henv, in, out []reflect.Value) map[string]any {
			c := out0[[]tenancy.CreatedAccount](out)
			require.Len(t, c, 1)
			a, u := readAccount(t, e, c[0].Account.ID), readUser(t, e, c[0].PrimaryAdmin.ID)
			return map[string]any{
				"arg1.Accounts.Name": a.Name, "arg1.Accounts.Nickname": a.Nickname, "arg1.Accounts.Email": u.Email,
				"arg1.Accounts.AdminName": u.Name, "arg1.Accounts.Password": authOK(e, u.Email, in[0].Interface().(tenancy.CreateFromTemplateParams).Accounts[0].Password),
			}
		}}),
		ten("Account", args(pid, acc), lookup),
		ten("AccountByUID", args(pid, e.acc.UID), lookup),
		ten("AccountByNickname", func(t *testing.T, e *henv) []any { return []any{e.pid, "acme-nick"} }, lookup),
		ten("UpdateAccount", args(pid, edit, tenancy.AccountEdit{}), hostileEntry{read: func(t *testing.T, e *henv, _, _ []reflect.Value) map[string]any {
			return accountFields("arg3.", readAccount(t, e, e.edit.ID))
		}}),
		ten("ListAccounts", args(tenancy.ListAccountsParams{PlatformID: pid, WithFigures: true}), query),
		ten("DisableAccount", args(pid, edit), lookup),
		ten("EnableAccount", args(pid, edit), hostileEntry{ok: []string{}}),
		ten("LockAccount", args(pid, edit), lookup),
		ten("UnlockAccount", args(pid, edit), hostileEntry{}),
		ten("DeleteAccount", args(pid, edit), lookup),
		ten("ConvertTest", args(pid, edit), lookup),
		ten("ExtendTest", args(pid, edit, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)), lookup),
		ten("MarkSetupComplete", args(pid, edit), lookup),
		ten("CompleteOnboardingStep", args(pid, edit, "profile"), hostileEntry{read: func(t *testing.T, e *henv, _, _ []reflect.Value) map[string]any {
			return map[string]any{"arg3": readAccount(t, e, e.edit.ID).Onboarding.StepsDone}
		}}),
		ten("SetLinksAllowed", args(pid, edit, true), lookup),
		ten("MaySendLinks", args(pid, edit), lookup),
		ten("SetSecure", args(pid, edit, false), lookup),
		ten("SetTemplate", args(pid, edit, false), lookup),
		ten("RotateSSOSecret", args(pid, edit), lookup),
		ten("SSOSecret", args(pid, edit), lookup),
		ten("VerifySSOLink", args(pid, "token"), lookup),
		// tenancy: users.
		ten("CreateUser", func(_ *testing.T, e *henv) []any {
			return []any{tenancy.CreateUserParams{PlatformID: e.pid, Email: e.uniq("cu") + "@acme.example", Name: "Created", Password: hostilePassword}}
		}, hostileEntry{read: func(t *testing.T, e *henv, in, out []reflect.Value) map[string]any {
			u := readUser(t, e, out0[tenancy.CreatedUser](out).User.ID)
			return map[string]any{"arg1.Email": u.Email, "arg1.Name": u.Name, "arg1.Role": string(u.Role),
				"arg1.Password": authOK(e, u.Email, in[0].Interface().(tenancy.CreateUserParams).Password)}
		}}),
		ten("User", args(pid, e.client.ID), lookup),
		ten("UserByEmail", args(pid, e.client.Email), hostileEntry{okAll: true, check: func(_ *testing.T, _ *henv, v string, out []reflect.Value) error {
			if u := out0[tenancy.User](out); !storedAs(u.Email, v) {
				return fmt.Errorf("found %s", u.Email)
			}
			return nil
		}}),
		ten("UpdateUser", func(t *testing.T, e *henv) []any {
			return []any{tenancy.UpdateUserParams{PlatformID: e.pid, UserID: e.user(t).ID}}
		}, hostileEntry{read: func(t *testing.T, e *henv, in, _ []reflect.Value) map[string]any {
			u := readUser(t, e, in[0].Interface().(tenancy.UpdateUserParams).UserID)
			return map[string]any{"arg1.Name": u.Name, "arg1.Email": u.Email}
		}}),
		ten("ListUsers", args(tenancy.ListUsersParams{PlatformID: pid}), query),
		ten("SetRole", func(t *testing.T, e *henv) []any { return []any{e.pid, e.user(t).ID, tenancy.RoleNone} }, lookup),
		ten("DisableUser", args(pid, "missing-user"), hostileEntry{ok: []string{}}),
		ten("EnableUser", args(pid, "missing-user"), hostileEntry{}),
		ten("Authenticate", args(tenancy.AuthenticateParams{PlatformID: pid, Email: e.client.Email, Password: "wrong password here"}), lookup),
		ten("ChangePassword", func(t *testing.T, e *henv) []any {
			u := e.user(t)
			return []any{tenancy.ChangePasswordParams{PlatformID: e.pid, UserID: u.ID, Current: hostilePassword, New: "a new long password"}}
		}, hostileEntry{
			ctx: nil, // set below: the user changes their own password
			read: func(t *testing.T, e *henv, in, _ []reflect.Value) map[string]any {
				p := in[0].Interface().(tenancy.ChangePasswordParams)
				u := readUser(t, e, p.UserID)
				return map[string]any{"arg1.New": authOK(e, u.Email, p.New)}
			},
		}),
		ten("SetPassword", func(t *testing.T, e *henv) []any { return []any{e.pid, e.user(t).ID, "a new long password"} }, hostileEntry{
			read: func(t *testing.T, e *henv, in, _ []reflect.Value) map[string]any {
				u := readUser(t, e, in[1].String())
				return map[string]any{"arg3": authOK(e, u.Email, in[2].String())}
			},
		}),
		ten("IssuePasswordToken", func(t *testing.T, e *henv) []any {
			return []any{e.pid, e.user(t).ID, tenancy.TokenResetPassword}
		}, lookup),
		ten("UsePasswordToken", func(t *testing.T, e *henv) []any {
			tok, err := e.p.Tenancy.IssuePasswordToken(e.own(), e.pid, e.user(t).ID, tenancy.TokenResetPassword)
			require.NoError(t, err)
			return []any{e.pid, tok.Token, "a new long password"}
		}, hostileEntry{read: func(t *testing.T, e *henv, in, out []reflect.Value) map[string]any {
			return map[string]any{"arg3": authOK(e, out0[tenancy.User](out).Email, in[2].String())}
		}}),
		ten("RequestPasswordReset", args(pid, "nobody@acme.example"), hostileEntry{check: func(_ *testing.T, _ *henv, v string, out []reflect.Value) error {
			if r := out0[tenancy.ResetRequest](out); r.Token != "" && !storedAs(r.User.Email, v) {
				return errors.New("a reset token for a hostile address")
			}
			return nil
		}, okAll: true}),
		// tenancy: members, grants, assignments.
		ten("AddMember", func(t *testing.T, e *henv) []any {
			return []any{tenancy.AddMemberParams{PlatformID: e.pid, AccountID: e.acc.ID, UserID: e.user(t).ID, Permissions: []string{tenancy.PermLiveChat}}}
		}, hostileEntry{read: func(t *testing.T, e *henv, in, _ []reflect.Value) map[string]any {
			p := in[0].Interface().(tenancy.AddMemberParams)
			defer func() { require.NoError(t, e.p.Tenancy.RemoveMember(e.own(), e.pid, e.acc.ID, p.UserID)) }()
			return map[string]any{"arg1.Permissions": memberPerms(t, e, p.UserID)}
		}}),
		ten("SetPermissions", args(tenancy.AddMemberParams{PlatformID: pid, AccountID: acc, UserID: e.client.ID, Permissions: []string{tenancy.PermLiveChat}}), hostileEntry{
			read: func(t *testing.T, e *henv, _, _ []reflect.Value) map[string]any {
				return map[string]any{"arg1.Permissions": memberPerms(t, e, e.client.ID)}
			},
		}),
		ten("RemoveMember", args(pid, acc, "missing-user"), lookup),
		ten("Members", args(pid, edit), hostileEntry{okAll: true, check: emptySlice}),
		ten("Memberships", args(pid, e.op), hostileEntry{okAll: true, check: emptySlice}),
		ten("Can", args(pid, acc, e.member, tenancy.PermLiveChat), hostileEntry{okAll: true, check: func(_ *testing.T, _ *henv, _ string, out []reflect.Value) error { return deny(out) }}),
		ten("GrantAccess", func(t *testing.T, e *henv) []any {
			return []any{tenancy.GrantParams{PlatformID: e.pid, AccountID: e.acc.ID, ResourceID: e.uniq("bot-"), UserID: e.op}}
		}, hostileEntry{read: func(t *testing.T, e *henv, in, _ []reflect.Value) map[string]any {
			p := in[0].Interface().(tenancy.GrantParams)
			gs, err := e.p.Tenancy.Grants(e.own(), tenancy.GrantQuery{PlatformID: e.pid, AccountID: e.acc.ID, UserID: e.op})
			require.NoError(t, err)
			var ids []string
			for _, g := range gs {
				ids = append(ids, g.ResourceID)
			}
			require.NoError(t, e.p.Tenancy.RevokeAccess(e.own(), p))
			return map[string]any{"arg1.ResourceID": ids}
		}}),
		ten("RevokeAccess", args(tenancy.GrantParams{PlatformID: pid, AccountID: acc, ResourceID: "no-such-bot", UserID: e.op}), lookup),
		ten("Grants", args(tenancy.GrantQuery{PlatformID: pid, AccountID: acc}), hostileEntry{okAll: true, check: emptySlice}),
		ten("SharedResources", args(pid, edit), hostileEntry{okAll: true, check: emptySlice}),
		ten("AssignAccounts", args(pid, e.op, []string{edit}), lookup),
		ten("UnassignAccounts", args(pid, e.op, []string{"missing"}), hostileEntry{ok: []string{"arg3"}}),
		ten("Assignments", args(pid, []string{edit}), hostileEntry{okAll: true, check: emptySlice}),
		// tenancy: quotas and activity.
		ten("SetPool", args(pid, resource, int64(1000)), hostileEntry{read: func(t *testing.T, e *henv, in, _ []reflect.Value) map[string]any {
			ps, err := e.p.Tenancy.Pools(e.own(), e.pid)
			require.NoError(t, err)
			var rs []string
			for _, p := range ps {
				rs = append(rs, p.Resource)
			}
			return map[string]any{"arg2": rs}
		}}),
		ten("Pools", args(pid), hostileEntry{okAll: true, check: emptySlice}),
		ten("Allocate", args(pid, acc, resource, int64(0)), lookup),
		ten("Release", args(pid, acc, resource, int64(0)), lookup),
		ten("Resize", args(pid, acc, resource, int64(10)), lookup),
		ten("UseQuota", args(pid, acc, resource, int64(0)), lookup),
		ten("Allocations", args(pid, []string{edit}), hostileEntry{okAll: true, check: emptySlice}),
		ten("CountActivity", args(pid, acc, "messages", int64(1)), hostileEntry{read: func(t *testing.T, e *henv, in, _ []reflect.Value) map[string]any {
			series, err := e.p.Tenancy.Activity(e.own(), e.pid, e.acc.ID, in[2].String())
			require.NoError(t, err)
			var ms []string
			for _, s := range series {
				if slices.ContainsFunc(s.Days, func(n int64) bool { return n > 0 }) {
					ms = append(ms, s.Metric)
				}
			}
			return map[string]any{"arg3": ms}
		}}),
		ten("Activity", args(pid, acc, []string{"messages"}), hostileEntry{okAll: true, check: func(_ *testing.T, _ *henv, _ string, out []reflect.Value) error {
			for _, s := range out0[[]tenancy.ActivitySeries](out) {
				if slices.ContainsFunc(s.Days, func(n int64) bool { return n > 0 }) && s.Metric != "messages" {
					return fmt.Errorf("activity under a hostile metric %q", s.Metric)
				}
			}
			return nil
		}}),

		// licensing.
		lic("CreatePlan", func(_ *testing.T, e *henv) []any {
			return []any{licensing.PlanParams{PlatformID: e.pid, ID: e.uniq("plan-"), Name: "Plan", Features: []string{"live_chat"}, Limits: map[string]int64{"bots": 1}}}
		}, hostileEntry{read: func(t *testing.T, e *henv, _, out []reflect.Value) map[string]any {
			p, err := e.p.Licensing.Plan(e.own(), e.pid, out0[licensing.Plan](out).ID)
			require.NoError(t, err)
			return map[string]any{"arg1.Name": p.Name, "arg1.Features": p.Features, "arg1.Limits": p.Limits}
		}}),
		lic("UpdatePlan", args(licensing.PlanParams{PlatformID: pid, ID: "pro", Name: "Pro", Features: []string{"live_chat"}, Limits: map[string]int64{"bots": 5}}), hostileEntry{
			read: func(t *testing.T, e *henv, _, _ []reflect.Value) map[string]any {
				p, err := e.p.Licensing.Plan(e.own(), e.pid, "pro")
				require.NoError(t, err)
				_, err = e.p.Licensing.UpdatePlan(e.own(), licensing.PlanParams{PlatformID: e.pid, ID: "pro", Name: "Pro", Features: []string{"live_chat"}, Limits: map[string]int64{"bots": 5}})
				require.NoError(t, err)
				return map[string]any{"arg1.Name": p.Name, "arg1.Features": p.Features, "arg1.Limits": p.Limits}
			},
		}),
		lic("Plan", args(pid, "pro"), lookup),
		lic("Plans", args(pid), hostileEntry{okAll: true, check: emptySlice}),
		lic("Issue", func(_ *testing.T, e *henv) []any {
			return []any{licensing.IssueParams{PlatformID: e.pid, PlanID: "pro", EndsAt: e.clock.Now().Add(time.Hour)}}
		}, hostileEntry{}),
		lic("License", args(pid, "missing"), lookup),
		lic("LicenseByNumber", args(pid, "missing"), lookup),
		lic("AccountLicense", args(pid, acc), lookup),
		lic("AccountLicenses", args(pid, []string{edit}), hostileEntry{okAll: true, check: func(_ *testing.T, _ *henv, _ string, out []reflect.Value) error {
			if ls := out0[map[string]licensing.License](out); len(ls) > 0 {
				return fmt.Errorf("%d licenses", len(ls))
			}
			return nil
		}}),
		lic("ListLicenses", args(licensing.ListLicensesParams{PlatformID: pid}), query),
		lic("History", args(pid, "missing"), hostileEntry{okAll: true, check: emptySlice}),
		lic("Assign", args(pid, "missing", edit), lookup),
		lic("Unassign", args(pid, "missing"), lookup),
		lic("Move", args(pid, "missing", edit), lookup),
		lic("Renew", args(pid, "missing", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)), lookup),
		lic("Revoke", args(pid, "missing"), lookup),
		lic("RecordPayment", args(pid, "missing"), lookup),
		lic("RecordPaymentFailed", args(pid, "missing"), lookup),
		lic("ChangePlan", args(pid, "missing", "pro"), lookup),
		lic("ChangeAccountPlan", args(pid, edit, "pro"), lookup),
		lic("SetOverride", args(pid, acc, "sms", false), hostileEntry{}),
		lic("ClearOverride", args(pid, acc, "sms"), lookup),
		lic("SetHiddenFeatures", args(pid, []string{"sms"}), hostileEntry{}),
		lic("Features", args(pid, edit, true), hostileEntry{okAll: true, check: func(_ *testing.T, _ *henv, _ string, out []reflect.Value) error {
			for _, f := range out0[[]licensing.FeatureView](out) {
				if f.Enabled {
					return fmt.Errorf("feature %s enabled for a hostile platform or account", f.Key)
				}
			}
			return nil
		}}),
		lic("Balances", args(pid, acc), hostileEntry{okAll: true, check: func(_ *testing.T, _ *henv, _ string, out []reflect.Value) error {
			if b := out0[map[string]int64](out); len(b) > 0 {
				return fmt.Errorf("balances %v", b)
			}
			return nil
		}}),
		lic("GrantCredits", func(_ *testing.T, e *henv) []any {
			return []any{licensing.CreditParams{PlatformID: e.pid, AccountID: e.acc.ID, Kind: "sms", Amount: 1, IdempotencyKey: e.uniq("k"), Reason: "top-up"}}
		}, hostileEntry{read: readCredit}),
		lic("DebitCredits", func(_ *testing.T, e *henv) []any {
			return []any{licensing.CreditParams{PlatformID: e.pid, AccountID: e.acc.ID, Kind: "sms", Amount: 1, IdempotencyKey: e.uniq("k"), Reason: "sent"}}
		}, hostileEntry{read: readCredit}),
		lic("CreditHistory", args(pid, acc, "sms", "", 10), hostileEntry{okAll: true, check: func(_ *testing.T, _ *henv, _ string, out []reflect.Value) error {
			if es := out0[licensing.CreditPage](out).Entries; len(es) > 0 {
				return fmt.Errorf("%d entries", len(es))
			}
			return nil
		}}),
		{recv: "licensing.Gate", method: "Check", base: args(pid, acc, "live_chat"), okAll: true, check: refusedDecision},
		{recv: "licensing.Gate", method: "CheckLimit", base: args(pid, edit, "bots", int64(0)), okAll: true, check: refusedDecision},
		{recv: "licensing.Gate", method: "Invalidate", base: args(pid, acc), okAll: true},
		{recv: "licensing.Gate", method: "Forget", base: args(pid, acc), okAll: true},
		{recv: "licensing.Gate", method: "ForgetPlatform", base: args(pid), okAll: true},

		// invites.
		inv("Create", func(_ *testing.T, e *henv) []any {
			return []any{invites.CreateParams{PlatformID: e.pid, Kind: invites.KindAccount, Email: e.uniq("inv") + "@acme.example", AccountName: "Newco"}}
		}, hostileEntry{read: readInvitation}),
		inv("Create", func(_ *testing.T, e *henv) []any {
			return []any{invites.CreateParams{PlatformID: e.pid, Kind: invites.KindManager, Email: e.uniq("mgr") + "@acme.example", AccountID: e.acc.ID, ResourceID: "bot-1", Permissions: []string{tenancy.PermLiveChat}}}
		}, hostileEntry{read: readInvitation}),
		inv("Create", func(_ *testing.T, e *henv) []any {
			return []any{invites.CreateParams{PlatformID: e.pid, Kind: invites.KindStaff, Email: e.uniq("staff") + "@acme.example", Role: string(tenancy.RoleOperator)}}
		}, hostileEntry{read: readInvitation}),
		inv("Preview", func(t *testing.T, e *henv) []any { return []any{e.pid, e.invitation(t).Token} }, hostileEntry{}),
		inv("Accept", func(t *testing.T, e *henv) []any {
			u := e.user(t)
			c, err := e.p.Invites.Create(e.own(), invites.CreateParams{PlatformID: e.pid, Kind: invites.KindManager, Email: u.Email, AccountID: e.acc.ID, ResourceID: e.uniq("bot-")})
			require.NoError(t, err)
			return []any{invites.AcceptParams{PlatformID: e.pid, Token: c.Token, UserID: u.ID, UserEmail: u.Email}}
		}, hostileEntry{ok: []string{"arg1.UserEmail"}}),
		inv("Decline", func(t *testing.T, e *henv) []any {
			u := e.user(t)
			c, err := e.p.Invites.Create(e.own(), invites.CreateParams{PlatformID: e.pid, Kind: invites.KindManager, Email: u.Email, AccountID: e.acc.ID, ResourceID: "bot-1"})
			require.NoError(t, err)
			return []any{e.pid, c.Token, u.ID, u.Email}
		}, hostileEntry{ok: []string{"arg4"}, read: func(t *testing.T, e *henv, _, out []reflect.Value) map[string]any {
			return map[string]any{"arg3": out0[invites.Invitation](out).DecidedBy}
		}}),
		inv("Resend", func(t *testing.T, e *henv) []any { return []any{e.pid, e.invitation(t).Invitation.ID} }, lookup),
		inv("Revoke", func(t *testing.T, e *henv) []any { return []any{e.pid, e.invitation(t).Invitation.ID} }, lookup),
		inv("List", args(invites.ListParams{PlatformID: pid}), query),
		inv("PendingFor", args(pid, "someone@acme.example"), hostileEntry{okAll: true, check: emptySlice}),
		inv("Expire", args(pid), hostileEntry{okAll: true}),

		// impersonation.
		imp("Start", args(impersonation.StartParams{PlatformID: pid, AccountID: acc, Mode: impersonation.AsClient, Reason: "support", Ticket: "T-1"}), hostileEntry{
			ctx: func(e *henv) context.Context { return e.as(e.pid, e.op) },
			read: func(t *testing.T, e *henv, _, out []reflect.Value) map[string]any {
				st := out0[impersonation.Started](out)
				s, err := e.p.Impersonation.Resolve(context.Background(), e.pid, st.Token)
				require.NoError(t, err)
				_, err = e.p.Impersonation.Revoke(e.own(), e.pid, s.ID)
				require.NoError(t, err)
				return map[string]any{"arg1.Reason": s.Reason, "arg1.Ticket": s.Ticket}
			},
		}),
		imp("Allowed", args(impersonation.StartParams{PlatformID: pid, AccountID: acc, Mode: impersonation.AsClient}), hostileEntry{
			ctx: func(e *henv) context.Context { return e.as(e.pid, e.op) }, ok: []string{"arg1.Reason", "arg1.Ticket"},
		}),
		imp("Resolve", func(t *testing.T, e *henv) []any { return []any{e.pid, e.session(t).Token} }, lookup),
		imp("Exit", func(t *testing.T, e *henv) []any { return []any{e.pid, e.session(t).Token} }, lookup),
		imp("Revoke", func(t *testing.T, e *henv) []any { return []any{e.pid, e.session(t).Session.ID} }, lookup),
		imp("EndAccount", args(pid, edit), hostileEntry{okAll: true, check: emptySlice}),
		imp("EndUser", args(pid, "missing-user"), hostileEntry{okAll: true, check: emptySlice}),
		imp("Sessions", args(impersonation.Query{PlatformID: pid, AccountID: edit}), hostileEntry{okAll: true, check: emptySlice}),
		imp("Sweep", args(pid, 10), hostileEntry{okAll: true}),
		imp("Guard", args("account.update"), hostileEntry{okAll: true}),

		// branding.
		brd("SetTheme", func(t *testing.T, e *henv) []any {
			th, err := e.p.Branding.Theme(e.own(), e.pid)
			require.NoError(t, err)
			return []any{th}
		}, hostileEntry{read: func(t *testing.T, e *henv, in, _ []reflect.Value) map[string]any {
			th, err := e.p.Branding.Theme(e.own(), e.pid)
			require.NoError(t, err)
			at, err := e.p.Branding.AccountTheme(e.own(), e.pid, in[0].Interface().(branding.Theme).AccountID)
			require.NoError(t, err)
			m := map[string]any{"arg1.AccountID": at.AccountID, "arg1.ProductName": th.ProductName, "arg1.SupportEmail": th.SupportEmail,
				"arg1.EmailSenderName": th.EmailSenderName, "arg1.LogoLinkURL": th.LogoLinkURL}
			c := reflect.ValueOf(th.Colors)
			for i := range c.NumField() {
				m["arg1.Colors."+c.Type().Field(i).Name] = c.Field(i).String()
			}
			return m
		}}),
		brd("Theme", args(pid), hostileEntry{okAll: true}),
		brd("AccountTheme", args(pid, acc), hostileEntry{okAll: true}),
		brd("ResetTheme", args(pid, edit), hostileEntry{okAll: true}),
		brd("Logo", args(pid, acc), lookup),
		brd("RemoveLogo", args(pid, acc), lookup),
		brd("SetLogo", args(pid, acc, []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>`)), hostileEntry{read: func(t *testing.T, e *henv, in, _ []reflect.Value) map[string]any {
			l, err := e.p.Branding.Logo(e.own(), e.pid, in[1].String())
			require.NoError(t, err)
			require.NoError(t, e.p.Branding.RemoveLogo(e.own(), e.pid, in[1].String()))
			return map[string]any{"arg2": l.AccountID}
		}}),
		brd("AddDomain", func(_ *testing.T, e *henv) []any { return []any{e.pid, e.uniq("d") + ".reseller.example"} }, hostileEntry{read: readDomains}),
		brd("AddDefaultHost", func(_ *testing.T, e *henv) []any { return []any{e.pid, e.uniq("h") + ".saas.example"} }, hostileEntry{read: readDomains}),
		brd("VerifyDomain", args(pid, "portal.reseller.example"), lookup),
		brd("MakePrimary", args(pid, "portal.reseller.example"), lookup),
		brd("RemoveDomain", args(pid, "missing.reseller.example"), lookup),
		brd("Domains", args(pid), hostileEntry{okAll: true, check: emptySlice}),
		brd("AddProvider", func(_ *testing.T, e *henv) []any { return []any{e.provider()} }, hostileEntry{read: readProvider, ok: []string{"arg1.ID"}}),
		brd("UpdateProvider", func(t *testing.T, e *henv) []any {
			p, err := e.p.Branding.AddProvider(e.own(), e.provider())
			require.NoError(t, err)
			p.ClientSecret = "client-secret"
			return []any{p}
		}, hostileEntry{read: readProvider}),
		brd("RemoveProvider", args(pid, "missing"), lookup),
		brd("Providers", args(pid), hostileEntry{okAll: true, check: emptySlice}),
		brd("OAuth2Config", args(pid, e.prov.ID, "https://portal.reseller.example/callback"), hostileEntry{ok: []string{"arg3"}}),
		brd("LoginSettings", args(pid), hostileEntry{okAll: true}),
		brd("SetLoginSettings", func(t *testing.T, e *henv) []any {
			ls, err := e.p.Branding.LoginSettings(e.own(), e.pid)
			require.NoError(t, err)
			return []any{ls}
		}, lookup),
		{recv: "branding.Router", method: "Lookup", base: args("portal.reseller.example"), check: func(_ *testing.T, e *henv, _ string, out []reflect.Value) error {
			if r := out0[branding.HostRoute](out); r.PlatformID != "" {
				return fmt.Errorf("a hostile host routed to platform %s", r.PlatformID)
			}
			return nil
		}},
		{recv: "branding.Router", method: "Invalidate", base: args(pid), okAll: true},

		// audit.
		{recv: "audit.Service", method: "Record", base: func(_ *testing.T, e *henv) []any {
			return []any{audit.Event{PlatformID: e.pid, AccountID: e.acc.ID, ActorID: e.uniq("actor-"), Action: "host.note", TargetType: "bot", TargetID: "bot-1", Reason: "why", Changes: []audit.Change{{Field: "name", Before: "a", After: "b"}}}}
		}, read: func(t *testing.T, e *henv, _, out []reflect.Value) map[string]any {
			rec := out0[audit.Event](out)
			var events []audit.Event
			for after := ""; ; {
				page, err := e.p.Audit.List(e.own(), audit.Query{PlatformID: rec.PlatformID, AccountID: rec.AccountID, ActorID: rec.ActorID, Action: rec.Action, After: after, Limit: 100})
				require.NoError(t, err)
				events = append(events, page.Events...)
				if after = page.Next; after == "" {
					break
				}
			}
			for _, ev := range events {
				if ev.ID == rec.ID {
					m := map[string]any{"arg1.PlatformID": ev.PlatformID, "arg1.AccountID": ev.AccountID, "arg1.ActorID": ev.ActorID, "arg1.OnBehalfOfID": ev.OnBehalfOfID,
						"arg1.Action": ev.Action, "arg1.TargetType": ev.TargetType, "arg1.TargetID": ev.TargetID, "arg1.Reason": ev.Reason, "arg1.ID": ev.ID}
					if len(ev.Changes) == 1 {
						m["arg1.Changes.Field"], m["arg1.Changes.Before"], m["arg1.Changes.After"] = ev.Changes[0].Field, ev.Changes[0].Before, ev.Changes[0].After
					}
					return m
				}
			}
			t.Fatalf("recorded event %s not listed", rec.ID)
			return nil
		}},
		{recv: "audit.Service", method: "List", base: args(audit.Query{PlatformID: pid}), okAll: true},
	}
}

// hostileExempt are methods taking text that the table leaves out, with
// the reason.
var hostileExempt = map[string]string{
	"licensing.Gate.Middleware":      "takes only the host's find function; its answers go through Gate.Check (covered)",
	"licensing.Gate.Listen":          "takes only a callback",
	"branding.Router.Middleware":     "takes only the next handler; hosts are covered through Router.Lookup and TestHostileHTTP",
	"branding.Router.Listen":         "takes only a callback",
	"branding.Service.LogoHandler":   "takes only the host's function",
	"branding.Service.NewRouter":     "takes the host's configuration, not user input",
	"impersonation.HTTP.Begin":       "Service.Start with the same StartParams (covered); the request carries only its context",
	"impersonation.HTTP.Middleware":  "takes only the next handler; request tokens are covered by TestHostileHTTP",
	"impersonation.HTTP.ExitHandler": "takes nothing",
	"licensing.Service.Catalog":      "takes nothing",
	"licensing.Service.Gate":         "takes nothing",
	"licensing.Service.Sweep":        "takes only a batch size",
	"audit.Service.Purge":            "takes nothing",
}

// hostileServices are the types whose methods the table must cover.
var hostileServices = map[string]reflect.Type{
	"tenancy.Service":       reflect.TypeFor[*tenancy.Service](),
	"licensing.Service":     reflect.TypeFor[*licensing.Service](),
	"licensing.Gate":        reflect.TypeFor[*licensing.Gate](),
	"invites.Service":       reflect.TypeFor[*invites.Service](),
	"impersonation.Service": reflect.TypeFor[*impersonation.Service](),
	"impersonation.HTTP":    reflect.TypeFor[*impersonation.HTTP](),
	"branding.Service":      reflect.TypeFor[*branding.Service](),
	"branding.Router":       reflect.TypeFor[*branding.Router](),
	"audit.Service":         reflect.TypeFor[*audit.Service](),
}

// takesText reports whether t holds a string anywhere a caller fills in.
func takesText(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.String:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return takesText(t.Elem(), seen)
	case reflect.Map:
		return takesText(t.Key(), seen) || takesText(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && takesText(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// sentinels are each package's errors a hostile call may end in.
var sentinels = map[string][]error{
	"tenancy": {tenancy.ErrInvalid, tenancy.ErrNotFound, tenancy.ErrConflict, tenancy.ErrStale, tenancy.ErrForbidden, tenancy.ErrExpired,
		tenancy.ErrInvalidCredentials, tenancy.ErrUserDisabled, tenancy.ErrAccountDisabled, tenancy.ErrAccountLocked, tenancy.ErrTestExpired,
		tenancy.ErrAccountDeleted, tenancy.ErrQuotaExceeded},
	"licensing": {licensing.ErrInvalid, licensing.ErrNotFound, licensing.ErrConflict, licensing.ErrStale, licensing.ErrForbidden,
		licensing.ErrTransition, licensing.ErrInsufficientCredits},
	"invites": {invites.ErrInvalid, invites.ErrNotFound, invites.ErrConflict, invites.ErrStale, invites.ErrForbidden, invites.ErrExpired,
		invites.ErrRevoked, invites.ErrDeclined, invites.ErrUsed, invites.ErrWrongRecipient, invites.ErrRateLimited, invites.ErrTooSoon},
	"impersonation": {impersonation.ErrInvalid, impersonation.ErrNotFound, impersonation.ErrConflict, impersonation.ErrForbidden,
		impersonation.ErrEnded, impersonation.ErrExpired, impersonation.ErrNested, impersonation.ErrActorNotStaff, impersonation.ErrSelf,
		impersonation.ErrTargetStaff, impersonation.ErrTargetInactive, impersonation.ErrNotMember, impersonation.ErrAccountDeleted,
		impersonation.ErrAccountLocked, impersonation.ErrAccountDisabled, impersonation.ErrTestExpired, impersonation.ErrSecureAccount,
		impersonation.ErrNotAssigned, impersonation.ErrReadOnly, impersonation.ErrActionRefused},
	"branding": {branding.ErrInvalid, branding.ErrNotFound, branding.ErrConflict, branding.ErrStale, branding.ErrForbidden,
		branding.ErrNotVerified, branding.ErrLowContrast, branding.ErrUnknownHost, branding.ErrOAuth},
	"audit": {audit.ErrInvalid, audit.ErrConflict},
}

// invalidField returns the field an invalid-input error names.
func invalidField(err error) (string, bool) {
	var (
		t *tenancy.InvalidError
		l *licensing.InvalidError
		i *invites.InvalidError
		m *impersonation.InvalidError
		b *branding.InvalidError
		a *audit.InvalidError
	)
	switch {
	case errors.As(err, &t):
		return t.Field, true
	case errors.As(err, &l):
		return l.Field, true
	case errors.As(err, &i):
		return i.Field, true
	case errors.As(err, &m):
		return m.Field, true
	case errors.As(err, &b):
		return b.Field, true
	case errors.As(err, &a):
		return a.Field, true
	}
	return "", false
}

// maxErrorLength bounds an error's text: a refused value must come back
// as a short excerpt at most (internal/validate.Excerpt), never whole in
// the error (and from there in every log line). The longest refusals,
// wrapped in their operations, run to a few hundred bytes.
const maxErrorLength = 1 << 10

// classify returns why err is not an acceptable refusal, or "". Every
// refusal must be one of the package's sentinel errors (no raw driver
// error: a value no store can hold is refused before it reaches one), an
// invalid input must name its field, and no refusal may echo its input.
func classify(pkg string, err error) string {
	if n := len(err.Error()); n > maxErrorLength {
		return fmt.Sprintf("refusal of %d bytes echoes its input (at most %d): %.200s", n, maxErrorLength, err.Error())
	}
	for _, s := range sentinels[pkg] {
		if errors.Is(err, s) {
			if strings.HasSuffix(s.Error(), "invalid input") || errors.Is(err, invalidSentinel(pkg)) {
				if f, ok := invalidField(err); !ok || f == "" {
					return "invalid input without a field: " + err.Error()
				}
			}
			return ""
		}
	}
	return fmt.Sprintf("not one of %s's errors: %.300s", pkg, err.Error())
}

func invalidSentinel(pkg string) error { return sentinels[pkg][0] }

// normalised are the forms a stored value may take: verbatim, trimmed (names
// and free text), a canonical email or host, a re-serialised URL.
func normalised(v string) []string {
	out := []string{v, strings.TrimSpace(v)}
	if e, err := validate.Email(v); err == nil {
		out = append(out, e)
	}
	if h, err := branding.NormalizeHost(v); err == nil {
		out = append(out, h)
	}
	if u, err := url.Parse(strings.TrimSpace(v)); err == nil {
		out = append(out, u.String())
	}
	return out
}

// storedAs reports whether got holds v in one of its normalised forms.
func storedAs(got any, v string) bool {
	forms := normalised(v)
	switch g := got.(type) {
	case string:
		return slices.Contains(forms, g)
	case []string:
		return slices.ContainsFunc(g, func(s string) bool { return slices.Contains(forms, s) })
	case map[string]int64:
		for k := range g {
			if slices.Contains(forms, k) {
				return true
			}
		}
	}
	return false
}

func short(s string) string {
	if len(s) > 60 {
		return fmt.Sprintf("%q... (%d bytes)", s[:60], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// leaf is one string a call's arguments hold, and how to set it.
type leaf struct {
	path  string
	steps []func(reflect.Value, string) reflect.Value
}

var (
	ctxType  = reflect.TypeFor[context.Context]()
	timeType = reflect.TypeFor[time.Time]()
)

// leaves lists the strings of a value of type t under path.
func leaves(t reflect.Type, path string, steps []func(reflect.Value, string) reflect.Value, depth int) []leaf {
	if depth > 4 {
		return nil
	}
	with := func(s func(reflect.Value, string) reflect.Value) []func(reflect.Value, string) reflect.Value {
		return append(slices.Clip(steps), s)
	}
	switch t.Kind() {
	case reflect.String:
		return []leaf{{path: path, steps: with(func(v reflect.Value, s string) reflect.Value { v.SetString(s); return v })}}
	case reflect.Pointer:
		return leaves(t.Elem(), path, with(func(v reflect.Value, _ string) reflect.Value {
			if v.IsNil() {
				v.Set(reflect.New(t.Elem()))
			}
			return v.Elem()
		}), depth+1)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil
		}
		return leaves(t.Elem(), path, with(func(v reflect.Value, _ string) reflect.Value {
			n := reflect.MakeSlice(t, 1, 1)
			if v.Len() > 0 {
				n.Index(0).Set(v.Index(0))
			}
			v.Set(n)
			return v.Index(0)
		}), depth+1)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil
		}
		return []leaf{{path: path, steps: with(func(v reflect.Value, s string) reflect.Value {
			m := reflect.MakeMap(t)
			val := reflect.New(t.Elem()).Elem()
			if val.CanInt() {
				val.SetInt(1)
			}
			m.SetMapIndex(reflect.ValueOf(s).Convert(t.Key()), val)
			v.Set(m)
			return v
		})}}
	case reflect.Struct:
		if t == timeType {
			return nil
		}
		var out []leaf
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			out = append(out, leaves(f.Type, path+"."+f.Name, with(func(v reflect.Value, _ string) reflect.Value { return v.Field(i) }), depth+1)...)
		}
		return out
	}
	return nil
}

// receiver is the value whose method an entry calls.
func (e *henv) receiver(recv string) reflect.Value {
	switch recv {
	case "tenancy.Service":
		return reflect.ValueOf(e.p.Tenancy)
	case "licensing.Service":
		return reflect.ValueOf(e.p.Licensing)
	case "licensing.Gate":
		return reflect.ValueOf(e.p.Licensing.Gate())
	case "invites.Service":
		return reflect.ValueOf(e.p.Invites)
	case "impersonation.Service":
		return reflect.ValueOf(e.p.Impersonation)
	case "branding.Service":
		return reflect.ValueOf(e.p.Branding)
	case "branding.Router":
		return reflect.ValueOf(e.p.Router)
	case "audit.Service":
		return reflect.ValueOf(e.p.Audit)
	}
	panic("unknown receiver " + recv)
}

func emptySlice(_ *testing.T, _ *henv, _ string, out []reflect.Value) error {
	if v := out[0]; v.Kind() == reflect.Slice && v.Len() > 0 {
		return fmt.Errorf("%d results for a hostile argument", v.Len())
	}
	return nil
}

func memberPerms(t *testing.T, e *henv, userID string) []string {
	ms, err := e.p.Tenancy.Members(e.own(), e.pid, e.acc.ID)
	require.NoError(t, err)
	for _, m := range ms {
		if m.UserID == userID {
			return m.Permissions
		}
	}
	return nil
}

func readCredit(t *testing.T, e *henv, _, out []reflect.Value) map[string]any {
	r := out0[licensing.CreditResult](out)
	for after := ""; ; {
		page, err := e.p.Licensing.CreditHistory(e.own(), e.pid, e.acc.ID, r.Entry.Kind, after, 100)
		require.NoError(t, err)
		for _, en := range page.Entries {
			if en.ID == r.Entry.ID {
				return map[string]any{"arg1.Kind": en.Kind, "arg1.IdempotencyKey": en.IdempotencyKey, "arg1.Reason": en.Reason}
			}
		}
		if after = page.Next; after == "" {
			break
		}
	}
	t.Fatalf("credit entry %s not in the history", r.Entry.ID)
	return nil
}

func readInvitation(t *testing.T, e *henv, _, out []reflect.Value) map[string]any {
	c := out0[invites.Created](out)
	inv, err := e.p.Invites.Preview(e.own(), e.pid, c.Token)
	require.NoError(t, err)
	_, err = e.p.Invites.Revoke(e.own(), e.pid, inv.ID)
	require.NoError(t, err)
	return map[string]any{"arg1.Email": inv.Email, "arg1.AccountName": inv.AccountName, "arg1.ResourceID": inv.ResourceID, "arg1.AccountID": inv.AccountID,
		"arg1.Role": inv.Role, "arg1.Permissions": inv.Permissions, "arg1.Kind": string(inv.Kind)}
}

func readDomains(t *testing.T, e *henv, _, out []reflect.Value) map[string]any {
	ds, err := e.p.Branding.Domains(e.own(), e.pid)
	require.NoError(t, err)
	var hs []string
	for _, d := range ds {
		hs = append(hs, d.Host)
	}
	require.NoError(t, e.p.Branding.RemoveDomain(e.own(), e.pid, out0[branding.Domain](out).Host))
	return map[string]any{"arg2": hs}
}

func readProvider(t *testing.T, e *henv, _, out []reflect.Value) map[string]any {
	id := out0[branding.Provider](out).ID
	ps, err := e.p.Branding.Providers(e.own(), e.pid)
	require.NoError(t, err)
	i := slices.IndexFunc(ps, func(p branding.Provider) bool { return p.ID == id })
	require.GreaterOrEqual(t, i, 0)
	p := ps[i]
	cfg, err := e.p.Branding.OAuth2Config(e.own(), e.pid, id, "https://portal.reseller.example/callback")
	require.NoError(t, err)
	require.NoError(t, e.p.Branding.RemoveProvider(e.own(), e.pid, id))
	return map[string]any{"arg1.Name": p.Name, "arg1.ClientID": p.ClientID, "arg1.ClientSecret": cfg.ClientSecret,
		"arg1.AuthURL": p.AuthURL, "arg1.TokenURL": p.TokenURL, "arg1.UserInfoURL": p.UserInfoURL, "arg1.IssuerURL": p.IssuerURL,
		"arg1.Scopes": p.Scopes, "arg1.PlatformID": p.PlatformID}
}

// call runs one entry with v at one leaf; it returns the failure, or "".
func (e *henv) call(t *testing.T, h hostileEntry, lf leaf, argIdx int, v string) string {
	base := h.base(t, e)
	in := make([]reflect.Value, len(base))
	for i, a := range base {
		in[i] = reflect.New(reflect.TypeOf(a)).Elem()
		in[i].Set(reflect.ValueOf(a))
	}
	cur := in[argIdx]
	for _, step := range lf.steps {
		cur = step(cur, v)
	}
	m := e.receiver(h.recv).MethodByName(h.method)
	call := in
	if m.Type().NumIn() > 0 && m.Type().In(0) == ctxType {
		ctx := e.own()
		if h.ctx != nil {
			ctx = h.ctx(e)
		}
		call = append([]reflect.Value{reflect.ValueOf(ctx)}, in...)
	}
	var out []reflect.Value
	if m.Type().IsVariadic() {
		out = m.CallSlice(call)
	} else {
		out = m.Call(call)
	}
	pkg, _, _ := strings.Cut(h.recv, ".")
	if n := len(out); n > 0 && out[n-1].Type() == reflect.TypeFor[error]() && !out[n-1].IsNil() {
		return classify(pkg, out[n-1].Interface().(error))
	}
	if h.check != nil {
		if err := h.check(t, e, v, out); err != nil {
			return "accepted: " + err.Error()
		}
	}
	if h.read != nil {
		stored := h.read(t, e, in, out)
		if got, ok := stored[lf.path]; ok {
			if !storedAs(got, v) {
				return fmt.Sprintf("stored, but read back as %s", short(fmt.Sprint(got)))
			}
			return ""
		}
	}
	if h.okAll || slices.Contains(h.ok, lf.path) {
		return ""
	}
	return "accepted, with nothing to read it back by"
}

func TestHostileTableComplete(t *testing.T) {
	covered := map[string]bool{}
	for _, h := range hostileEntries(&henv{}) {
		covered[h.key()] = true
	}
	var missing []string
	for name, typ := range hostileServices {
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			key := name + "." + m.Name
			text := false
			for j := 1; j < m.Type.NumIn(); j++ {
				if in := m.Type.In(j); in != ctxType && takesText(in, map[reflect.Type]bool{}) {
					text = true
				}
			}
			_, exempt := hostileExempt[key]
			switch {
			case covered[key] && exempt:
				t.Errorf("%s is both covered and exempt", key)
			case text && !covered[key] && !exempt:
				missing = append(missing, key)
			}
			delete(covered, key)
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "Service methods taking text that the hostile table neither covers nor exempts")
	require.Empty(t, covered, "hostile table entries naming no method")
	for key := range hostileExempt {
		dot := strings.LastIndex(key, ".")
		typ, ok := hostileServices[key[:dot]]
		if ok {
			_, ok = typ.MethodByName(key[dot+1:])
		}
		require.True(t, ok, "exempt %s names no method", key)
	}
}

// raceBuild reports whether the test binary was built with -race.
func raceBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

// hostileStride is how many leaves share out the corpus: 1 sends every
// value to every leaf. Under -race (where the pure-Go SQLite runs tens of
// times slower) each leaf gets every fourth value, in a rotation that
// still sends every value to every package, unless TENANTRY_HOSTILE_FULL
// is set; the full matrix runs without -race.
func hostileStride() int {
	if raceBuild() && os.Getenv("TENANTRY_HOSTILE_FULL") == "" {
		return 4
	}
	return 1
}

func TestHostileInput(t *testing.T) {
	values := hostile.Values()
	stride := hostileStride()
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		e := newHenv(t, db)
		before := e.bSnapshot(t)
		entries := hostileEntries(e)
		calls, leafCount := 0, 0
		for _, h := range entries {
			if h.key() == "tenancy.Service.ChangePassword" {
				h.ctx = nil
			}
			for argIdx, a := range h.base(t, e) {
				for _, lf := range leaves(reflect.TypeOf(a), fmt.Sprintf("arg%d", argIdx+1), nil, 0) {
					leafCount++
					t.Run(h.key()+"/"+lf.path, func(t *testing.T) {
						for i, v := range values {
							if (i+leafCount)%stride != 0 {
								continue
							}
							hh := h
							if h.key() == "tenancy.Service.ChangePassword" {
								// Only the user changes their own password.
								base := h.base
								var uid string
								hh.base = func(t *testing.T, e *henv) []any {
									b := base(t, e)
									uid = b[0].(tenancy.ChangePasswordParams).UserID
									return b
								}
								hh.ctx = func(e *henv) context.Context { return e.as(e.pid, uid) }
							}
							calls++
							if msg := e.call(t, hh, lf, argIdx, v.S); msg != "" {
								t.Errorf("%s: %s", v.Name, msg)
							}
						}
					})
				}
			}
		}
		t.Logf("%d entries, %d string leaves, %d hostile values (each leaf gets 1 in %d), %d calls", len(entries), leafCount, len(values), stride, calls)
		e.requireBystander(t, before, values)
	})
}

// bystander is what platform B holds.
type bystander struct {
	accounts, users, events int
}

func (e *henv) bSnapshot(t *testing.T) bystander {
	ctx := e.as(e.bpid, e.bowner)
	accs, err := e.p.Tenancy.ListAccounts(ctx, tenancy.ListAccountsParams{PlatformID: e.bpid, IncludeLocked: true, Limit: 100})
	require.NoError(t, err)
	users, err := e.p.Tenancy.ListUsers(ctx, tenancy.ListUsersParams{PlatformID: e.bpid, IncludeDisabled: true, Limit: 100})
	require.NoError(t, err)
	evs, err := e.p.Audit.List(ctx, audit.Query{PlatformID: e.bpid, Limit: 500})
	require.NoError(t, err)
	return bystander{len(accs.Accounts), len(users.Users), len(evs.Events)}
}

// requireBystander: platform B saw nothing of the hostile calls on A, and
// finds none of the values.
func (e *henv) requireBystander(t *testing.T, before bystander, values []hostile.Value) {
	require.Equal(t, before, e.bSnapshot(t), "platform B is unchanged")
	ctx := e.as(e.bpid, e.bowner)
	for _, v := range values {
		// B's searches find only B's own records (a search for a lone NUL
		// matches everything on SQLite, which stops strings at NUL).
		accs, err := e.p.Tenancy.ListAccounts(ctx, tenancy.ListAccountsParams{PlatformID: e.bpid, Search: v.S})
		if err == nil {
			for _, a := range accs.Accounts {
				require.Equal(t, e.bacc.ID, a.ID, "%s: B's account search", v.Name)
			}
		}
		users, err := e.p.Tenancy.ListUsers(ctx, tenancy.ListUsersParams{PlatformID: e.bpid, Search: v.S})
		if err == nil {
			for _, u := range users.Users {
				require.Equal(t, e.bpid, u.PlatformID, "%s: B's user search", v.Name)
			}
		}
		invs, err := e.p.Invites.PendingFor(ctx, e.bpid, v.S)
		if err == nil {
			require.Empty(t, invs, "%s: B's pending invitations", v.Name)
		}
		evs, err := e.p.Audit.List(ctx, audit.Query{PlatformID: e.bpid, Action: v.S})
		if err == nil {
			require.Empty(t, evs.Events, "%s: B's audit trail", v.Name)
		}
	}
}

// TestHostileHTTP sends hostile impersonation tokens and hosts through the
// net/http entry points: refused cleanly, never a server error.
func TestHostileHTTP(t *testing.T) {
	e := newHenv(t, testdb.SQLite(t))
	h := &impersonation.HTTP{Service: e.p.Impersonation, Platform: func(*http.Request) (string, error) { return e.pid, nil }}
	reached := 0
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := impersonation.SessionFrom(r.Context()); ok {
			t.Errorf("a hostile token resolved to a session")
		}
		reached++
	})
	router := e.p.Router.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, v := range hostile.Values() {
		for _, how := range []string{"header", "cookie"} {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if how == "header" {
				r.Header["Tenantry-Impersonation"] = []string{v.S}
			} else {
				r.Header["Cookie"] = []string{"tenantry_impersonation=" + v.S}
			}
			w := httptest.NewRecorder()
			h.Middleware(next).ServeHTTP(w, r)
			require.Less(t, w.Code, 500, "%s in the %s", v.Name, how)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Host = v.S
		w := httptest.NewRecorder()
		router.ServeHTTP(w, r)
		require.Less(t, w.Code, 500, "%s as the host", v.Name)
		if w.Code >= 300 && w.Code < 400 {
			loc := w.Header().Get("Location")
			u, err := url.Parse(loc)
			require.NoError(t, err)
			require.True(t, u.Host == "" || strings.HasSuffix(u.Host, "reseller.example"), "%s redirected to %s", v.Name, loc)
		}
		require.Equal(t, "/", branding.SafeReturnTo(v.S), "SafeReturnTo(%s)", v.Name)
	}
	t.Logf("%d requests reached the host's handler without a session", reached)
}

// TestHostileMail sends invitations over SMTP (internal/smtptest) with
// hostile account names, product names and sender names, both through the
// white label (SetTheme, which may refuse them) and straight from a
// branding hook that skips its checks: no received message may carry an
// injected header line.
func TestHostileMail(t *testing.T) {
	srv := smtptest.Start(t)
	host, port := srv.Addr()
	mailer, err := invsmtp.New(invsmtp.Config{Host: host, Port: port, TLS: invsmtp.NoTLS, Timeout: 10 * time.Second, HELO: "tenantry.test"})
	require.NoError(t, err)
	send := invites.MailerFunc(func(ctx context.Context, m invites.Message) error {
		if m.FromAddress == "" {
			m.FromAddress = "noreply@reseller.example"
		}
		return mailer.Send(ctx, invsmtp.Message(m))
	})
	var brand atomic.Pointer[invites.Branding]
	brand.Store(&invites.Branding{})
	link := func(_ invites.Invitation, token string) string {
		return "https://portal.reseller.example/invite/" + token
	}
	e := newHenv(t, testdb.SQLite(t), func(c *tenantry.Config) { c.Mailer, c.LinkURL = send, link })
	direct := newHenv(t, testdb.SQLite(t), func(c *tenantry.Config) {
		c.Mailer, c.LinkURL = send, link
		c.Invites.Branding = func(context.Context, string) (invites.Branding, error) { return *brand.Load(), nil }
	})
	sent, refused := 0, 0
	invite := func(e *henv, name string) {
		_, err := e.p.Invites.Create(e.own(), invites.CreateParams{PlatformID: e.pid, Kind: invites.KindAccount, Email: e.uniq("mail") + "@acme.example", AccountName: name})
		if err != nil {
			refused++
			if !errors.Is(err, invites.ErrInvalid) && !errors.Is(err, invsmtp.ErrHeaderInjection) && !errors.Is(err, invsmtp.ErrInvalidMessage) {
				t.Errorf("%s: refused with an unexpected error: %v", short(name), err)
			}
			return
		}
		sent++
	}
	for _, v := range hostile.Values() {
		if len(v.S) > 4096 {
			continue // the names' own limits refuse these long before a mail
		}
		// Through the white label: stored or refused, then mailed.
		th, err := e.p.Branding.Theme(e.own(), e.pid)
		require.NoError(t, err)
		th.ProductName, th.EmailSenderName = v.S, v.S
		if _, err := e.p.Branding.SetTheme(e.own(), th); err != nil {
			require.ErrorIs(t, err, branding.ErrInvalid, v.Name)
		}
		invite(e, v.S)
		// Straight from the hook, unchecked.
		brand.Store(&invites.Branding{ProductName: v.S, SenderName: v.S, SupportEmail: v.S, LogoURL: v.S})
		invite(direct, v.S)
	}
	msgs := srv.Messages()
	require.Len(t, msgs, sent, "every invitation sent arrived")
	require.NotZero(t, sent, "some hostile names are plain text and must be mailed")
	allowed := map[string]bool{"From": true, "To": true, "Subject": true, "Date": true, "Message-Id": true, "Mime-Version": true,
		"Content-Type": true, "Content-Transfer-Encoding": true, "User-Agent": true, "X-Mailer": true}
	dec := new(mime.WordDecoder)
	decodedBreaks := 0
	for _, m := range msgs {
		require.Len(t, m.To, 1, "one recipient: no injected Bcc or Cc")
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		require.NoError(t, err)
		for k, vs := range msg.Header {
			require.True(t, allowed[k], "unexpected header %q in\n%s", k, headerBlock(m.Data))
			require.Len(t, vs, 1, "header %s repeated", k)
		}
		subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		require.NoError(t, err)
		if strings.ContainsAny(subj, "\r\n") {
			// Not a header line: a name that is itself an RFC 2047 encoded
			// word goes out verbatim, and decodes to a line break on display.
			decodedBreaks++
		}
		from, err := mail.ParseAddress(msg.Header.Get("From"))
		require.NoError(t, err, "From parses as one address")
		require.Equal(t, "noreply@reseller.example", from.Address)
	}
	t.Logf("%d invitations mailed, %d refused (header injection or invalid names); no message carries an injected header", sent, refused)
	if decodedBreaks > 0 {
		t.Logf("NOTE: %d subjects decode (RFC 2047) to text holding a line break: a pre-encoded word in a product name is sent verbatim", decodedBreaks)
	}
}

// headerBlock is a message's header, for failure messages.
func headerBlock(data []byte) string {
	if i := bytes.Index(data, []byte("\r\n\r\n")); i >= 0 {
		return string(data[:i])
	}
	return string(data)
}
