// Package validate normalises and checks the inputs that cross a trust
// boundary and are shared by several tenantry packages: email addresses,
// nicknames (URL-safe slugs), time zones and language tags, and the text
// check every string a Service takes goes through (ID, Line, Text, with the
// bounds MaxIDLength, MaxLineLength and MaxTextLength). Each function
// returns the canonical form or a reason that the caller wraps into its
// own package's invalid-input error, naming the field.
package validate
