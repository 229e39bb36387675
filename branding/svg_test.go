package branding_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
)

const (
	svgNS    = `xmlns="http://www.w3.org/2000/svg"`
	xlinkNS  = `xmlns:xlink="http://www.w3.org/1999/xlink"`
	svgOpen  = `<svg ` + svgNS + `>`
	svgEmpty = `<svg ` + svgNS + `/>`
)

// allowedSVGElements mirrors the sanitiser's allowlist.
var allowedSVGElements = map[string]bool{
	"svg": true, "g": true, "path": true, "rect": true, "circle": true,
	"ellipse": true, "line": true, "polyline": true, "polygon": true,
	"text": true, "tspan": true, "defs": true, "linearGradient": true,
	"radialGradient": true, "stop": true, "title": true, "desc": true,
	"clipPath": true, "mask": true, "symbol": true, "use": true,
}

// forbiddenInMarkup must not appear, case-insensitively, in the element
// names, attribute names and attribute values of a sanitised SVG. Text
// content is left out: it is escaped character data that no browser runs
// (a logo may well read "Subscriptions" or "https://acme.example").
var forbiddenInMarkup = []string{
	"script", "javascript:", "vbscript:", "data:", "http:", "https:", "//",
	"foreignobject", "iframe", "expression(", `\`, "@import", "<!",
	"&", "<", ">",
}

// requireInertSVG checks that out, a sanitised SVG, is well-formed, has
// the SVG root, only allowlisted elements, no event handler or style
// attribute, no reference outside the document, no declaration,
// processing instruction, comment or CDATA, and no forbidden substring
// in its markup.
func requireInertSVG(t testing.TB, out []byte) {
	t.Helper()
	require.True(t, bytes.HasPrefix(out, []byte(`<svg `+svgNS)), "%s", out)
	raw := strings.ToLower(string(out))
	for _, bad := range []string{"<!", "<?", "<script", "]]>"} {
		require.NotContains(t, raw, bad)
	}
	var markup strings.Builder
	d := xml.NewDecoder(bytes.NewReader(out))
	d.Strict = true
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "%s", out)
		switch tok := tok.(type) {
		case xml.StartElement:
			require.Equal(t, "http://www.w3.org/2000/svg", tok.Name.Space, "%s", out)
			require.True(t, allowedSVGElements[tok.Name.Local], "element %q in %s", tok.Name.Local, out)
			markup.WriteString(tok.Name.Local + " ")
			for _, a := range tok.Attr {
				if depth == 0 && a.Name.Space == "" && a.Name.Local == "xmlns" {
					require.Equal(t, "http://www.w3.org/2000/svg", a.Value)
					continue
				}
				require.Empty(t, a.Name.Space, "%s", out)
				name := strings.ToLower(a.Name.Local)
				require.False(t, strings.HasPrefix(name, "on"), "attribute %q in %s", name, out)
				require.NotEqual(t, "style", name, "%s", out)
				value := strings.ToLower(a.Value)
				if name == "href" {
					require.True(t, strings.HasPrefix(value, "#"), "%s", out)
				}
				for i := strings.Index(value, "url("); i >= 0; i = strings.Index(value, "url(") {
					rest := strings.TrimLeft(value[i+4:], ` '"`)
					require.True(t, strings.HasPrefix(rest, "#"), "%s", out)
					value = value[i+4:]
				}
				markup.WriteString(name + "=" + strings.ToLower(a.Value) + " ")
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
		default:
			t.Fatalf("unexpected %T in %s", tok, out)
		}
	}
	m := strings.ToLower(markup.String())
	for _, bad := range forbiddenInMarkup {
		require.NotContains(t, m, bad, "%s", out)
	}
}

