package invites

import (
	"fmt"
	"strings"

	"github.com/tenantry/tenantry/internal/validate"
)

// Limits on an invitation's texts.
const (
	// MaxAccountNameLength bounds CreateParams.AccountName, in bytes: the
	// longest name an account may have.
	MaxAccountNameLength = 200
	// MaxPermissions bounds CreateParams.Permissions.
	MaxPermissions = 64
)

// checkIDs refuses, as an *InvalidError naming its field, the first of the
// IDs (given as field, value pairs) that no record can have: invalid
// UTF-8, control characters, longer than validate.MaxIDLength. An ID that
// could exist but does not is the store's ErrNotFound.
func checkIDs(fieldValue ...string) error {
	if field, err := validate.IDs(fieldValue...); err != nil {
		return invalid(field, err.Error())
	}
	return nil
}

// checkCreateText checks the texts of a new invitation: IDs, role and
// permissions as identifiers, the account name (trimmed) as one line.
func checkCreateText(p CreateParams) error {
	if err := checkIDs("platform_id", p.PlatformID, "account_id", p.AccountID, "resource_id", p.ResourceID, "role", p.Role); err != nil {
		return err
	}
	if len(p.Permissions) > MaxPermissions {
		return invalid("permissions", fmt.Sprintf("at most %d", MaxPermissions))
	}
	for _, perm := range p.Permissions {
		if err := checkIDs("permissions", perm); err != nil {
			return err
		}
	}
	if err := validate.Line(strings.TrimSpace(p.AccountName), MaxAccountNameLength); err != nil {
		return invalid("account_name", err.Error())
	}
	return nil
}
