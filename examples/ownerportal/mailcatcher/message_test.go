package mailcatcher

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		raw                       string
		from, subject, text, html string
	}{
		{
			name:    "plain, no MIME headers",
			raw:     "From: a@acme.test\nSubject: hi\n\nline 1\nline 2\n",
			from:    "a@acme.test",
			subject: "hi",
			text:    "line 1\nline 2\n",
		},
		{
			name:    "single base64 HTML part",
			raw:     "Subject: =?utf-8?q?caf=C3=A9?=\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: BASE64\n\nPGI+Y2Fmw6k8L2I+\n",
			from:    "env@acme.test",
			subject: "café",
			html:    "<b>café</b>",
		},
		{
			name:    "latin-1 quoted-printable text, encoded subject in another charset",
			raw:     "Subject: =?windows-1252?q?=80uro?=\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nStra=DFe\n",
			from:    "env@acme.test",
			subject: "€uro",
			text:    "Straße\n",
		},
		{
			name: "mixed with nested alternative and an attachment",
			raw: `From: "Acme" <a@acme.test>, b@acme.test
Subject: nested
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain

the text
--inner
Content-Type: text/html

<p>the html</p>
--inner--
--outer
Content-Type: text/plain
Content-Disposition: attachment; filename=notes.txt

not the body
--outer--
`,
			from:    "Acme <a@acme.test>, b@acme.test",
			subject: "nested",
			text:    "the text",
			html:    "<p>the html</p>",
		},
		{
			name:    "unparsable header block",
			raw:     "this is not\xff a message",
			from:    "env@acme.test",
			subject: "",
			text:    "this is not\uFFFD a message",
		},
		{
			name:    "bad content type falls back to text",
			raw:     "Subject: x\nContent-Type: ;;;\n\nbody\n",
			from:    "env@acme.test",
			subject: "x",
			text:    "body\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := crlf(tc.raw)
			m := parse(raw, "env@acme.test", []string{"r@example.com"})
			assert.Equal(t, tc.from, m.From)
			assert.Equal(t, tc.subject, m.Subject)
			assert.Equal(t, tc.text, m.Text)
			assert.Equal(t, tc.html, m.HTML)
			assert.Equal(t, []string{"r@example.com"}, m.To)
			assert.Equal(t, raw, m.Raw)
		})
	}
}

func TestLinks(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    Message
		want []string
	}{
		{"none", Message{Text: "no links, just ftp://x.test and mailto:a@b"}, nil},
		{"sentence punctuation", Message{Text: "Go to https://a.test/x. Or (see https://b.test/y), or https://c.test/?q=1!"},
			[]string{"https://a.test/x", "https://b.test/y", "https://c.test/?q=1"}},
		{"balanced parentheses stay", Message{Text: "https://en.wikipedia.test/wiki/Go_(language) ok"},
			[]string{"https://en.wikipedia.test/wiki/Go_(language)"}},
		{"angle brackets and quotes", Message{Text: `<https://a.test/i?t=1&u=2> "HTTP://B.test"`},
			[]string{"https://a.test/i?t=1&u=2", "HTTP://B.test"}},
		{"each once, in order", Message{Text: "http://b.test https://a.test http://b.test"},
			[]string{"http://b.test", "https://a.test"}},
		{"text wins over HTML", Message{Text: "https://t.test", HTML: `<a href="https://h.test">`},
			[]string{"https://t.test"}},
		{"HTML when there is no text", Message{HTML: `<a href="https://h.test/i?a=1&amp;b=2">x</a>`},
			[]string{"https://h.test/i?a=1&b=2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.m.Links())
		})
	}
}
