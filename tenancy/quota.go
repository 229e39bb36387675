package tenancy

import (
	"context"
	"fmt"
	"strconv"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/validate"
)

// checkResource checks a resource name: like a permission name, lowercase
// letters, digits and '_', '.', ':' or '-'.
func checkResource(r string) error {
	if _, err := normalizePermissions([]string{r}); err != nil {
		return invalid("resource", validate.Excerpt(r)+" is not a resource name (a-z, 0-9, _ . : -)")
	}
	return nil
}

// SetPool sets how many units of a resource the platform has to share out
// (bot slots bought, seats, ...). It cannot go below what is allocated.
// Owners (and system principals) may.
func (s *Service) SetPool(ctx context.Context, platformID, resource string, capacity int64) (Pool, error) {
	const op = "tenancy: set pool: %w"
	if err := checkIDs("platform_id", platformID, "resource", resource); err != nil {
		return Pool{}, fmt.Errorf(op, err)
	}
	if err := checkResource(resource); err != nil {
		return Pool{}, fmt.Errorf(op, err)
	}
	if capacity < 0 {
		return Pool{}, fmt.Errorf(op, invalid("capacity", "must not be negative"))
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return Pool{}, fmt.Errorf(op, err)
	}
	if a.role() != RoleOwner {
		return Pool{}, fmt.Errorf(op, fmt.Errorf("%w: only owners size the platform's pools", ErrForbidden))
	}
	ev := s.event(ctx, platformID, "quota.set_pool")
	ev.TargetType, ev.TargetID = "pool", resource
	ev.Changes = changed("capacity", "", strconv.FormatInt(capacity, 10))
	p, err := s.store.SetPool(ctx, SetPool{PlatformID: platformID, Resource: resource, Capacity: capacity, Now: s.now(), Event: ev})
	if err != nil {
		return Pool{}, fmt.Errorf(op, err)
	}
	return p, nil
}

// Pools lists the platform's pools. A resource without a pool is unlimited.
func (s *Service) Pools(ctx context.Context, platformID string) ([]Pool, error) {
	if err := checkIDs("platform_id", platformID); err != nil {
		return nil, fmt.Errorf("tenancy: pools: %w", err)
	}
	ps, err := s.store.Pools(ctx, platformID)
	if err != nil {
		return nil, fmt.Errorf("tenancy: pools: %w", err)
	}
	return ps, nil
}

// Allocate gives an account n more units of a resource from the platform's
// pool (ErrQuotaExceeded when the pool lacks room). Staff who may manage
// the account may.
func (s *Service) Allocate(ctx context.Context, platformID, accountID, resource string, n int64) (Allocation, error) {
	if n <= 0 {
		return Allocation{}, fmt.Errorf("tenancy: allocate: %w", invalid("n", "must be positive"))
	}
	return s.adjustAllocation(ctx, platformID, accountID, resource, n, "quota.allocate")
}

// Release gives n units of an account's allocation back to the pool; the
// allocation cannot fall below what the account uses (ErrConflict).
func (s *Service) Release(ctx context.Context, platformID, accountID, resource string, n int64) (Allocation, error) {
	if n <= 0 {
		return Allocation{}, fmt.Errorf("tenancy: release: %w", invalid("n", "must be positive"))
	}
	return s.adjustAllocation(ctx, platformID, accountID, resource, -n, "quota.release")
}

// Resize sets an account's allocation of a resource to limit, drawing the
// difference from (or giving it back to) the pool. It never goes below
// what the account uses (ErrConflict). Two resizes racing each other both
// apply their difference; use Allocate and Release to move units
// concurrently.
func (s *Service) Resize(ctx context.Context, platformID, accountID, resource string, limit int64) (Allocation, error) {
	const op = "tenancy: resize: %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID, "resource", resource); err != nil {
		return Allocation{}, fmt.Errorf(op, err)
	}
	if limit < 0 {
		return Allocation{}, fmt.Errorf(op, invalid("limit", "must not be negative"))
	}
	cur, err := s.allocation(ctx, platformID, accountID, resource)
	if err != nil {
		return Allocation{}, fmt.Errorf(op, err)
	}
	if limit == cur.Limit {
		return cur, nil
	}
	return s.adjustAllocation(ctx, platformID, accountID, resource, limit-cur.Limit, "quota.resize")
}

