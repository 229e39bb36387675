package impersonation

import "context"

// Directory tells the policy about users and accounts. The tenantry façade
// adapts tenancy to it; a host with its own user store writes one. Every
// method is scoped by platform: a user or account of another platform is
// not found. Missing users and accounts are reported with an error
// matching ErrNotFound.
//
// The Service calls it on Start and again on every request, so a change
// (a demotion, a lock) takes effect at the next request; it should read
// fresh data, not a cache that lags.
type Directory interface {
	// User returns the platform's user.
	User(ctx context.Context, platformID, userID string) (User, error)
	// Account returns the platform's account.
	Account(ctx context.Context, platformID, accountID string) (Account, error)
	// IsMember reports whether the user is a member (staff member) of the
	// account.
	IsMember(ctx context.Context, platformID, accountID, userID string) (bool, error)
	// IsAssigned reports whether the operator is assigned to the account
	// (asked only when Config.AssignedOnly is set).
	IsAssigned(ctx context.Context, platformID, accountID, operatorID string) (bool, error)
}
