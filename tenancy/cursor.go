package tenancy

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Page sizes of the listing calls.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

func pageSize(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultPageSize, nil
	case n < 0 || n > MaxPageSize:
		return 0, invalid("limit", fmt.Sprintf("must be between 1 and %d", MaxPageSize))
	}
	return n, nil
}

// encodeCursor makes an opaque page cursor from a keyset position.
func encodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made by encodeCursor into v.
func decodeCursor(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, v) != nil {
		return invalid("after", "is not a cursor from a previous page")
	}
	return nil
}