func (s *Service) allocation(ctx context.Context, platformID, accountID, resource string) (Allocation, error) {
	as, err := s.store.Allocations(ctx, platformID, []string{accountID})
	if err != nil {
		return Allocation{}, err
	}
	for _, a := range as {
		if a.Resource == resource {
			return a, nil
		}
	}
	return Allocation{PlatformID: platformID, AccountID: accountID, Resource: resource}, nil
}

func (s *Service) adjustAllocation(ctx context.Context, platformID, accountID, resource string, delta int64, action string) (Allocation, error) {
	op := "tenancy: " + action + ": %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID, "resource", resource); err != nil {
		return Allocation{}, fmt.Errorf(op, err)
	}
	if err := checkResource(resource); err != nil {
		return Allocation{}, fmt.Errorf(op, err)
	}
	if _, err := s.manageableAccount(ctx, platformID, accountID); err != nil {
		return Allocation{}, fmt.Errorf(op, err)
	}
	ev := s.event(ctx, platformID, action)
	ev.AccountID, ev.TargetType, ev.TargetID = accountID, "allocation", resource
	ev.Changes = []audit.Change{{Field: resource, After: fmt.Sprintf("%+d", delta)}}
	a, err := s.store.AdjustAllocation(ctx, AdjustAllocation{PlatformID: platformID, AccountID: accountID, Resource: resource, Delta: delta, Now: s.now(), Event: ev})
	if err != nil {
		return Allocation{}, fmt.Errorf(op, err)
	}
	return a, nil
}

// manageableAccount loads an account the principal may manage (staff;
// secure accounts: secure operators).
func (s *Service) manageableAccount(ctx context.Context, platformID, accountID string) (Account, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return Account{}, err
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return Account{}, err
	}
	acc, err := s.store.GetAccount(ctx, platformID, accountID)
	if err != nil {
		return Account{}, err
	}
	return acc, a.mayManageAccount(acc)
}

// Allocations lists the allocations of the given accounts (every account's
// when none is given), for the accounts page and quota bars.
func (s *Service) Allocations(ctx context.Context, platformID string, accountIDs ...string) ([]Allocation, error) {
	if err := checkIDs("platform_id", platformID); err != nil {
		return nil, fmt.Errorf("tenancy: allocations: %w", err)
	}
	if err := checkIDList("account_ids", accountIDs); err != nil {
		return nil, fmt.Errorf("tenancy: allocations: %w", err)
	}
	as, err := s.store.Allocations(ctx, platformID, accountIDs)
	if err != nil {
		return nil, fmt.Errorf("tenancy: allocations: %w", err)
	}
	return as, nil
}

// UseQuota counts n units of an account's allocation as used (negative n
// gives them back): ErrQuotaExceeded when that would pass the limit. The
// host calls it as its product consumes resources; it needs no principal
// and records no event.
func (s *Service) UseQuota(ctx context.Context, platformID, accountID, resource string, n int64) (Allocation, error) {
	const op = "tenancy: use quota: %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID, "resource", resource); err != nil {
		return Allocation{}, fmt.Errorf(op, err)
	}
	if err := checkResource(resource); err != nil {
		return Allocation{}, fmt.Errorf(op, err)
	}
	if n == 0 {
		return Allocation{}, fmt.Errorf(op, invalid("n", "must not be zero"))
	}
	a, err := s.store.UseQuota(ctx, UseQuota{PlatformID: platformID, AccountID: accountID, Resource: resource, N: n, Now: s.now()})
	if err != nil {
		return Allocation{}, fmt.Errorf(op, err)
	}
	return a, nil
}
