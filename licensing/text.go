package licensing

import "github.com/tenantry/tenantry/internal/validate"

// checkIDs refuses, as an *InvalidError naming its field, the first of the
// IDs (given as field, value pairs) that no record can have: invalid
// UTF-8, control characters, longer than validate.MaxIDLength. An ID that
// could exist but does not is the store's ErrNotFound. (IDs the package
// stores as new, such as a plan's or an issued license's account, are held
// to the stricter checkID.)
func checkIDs(fieldValue ...string) error {
	if field, err := validate.IDs(fieldValue...); err != nil {
		return invalid(field, err.Error())
	}
	return nil
}