// useBomb nests levels of groups each using the previous one ten times.
func useBomb(levels int) string {
	var b strings.Builder
	b.WriteString(svgOpen + `<defs><g id="l0"><rect width="1" height="1"/></g>`)
	for i := 1; i <= levels; i++ {
		b.WriteString(`<g id="l` + strconv.Itoa(i) + `">`)
		for j := 0; j < 10; j++ {
			b.WriteString(`<use href="#l` + strconv.Itoa(i-1) + `"/>`)
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</defs><use href="#l` + strconv.Itoa(levels) + `"/></svg>`)
	return b.String()
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>`

// hostileSVGs are refused (want empty, reason set) or neutralised to
// exactly want.
var hostileSVGs = []struct {
	name, in, want, reason string
}{
	{"unquoted onload", `<svg onload=alert(1)>`, "", "not an SVG document"},
	{"onload", `<svg ` + svgNS + ` onload="alert(1)"><rect width="1" height="1"/></svg>`,
		svgOpen + `<rect width="1" height="1"/></svg>`, ""},
	{"event handlers any case", svgOpen + `<g onclick="a()" OnMouseOver="b()" ONLOAD="c()" onfocusin="d()"><rect/></g></svg>`,
		svgOpen + `<g><rect/></g></svg>`, ""},
	{"script", svgOpen + `<script>alert(1)</script><circle r="1"/></svg>`, svgOpen + `<circle r="1"/></svg>`, ""},
	{"script with type and href", svgOpen + `<script type="text/ecmascript" href="https://evil.example/x.js"/></svg>`, svgEmpty, ""},
	{"cdata script", svgOpen + `<script><![CDATA[alert(1)]]></script></svg>`, svgEmpty, ""},
	{"cdata with markup in text", svgOpen + `<text><![CDATA[</text><script>alert(1)</script>]]></text></svg>`,
		svgOpen + `<text>&lt;/text>&lt;script>alert(1)&lt;/script></text></svg>`, ""},
	{"escaped markup in title", svgOpen + `<title>&lt;script&gt;alert(1)&lt;/script&gt;</title></svg>`,
		svgOpen + `<title>&lt;script>alert(1)&lt;/script></title></svg>`, ""},
	{"namespaced script", svgOpen + `<x:script xmlns:x="http://www.w3.org/2000/svg">alert(1)</x:script></svg>`, svgEmpty, ""},
	{"xhtml script", svgOpen + `<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>`, svgEmpty, ""},
	{"upper-case script", svgOpen + `<SCRIPT>alert(1)</SCRIPT></svg>`, svgEmpty, ""},
	{"link", `<svg ` + svgNS + ` ` + xlinkNS + `><a xlink:href="javascript:alert(1)"><text>click</text></a></svg>`, svgEmpty, ""},
	{"link https", svgOpen + `<a href="https://evil.example"><rect/></a></svg>`, svgEmpty, ""},
	{"use external", svgOpen + `<use href="https://evil.example/x.svg#a"/></svg>`, svgEmpty, ""},
	{"use external xlink", `<svg ` + svgNS + ` ` + xlinkNS + `><use xlink:href="https://evil.example/x.svg#a"/><use xlink:href="#a"/></svg>`,
		svgOpen + `<use href="#a"/></svg>`, ""},
	{"use javascript", svgOpen + `<use href="javascript:alert(1)"/><use href="&#x6a;avascript:alert(1)"/></svg>`, svgEmpty, ""},
	{"use data", svgOpen + `<use href="data:image/svg+xml,&lt;svg id='x' xmlns='http://www.w3.org/2000/svg'&gt;&lt;/svg&gt;#x"/></svg>`, svgEmpty, ""},
	{"use undeclared xlink prefix", svgOpen + `<use xlink:href="#a"/></svg>`, svgEmpty, ""},
	{"use without href", svgOpen + `<use x="1"/></svg>`, svgEmpty, ""},
	{"use with set", svgOpen + `<use href="#a"><set attributeName="href" to="javascript:alert(1)"/></use></svg>`,
		svgOpen + `<use href="#a"/></svg>`, ""},
	{"image data", svgOpen + `<image href="data:image/png;base64,iVBORw0KGgo="/></svg>`, svgEmpty, ""},
	{"image https", svgOpen + `<image href="https://evil.example/track.png"/></svg>`, svgEmpty, ""},
	{"feImage", svgOpen + `<filter id="f"><feImage href="https://evil.example/"/></filter><rect/></svg>`, svgOpen + `<rect/></svg>`, ""},
	{"foreignObject iframe", svgOpen + `<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"></iframe></foreignObject></svg>`, svgEmpty, ""},
	{"iframe", svgOpen + `<iframe src="javascript:alert(1)"/></svg>`, svgEmpty, ""},
	{"style element", svgOpen + `<style>@import url(//evil.example/x.css); rect { fill: url(javascript:alert(1)) }</style><rect/></svg>`,
		svgOpen + `<rect/></svg>`, ""},
	{"style attribute", svgOpen + `<rect style="background:url(javascript:alert(1))" fill="#000"/></svg>`,
		svgOpen + `<rect fill="#000"/></svg>`, ""},
	{"url javascript in fill", svgOpen + `<rect fill="url(javascript:alert(1))" stroke="url(&quot;javascript:alert(1)&quot;)"/></svg>`,
		svgOpen + `<rect/></svg>`, ""},
	{"url external", svgOpen + `<rect fill="url(https://evil.example/x.svg#a)"/><rect fill="url(//evil.example/#a)"/><rect fill="url(x.svg#a)"/><rect fill="url(#a) url(https://evil.example/)"/></svg>`,
		svgOpen + `<rect/><rect/><rect/><rect/></svg>`, ""},
	{"css escapes", svgOpen + `<rect fill="\75rl(javascript:alert(1))"/><rect fill="u\rl(#a)"/></svg>`,
		svgOpen + `<rect/><rect/></svg>`, ""},
	{"expression", svgOpen + `<rect fill="expression(alert(1))" width="EXPRESSION(alert(1))"/></svg>`, svgOpen + `<rect/></svg>`, ""},
	{"char ref javascript", svgOpen + `<rect fill="&#106;avascript:alert(1)"/></svg>`, svgOpen + `<rect/></svg>`, ""},
	{"char ref url", svgOpen + `<rect fill="url(&#x23;a)"/></svg>`, svgOpen + `<rect fill="url(#a)"/></svg>`, ""},
	{"escaped ampersand", svgOpen + `<rect fill="&amp;#106;avascript:x"/></svg>`, svgOpen + `<rect/></svg>`, ""},
	{"set and animate", svgOpen + `<set attributeName="onload" to="alert(1)"/><animate attributeName="href" to="javascript:alert(1)"/><animateTransform/><animateMotion/><rect/></svg>`,
		svgOpen + `<rect/></svg>`, ""},
	{"xml:base and namespaced attributes", `<svg ` + svgNS + ` xml:base="javascript:x" xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load"><rect/></svg>`,
		svgOpen + `<rect/></svg>`, ""},
	{"duplicate attribute", svgOpen + `<rect fill="#fff" fill="url(javascript:x)"/></svg>`, svgOpen + `<rect fill="#fff"/></svg>`, ""},
	{"both quotes", svgOpen + `<text font-family="&quot;a&quot; 'b'">x</text></svg>`, svgOpen + `<text>x</text></svg>`, ""},
	{"comment", svgOpen + `<!-- <script>alert(1)</script> --><rect/></svg>`, svgOpen + `<rect/></svg>`, ""},
	{"stray text", svgOpen + `<text>x</text>alert(1)<g>y</g></svg>`, svgOpen + `<text>x</text><g/></svg>`, ""},
	{"xxe", `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg ` + svgNS + `><text>&x;</text></svg>`, "", "DOCTYPE"},
	{"billion laughs", billionLaughs, "", "DOCTYPE"},
	{"doctype only", `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">` + svgEmpty, "", "DOCTYPE"},
	{"doctype inside", svgOpen + `<!DOCTYPE x></svg>`, "", "DOCTYPE"},
	{"html entity", svgOpen + `<text>&nbsp;</text></svg>`, "", "malformed SVG"},
	{"stylesheet pi", `<?xml-stylesheet href="https://evil.example/x.css"?>` + svgEmpty, "", "processing instructions"},
	{"pi inside", svgOpen + `<?php echo 1; ?></svg>`, "", "processing instructions"},
	{"late xml declaration", "\n" + `<?xml version="1.0"?>` + svgEmpty, "", "processing instructions"},
	{"utf-16 declared", `<?xml version="1.0" encoding="UTF-16"?>` + svgEmpty, "", "not an SVG document"},
	{"html", `<!DOCTYPE html><html><body><svg ` + svgNS + `/><script>alert(1)</script></body></html>`, "", "not an SVG document"},
	{"html disguised as svg", `<html><head><title>logo.svg</title></head><body onload="alert(1)"></body></html>`, "", "not an SVG document"},
	{"second root", svgEmpty + `<script>alert(1)</script>`, "", "more than one root"},
	{"text after root", svgEmpty + `alert(1)`, "", "content after its root"},
	{"unclosed", svgOpen + `<g>`, "", "malformed SVG"},
	{"use loop", svgOpen + `<g id="a"><use href="#a"/></g></svg>`, "", "re-uses elements"},
	{"use cycle", svgOpen + `<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g></svg>`, "", "re-uses elements"},
	{"use bomb", useBomb(5), "", "re-uses elements"},
	{"deep nesting", svgOpen + strings.Repeat("<g>", 300) + strings.Repeat("</g>", 300) + `</svg>`, "", "nested too deeply"},
	{"cdata growth", svgOpen + `<text><![CDATA[` + strings.Repeat("&", 100) + `]]></text></svg>`, "", "grows"},
}

func TestSanitizeSVGHostile(t *testing.T) {
	for _, tt := range hostileSVGs {
		t.Run(tt.name, func(t *testing.T) {
			out, err := branding.SanitizeSVG([]byte(tt.in))
			if tt.want == "" {
				requireInvalid(t, err, "logo", tt.reason)
				require.Nil(t, out)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, string(out))
			requireInertSVG(t, out)
			require.LessOrEqual(t, len(out), len(tt.in)+64)
			again, err := branding.SanitizeSVG(out)
			require.NoError(t, err)
			require.Equal(t, string(out), string(again), "idempotent")

			logo, err := branding.CheckLogo([]byte(tt.in), 0)
			require.NoError(t, err)
			require.Equal(t, branding.LogoImage{ContentType: "image/svg+xml", Data: out}, logo)
		})
	}
}

func TestSanitizeSVGKeeps(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"minimal", svgEmpty, svgEmpty},
		{"empty element closes short", svgOpen + `<g></g><g>  </g></svg>`, svgOpen + `<g/><g/></svg>`},
		{"declaration, bom and whitespace",
			"\ufeff<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"no\"?>\n<!-- logo -->\n" + svgOpen + "\n  <rect x=\"1\" y=\"2\" width=\"3\" height=\"4\" rx=\"1\"/>\n</svg>\n",
			svgOpen + `<rect x="1" y="2" width="3" height="4" rx="1"/></svg>`},
		{"prefixed svg", `<s:svg xmlns:s="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><s:rect width="1"/></s:svg>`,
			`<svg ` + svgNS + ` viewBox="0 0 1 1"><rect width="1"/></svg>`},
		{"typical logo", `<svg ` + svgNS + ` ` + xlinkNS + ` version="1.1" width="120" height="40" viewBox="0 0 120 40" preserveAspectRatio="xMidYMid meet" class="logo">` +
			`<title>Acme &amp; Co.</title><desc>The Acme "A"</desc>` +
			`<defs><linearGradient id="grad-1" x1="0" y1="0" x2="1" y2="1" gradientUnits="objectBoundingBox"><stop offset="0%" stop-color="#336699" stop-opacity=".5"/><stop offset="100%" stop-color="rgb(10, 20, 30)"/></linearGradient>` +
			`<radialGradient id="r" cx="50%" cy="50%" r="50%" gradientTransform="rotate(45 .5 .5)" xlink:href="#grad-1"/>` +
			`<clipPath id="c"><circle cx="20" cy="20" r="18"/></clipPath><mask id="m"><rect width="120" height="40" fill="white"/></mask>` +
			`<symbol id="s" viewBox="0 0 10 10"><path d="M0,0 L10,10 z" stroke="black" stroke-width="1.5e-1" stroke-linecap="round" stroke-linejoin="round"/></symbol></defs>` +
			"<g id=\"main\" transform=\"matrix(1 0 0 1 0 0) translate(2,2)\tscale(1)\" clip-path=\"url(#c)\" mask=\"url('#m')\" opacity=\"0.9\">" +
			`<ellipse cx="1" cy="2" rx="3" ry="4" fill="url(#grad-1)" fill-rule="evenodd" clip-rule="nonzero"/>` +
			`<line x1="0" y1="0" x2="5" y2="5" stroke="currentColor"/><polyline points="0,0 1,1 2,0" fill="none"/><polygon points="0,0 1,1 2,0" fill-opacity="0.5" stroke-opacity="1"/>` +
			`<use xlink:href="#s" x="40" y="5" width="10" height="10"/>` +
			`<text x="60" y="25" font-family="'Helvetica Neue', Arial, sans-serif" font-size="16" font-weight="bold" text-anchor="middle">Acme <tspan fill="hsl(200, 50%, 50%)">Corp &lt;3</tspan></text>` +
			`</g></svg>`,
			`<svg ` + svgNS + ` version="1.1" width="120" height="40" viewBox="0 0 120 40" preserveAspectRatio="xMidYMid meet">` +
				`<title>Acme &amp; Co.</title><desc>The Acme "A"</desc>` +
				`<defs><linearGradient id="grad-1" x1="0" y1="0" x2="1" y2="1" gradientUnits="objectBoundingBox"><stop offset="0%" stop-color="#336699" stop-opacity=".5"/><stop offset="100%" stop-color="rgb(10, 20, 30)"/></linearGradient>` +
				`<radialGradient id="r" cx="50%" cy="50%" r="50%" gradientTransform="rotate(45 .5 .5)" href="#grad-1"/>` +
				`<clipPath id="c"><circle cx="20" cy="20" r="18"/></clipPath><mask id="m"><rect width="120" height="40" fill="white"/></mask>` +
				`<symbol id="s" viewBox="0 0 10 10"><path d="M0,0 L10,10 z" stroke="black" stroke-width="1.5e-1" stroke-linecap="round" stroke-linejoin="round"/></symbol></defs>` +
				`<g id="main" transform="matrix(1 0 0 1 0 0) translate(2,2) scale(1)" clip-path="url(#c)" mask="url('#m')" opacity="0.9">` +
				`<ellipse cx="1" cy="2" rx="3" ry="4" fill="url(#grad-1)" fill-rule="evenodd" clip-rule="nonzero"/>` +
				`<line x1="0" y1="0" x2="5" y2="5" stroke="currentColor"/><polyline points="0,0 1,1 2,0" fill="none"/><polygon points="0,0 1,1 2,0" fill-opacity="0.5" stroke-opacity="1"/>` +
				`<use href="#s" x="40" y="5" width="10" height="10"/>` +
				`<text x="60" y="25" font-family="'Helvetica Neue', Arial, sans-serif" font-size="16" font-weight="bold" text-anchor="middle">Acme <tspan fill="hsl(200, 50%, 50%)">Corp &lt;3</tspan></text>` +
				`</g></svg>`},
		{"quotes in a value", svgOpen + `<text font-family='"Open Sans", serif'>x</text></svg>`, svgOpen + `<text font-family='"Open Sans", serif'>x</text></svg>`},
		{"non-ASCII text and font", svgOpen + `<text font-family="Noto Sans 日本語">日本 ✓</text></svg>`, svgOpen + `<text font-family="Noto Sans 日本語">日本 ✓</text></svg>`},
		{"carriage return in text", svgOpen + `<text>a&#13;b</text></svg>`, svgOpen + `<text>a&#xD;b</text></svg>`},
		{"invalid id dropped", svgOpen + `<g id="a b"/><g id="1a"/><g id="x:y"/></svg>`, svgOpen + `<g/><g/><g/></svg>`},
		{"modest reuse", useBomb(2), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := branding.SanitizeSVG([]byte(tt.in))
			require.NoError(t, err)
			if tt.want != "" {
				require.Equal(t, tt.want, string(out))
			}
			requireInertSVG(t, out)
			require.LessOrEqual(t, len(out), len(tt.in)+64)
			again, err := branding.SanitizeSVG(out)
			require.NoError(t, err)
			require.Equal(t, string(out), string(again), "idempotent")
		})
	}
}

