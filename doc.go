// Package tenantry is the account side of a white-label owner portal, as a
// library: platforms run by resellers, their customer accounts, users and
// team members, credentials and account states, quotas, licenses,
// invitations, impersonation, branding, and the history of every change.
// The host keeps its own product (chatbots, conversations); tenantry keeps
// the accounts.
//
// # Packages
//
//   - tenancy: platforms, accounts, users, members, credentials, states.
//   - licensing: licenses, plans, features, credits, and the Gate asked on
//     every chatbot message.
//   - invites: invitations by email, accepted once by the invited person;
//     invites/smtp sends them.
//   - impersonation: "log in as" a customer, under one policy, with a
//     banner, an exit and a full trail.
//   - branding: colours, logos, custom domains and host routing, login
//     methods and OAuth providers.
//   - audit: the history every package writes to, and the acting
//     principal carried in the context.
//
// Each domain package has a Service (the rules), a Store interface
// (persistence only), and three subpackages: memstore (in memory, for host
// unit tests), sqlstore (SQLite and PostgreSQL, with embedded migrations),
// and storetest (the conformance suite every Store passes).
//
// # Getting started
//
//	db, err := tenantry.OpenSQLite("portal.db") // or tenantry.OpenPostgres(dsn)
//	if err != nil { ... }
//	if err := sqlstore.Migrate(ctx, db); err != nil { ... } // tenancy/sqlstore
//	store, err := sqlstore.New(db)
//	svc := tenancy.New(store, nil)
//
//	// The host's login middleware says who acts on every request:
//	ctx = audit.WithPrincipal(ctx, audit.Principal{PlatformID: p, UserID: u})
//	created, err := svc.CreateAccount(ctx, tenancy.CreateAccountParams{...})
//
// The example in examples/ownerportal is a complete server to start from:
// go run ./examples/ownerportal.
package tenantry
