package tenancy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/audit"
)

// MaxAssign bounds how many accounts one assignment call moves.
const MaxAssign = 1000

// AssignAccounts puts accounts in an operator's care, so they show under the
// operator's "my accounts" filter. Staff may, for accounts they may manage;
// the assignee must be an operator, and a secure account goes only to a
// secure operator.
func (s *Service) AssignAccounts(ctx context.Context, platformID, operatorID string, accountIDs []string) error {
	if err := checkIDs("platform_id", platformID, "operator_id", operatorID); err != nil {
		return fmt.Errorf("tenancy: assign accounts: %w", err)
	}
	if err := checkIDList("account_ids", accountIDs); err != nil {
		return fmt.Errorf("tenancy: assign accounts: %w", err)
	}
	return s.assign(ctx, platformID, operatorID, accountIDs, "operator.assign")
}

// UnassignAccounts takes accounts out of an operator's care.
func (s *Service) UnassignAccounts(ctx context.Context, platformID, operatorID string, accountIDs []string) error {
	if err := checkIDs("platform_id", platformID, "operator_id", operatorID); err != nil {
		return fmt.Errorf("tenancy: unassign accounts: %w", err)
	}
	if err := checkIDList("account_ids", accountIDs); err != nil {
		return fmt.Errorf("tenancy: unassign accounts: %w", err)
	}
	return s.assign(ctx, platformID, operatorID, accountIDs, "operator.unassign")
}

func (s *Service) assign(ctx context.Context, platformID, operatorID string, accountIDs []string, action string) error {
	op := "tenancy: " + action + ": %w"
	ids := slices.Compact(slices.Sorted(slices.Values(accountIDs)))
	if len(ids) == 0 || len(ids) > MaxAssign {
		return fmt.Errorf(op, invalid("account_ids", fmt.Sprintf("give 1 to %d accounts", MaxAssign)))
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return fmt.Errorf(op, err)
	}
	oper, err := s.store.GetUser(ctx, platformID, operatorID)
	if err != nil {
		return fmt.Errorf(op, err)
	}
	if !oper.Role.IsOperator() || oper.Status != UserActive {
		return fmt.Errorf(op, invalid("operator_id", "is not an active operator"))
	}
	for _, id := range ids {
		acc, err := s.store.GetAccount(ctx, platformID, id)
		if err != nil {
			return fmt.Errorf(op, err)
		}
		if err := a.mayManageAccount(acc); err != nil {
			return fmt.Errorf(op, err)
		}
		if acc.Secure && oper.Role != RoleSecureOperator && action == "operator.assign" {
			return fmt.Errorf(op, fmt.Errorf("%w: secure account %s goes only to secure operators", ErrForbidden, id))
		}
	}
	ev := s.event(ctx, platformID, action)
	ev.TargetType, ev.TargetID = "user", operatorID
	ev.Changes = []audit.Change{{Field: "accounts", After: strings.Join(ids, ", ")}}
	r := Assign{PlatformID: platformID, OperatorID: operatorID, AccountIDs: ids, Now: s.now(), Event: ev}
	if action == "operator.assign" {
		err = s.store.Assign(ctx, r)
	} else {
		err = s.store.Unassign(ctx, r)
	}
	if err != nil {
		return fmt.Errorf(op, err)
	}
	return nil
}

// Assignments lists the operators of the given accounts, in one batch.
func (s *Service) Assignments(ctx context.Context, platformID string, accountIDs ...string) ([]Assignment, error) {
	if err := checkIDs("platform_id", platformID); err != nil {
		return nil, fmt.Errorf("tenancy: assignments: %w", err)
	}
	if err := checkIDList("account_ids", accountIDs); err != nil {
		return nil, fmt.Errorf("tenancy: assignments: %w", err)
	}
	as, err := s.store.Assignments(ctx, platformID, accountIDs)
	if err != nil {
		return nil, fmt.Errorf("tenancy: assignments: %w", err)
	}
	return as, nil
}
