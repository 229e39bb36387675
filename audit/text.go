package audit

import (
	"strconv"

	"github.com/tenantry/tenantry/internal/validate"
)

// checkIDs refuses, as an *InvalidError naming its field, the first of the
// IDs (given as field, value pairs) that no record can have: see
// validate.ID.
func checkIDs(fieldValue ...string) error {
	if field, err := validate.IDs(fieldValue...); err != nil {
		return invalid(field, err.Error())
	}
	return nil
}

// checkEventText checks every string of an event: IDs, action and target
// type as identifiers, the reason as a line, and each change's values as
// free text.
func checkEventText(e Event) error {
	if err := checkIDs("platform_id", e.PlatformID, "id", e.ID, "account_id", e.AccountID, "actor_id", e.ActorID,
		"on_behalf_of_id", e.OnBehalfOfID, "action", e.Action, "target_type", e.TargetType, "target_id", e.TargetID); err != nil {
		return err
	}
	if err := validate.Line(e.Reason, validate.MaxLineLength); err != nil {
		return invalid("reason", err.Error())
	}
	for i, c := range e.Changes {
		field := "changes[" + strconv.Itoa(i) + "]"
		if err := validate.ID(c.Field); err != nil {
			return invalid(field+".field", err.Error())
		}
		if err := validate.Text(c.Before, validate.MaxTextLength); err != nil {
			return invalid(field+".before", err.Error())
		}
		if err := validate.Text(c.After, validate.MaxTextLength); err != nil {
			return invalid(field+".after", err.Error())
		}
	}
	return nil
}
