// Package tenancy keeps the accounts of a white-label platform: platforms,
// their customer accounts, users with platform roles, account members with
// granular permissions, credentials, and account states.
//
// # Shape
//
// [Service] holds the rules; a [Store] holds the records. Use
// tenancy/sqlstore on SQLite or PostgreSQL in production and
// tenancy/memstore in host unit tests; both pass tenancy/storetest.
//
//	store, _ := sqlstore.New(db)            // after sqlstore.Migrate(ctx, db)
//	svc := tenancy.New(store, &tenancy.Config{Now: clock})
//
// # Who acts
//
// Every change is authorised against the principal the host puts in the
// context with audit.WithPrincipal, and recorded as an audit event (who, on
// whose behalf, what, before and after) in the same transaction:
//
//   - Owners manage everything on their platform, except that taking the
//     owner role from anyone needs Config.AuthorizeOwnerDemotion, a higher
//     authority the host supplies.
//   - Admins and operators manage accounts and regular users only, never
//     themselves nor other staff.
//   - Secure (HIPAA) accounts are changed by secure operators only.
//   - An account's primary admin edits its profile and team.
//   - A system principal (audit.System) is the host's own authority, for
//     provisioning and background jobs.
//
// # Account states
//
// An account is active or disabled (login blocked, data and quota kept);
// independently it may be locked (nobody enters, staff included), a test
// account with an expiry, secure, or a template. Deleting an account removes
// it and its members for good and tells the host through
// Config.OnAccountDeleted. [Service.Authenticate] tells a refused login's
// reason apart (ErrAccountDisabled, ErrAccountLocked, ErrTestExpired,
// ErrAccountDeleted, ErrUserDisabled) only after the password is verified,
// and takes the same time whether or not the email has a user.
//
// # Credentials
//
// Passwords are hashed with argon2id (OWASP parameters by default, encoded
// with the hash so they can be raised later). Password links — set at first
// login, or reset — are 256-bit secrets handed out once, stored as SHA-256,
// single-use, and replaced by the next link of the same purpose.
package tenancy