func TestSanitizeSVGRefusesNonSVG(t *testing.T) {
	for _, in := range []string{"", "   ", "hello", `<svg/>`, `<svg xmlns="urn:x"/>`, `<SVG ` + svgNS + `/>`, `<html/>`, "\x89PNG\r\n\x1a\n"} {
		out, err := branding.SanitizeSVG([]byte(in))
		requireInvalid(t, err, "logo", "not an SVG document")
		require.Nil(t, out)
	}
}

// svgSeeds are the hostile and legitimate SVGs, as fuzz seeds.
func svgSeeds() []string {
	var s []string
	for _, tt := range hostileSVGs {
		s = append(s, tt.in)
	}
	return append(s, svgEmpty, useBomb(2),
		svgOpen+`<text>]]]]><![CDATA[>]]></text></svg>`,
		`<svg `+svgNS+` `+xlinkNS+`><linearGradient id="g"/><rect fill="url( '#g' )"/><use xlink:href="#g" href="#h"/></svg>`)
}

func FuzzCheckLogo(f *testing.F) {
	for _, s := range svgSeeds() {
		f.Add([]byte(s))
	}
	png := makePNG(f, 2, 2)
	for _, b := range [][]byte{
		png, append(bytes.Clone(png), "<html><script>alert(1)</script>"...), makeJPEG(f, 3, 3), makeGIF(f),
		webpLossy, webpLossless, webpAlpha, webpHeader(5000, 1), []byte("%PDF-1.4"), {},
	} {
		f.Add(b)
	}
	types := map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true, "image/svg+xml": true}
	f.Fuzz(func(t *testing.T, data []byte) {
		logo, err := branding.CheckLogo(data, 64<<10)
		if err != nil {
			require.ErrorIs(t, err, branding.ErrInvalid)
			require.Nil(t, logo.Data)
			return
		}
		require.True(t, types[logo.ContentType], logo.ContentType)
		require.NotEmpty(t, logo.Data)
		if logo.ContentType != "image/svg+xml" {
			require.Equal(t, data, logo.Data)
			return
		}
		require.LessOrEqual(t, len(logo.Data), len(data)+64)
		requireInertSVG(t, logo.Data)
		again, err := branding.SanitizeSVG(logo.Data)
		require.NoError(t, err)
		require.Equal(t, string(logo.Data), string(again), "idempotent")
	})
}
