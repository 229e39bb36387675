package validate

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Text bounds, in bytes. Every string a Service takes is held to one of
// them, so that nothing the stores cannot keep (invalid UTF-8, NUL) or index
// (PostgreSQL refuses index rows past about 2.7 kB, NOTIFY payloads past
// 8000 bytes) reaches them.
const (
	// MaxIDLength bounds identifiers handed in: platform, account, user,
	// plan, resource and session IDs, keys, kinds and metric names.
	MaxIDLength = 128
	// MaxLineLength bounds single-line text: names, reasons, tickets,
	// labels.
	MaxLineLength = 1000
	// MaxTextLength bounds free text that may span lines (notes).
	MaxTextLength = 64 << 10
)

// excerptLength is how much of a refused value a reason quotes.
const excerptLength = 32

// ID checks an identifier handed in by a caller, one that names a record:
// at most MaxIDLength bytes of single-line text (see Line). The empty
// string passes: callers decide whether the ID is required. A value ID
// refuses is one no record can have.
func ID(s string) error { return Line(s, MaxIDLength) }

// Line checks single-line text: valid UTF-8, at most max bytes, and no
// control character at all (C0, including NUL, tab, CR and LF; DEL; C1).
// The reason it returns never quotes more than a short excerpt of s.
func Line(s string, max int) error { return check(s, max, false) }

// Text checks free text that may span lines: valid UTF-8, at most max
// bytes, and no control character but tab, LF and CR (so no NUL, no
// escape sequences). The reason it returns never quotes more than a short
// excerpt of s.
func Text(s string, max int) error { return check(s, max, true) }

func check(s string, max int, multiline bool) error {
	if len(s) > max {
		return fmt.Errorf("must be at most %d bytes (got %d)", max, len(s))
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("must be valid UTF-8 text (got %s)", Excerpt(s))
	}
	for _, r := range s {
		if !unicode.IsControl(r) || multiline && (r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		if r == 0 {
			return fmt.Errorf("must not contain NUL bytes (got %s)", Excerpt(s))
		}
		return fmt.Errorf("must not contain control characters (got %s)", Excerpt(s))
	}
	return nil
}

// Excerpt quotes the start of s for an error message: at most 32 bytes,
// cut at a character boundary, Go-quoted (so control bytes and invalid
// UTF-8 show as escapes), with "..." and the full length when cut. A
// refusal quotes an excerpt, never the whole of an input that may be a
// megabyte long.
func Excerpt(s string) string {
	if len(s) <= excerptLength {
		return strconv.Quote(s)
	}
	// Back off to a character boundary; invalid UTF-8 may have none near.
	n := excerptLength
	for i := 1; i < utf8.UTFMax && !utf8.RuneStart(s[n]); i++ {
		n--
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:n]), len(s))
}

// IDs checks identifiers given as pairs of a field name and a value, in
// order, with ID. It returns the field and the reason of the first
// refused, or "" and nil.
func IDs(fieldValue ...string) (field string, err error) {
	for i := 0; i+1 < len(fieldValue); i += 2 {
		if err := ID(fieldValue[i+1]); err != nil {
			return fieldValue[i], err
		}
	}
	return "", nil
}

// IDList checks each of a list of identifiers with ID, and says which
// (by index) it refused.
func IDList(ids []string) error {
	for i, id := range ids {
		if err := ID(id); err != nil {
			return fmt.Errorf("[%d] %w", i, err)
		}
	}
	return nil
}
