package branding

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"sort"
	"strings"
	"unicode"
)

const (
	svgNS   = "http://www.w3.org/2000/svg"
	xlinkNS = "http://www.w3.org/1999/xlink"

	// svgSlack bounds how much longer than its input a sanitised SVG may
	// be. Well-formed SVG as browsers accept it never grows; only a few
	// constructs that encoding/xml tolerates (CDATA sections full of '&',
	// attributes without whitespace between them) could, and those are
	// refused beyond this.
	svgSlack = 64
	// maxSVGDepth bounds element nesting.
	maxSVGDepth = 256
	// maxUseInstances bounds how many copies the <use> elements of a
	// document stamp out, nested references counted, against the SVG
	// equivalent of the billion-laughs attack.
	maxUseInstances = 4096
)

// svgElements are the elements SanitizeSVG keeps (in the SVG namespace,
// case-sensitive); every other element is dropped with its subtree.
var svgElements = map[string]bool{
	"svg": true, "g": true, "path": true, "rect": true, "circle": true,
	"ellipse": true, "line": true, "polyline": true, "polygon": true,
	"text": true, "tspan": true, "defs": true, "linearGradient": true,
	"radialGradient": true, "stop": true, "title": true, "desc": true,
	"clipPath": true, "mask": true, "symbol": true, "use": true,
}

// svgTextElements are the elements whose text content is kept.
var svgTextElements = map[string]bool{
	"text": true, "tspan": true, "title": true, "desc": true,
}

// svgAttributes are the attributes SanitizeSVG keeps (unprefixed,
// case-sensitive), each value still checked by safeSVGValue. href and
// xlink:href are handled apart.
var svgAttributes = map[string]bool{
	"id": true, "viewBox": true, "width": true, "height": true,
	"x": true, "y": true, "x1": true, "y1": true, "x2": true, "y2": true,
	"cx": true, "cy": true, "r": true, "rx": true, "ry": true,
	"fx": true, "fy": true, "dx": true, "dy": true,
	"d": true, "points": true, "pathLength": true,
	"transform": true, "fill": true, "stroke": true, "stroke-width": true,
	"stroke-linecap": true, "stroke-linejoin": true, "stroke-miterlimit": true,
	"stroke-dasharray": true, "stroke-dashoffset": true,
	"opacity": true, "fill-opacity": true, "stroke-opacity": true,
	"fill-rule": true, "clip-rule": true, "offset": true,
	"stop-color": true, "stop-opacity": true,
	"gradientUnits": true, "gradientTransform": true, "spreadMethod": true,
	"clipPathUnits": true, "maskUnits": true, "maskContentUnits": true,
	"font-family": true, "font-size": true, "font-weight": true,
	"font-style": true, "text-anchor": true, "dominant-baseline": true,
	"letter-spacing": true, "preserveAspectRatio": true, "version": true,
	"clip-path": true, "mask": true, "visibility": true, "display": true,
}

// svgFunctions are the functional notations allowed in attribute values
// (lower-cased); url() further only as url(#id).
var svgFunctions = map[string]bool{
	"url": true, "matrix": true, "translate": true, "scale": true,
	"rotate": true, "skewx": true, "skewy": true,
	"rgb": true, "rgba": true, "hsl": true, "hsla": true,
}

// SanitizeSVG returns data, an SVG document, rebuilt from an allowlist:
// only static drawing elements (shapes, paths, text, gradients, clip paths,
// masks, symbols and <use> of an element of the same document) and their
// geometry and presentation attributes are kept, in the SVG namespace,
// with the root written as <svg xmlns="http://www.w3.org/2000/svg">.
// Scripts, event handlers, styles, animations, links, images, foreign
// objects and every reference outside the document are dropped; an
// unknown element goes with its whole subtree. Text is kept only in text,
// tspan, title and desc, escaped. Comments, CDATA markers and xlink
// prefixes are not kept (xlink:href="#id" becomes href="#id").
//
// A document that is not well-formed XML, whose root is not svg in the
// SVG namespace, that has a DOCTYPE, an entity declaration or a
// processing instruction other than the leading XML declaration, or that
// nests or re-uses elements beyond fixed limits, is refused with an error
// matching ErrInvalid for the field "logo". The result is never more than
// a few dozen bytes longer than data, and sanitising it again returns it
// unchanged.
func SanitizeSVG(data []byte) ([]byte, error) {
	out, reason, _ := sanitizeSVG(data)
	if reason != "" {
		return nil, invalid("logo", reason)
	}
	return out, nil
}

// svgFrame is an element that SanitizeSVG keeps, still open.
type svgFrame struct {
	name string
	// open reports that the start tag's '>' was written (the element has
	// content); otherwise it is closed with "/>".
	open bool
	// node is the element's pre-order index and id its id, for the <use>
	// count.
	node int
	id   string
}

// svgUse is a kept <use> element: its pre-order index and its target id.
type svgUse struct {
	node   int
	target string
}

// svgSpan is the pre-order range [start, end) of an element's subtree.
type svgSpan struct{ start, end int }

const reasonNotSVG = "not an SVG document (its root must be svg in the http://www.w3.org/2000/svg namespace)"

// sanitizeSVG does SanitizeSVG's work. reason is empty on success;
// notSVG reports that data is not an SVG document at all (not XML, or its
// root is another element), as opposed to an SVG document refused.
func sanitizeSVG(data []byte) (out []byte, reason string, notSVG bool) {
	src := bytes.TrimPrefix(data, []byte("\ufeff"))
	d := xml.NewDecoder(bytes.NewReader(src))
	d.Strict = true
	d.Entity = nil // only the five predefined entities; nothing is expanded

	var (
		buf      bytes.Buffer
		stack    []svgFrame
		skip     int // depth inside a dropped subtree
		rootSeen bool
		rootDone bool
		problem  string // refusal noticed before the root was seen
		nodes    int
		uses     []svgUse
		ids      = map[string]svgSpan{}
	)
	buf.Grow(len(src))
	for {
		start := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if !rootSeen {
				return nil, reasonNotSVG, true
			}
			return nil, "malformed SVG: " + err.Error(), false
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if t.Target == "xml" && start == 0 {
				continue
			}
			if !rootSeen {
				if problem == "" {
					problem = "SVG must not contain processing instructions"
				}
				continue
			}
			return nil, "SVG must not contain processing instructions", false
		case xml.Directive:
			if !rootSeen {
				if problem == "" {
					problem = "SVG must not contain a DOCTYPE or entity declarations"
				}
				continue
			}
			return nil, "SVG must not contain a DOCTYPE or entity declarations", false
		case xml.Comment:
			continue
		case xml.CharData:
			if !rootSeen || rootDone {
				if len(bytes.TrimSpace(t)) == 0 {
					continue
				}
				if !rootSeen {
					return nil, reasonNotSVG, true
				}
				return nil, "SVG has content after its root element", false
			}
			// Empty text (an empty CDATA section) writes nothing, so that
			// the element stays self-closing and sanitising is idempotent.
			if skip > 0 || len(t) == 0 || !svgTextElements[stack[len(stack)-1].name] {
				continue
			}
			openTop(&buf, stack)
			writeSVGText(&buf, t)
		case xml.StartElement:
			if rootDone {
				return nil, "SVG has more than one root element", false
			}
			if !rootSeen {
				if t.Name.Space != svgNS || t.Name.Local != "svg" {
					return nil, reasonNotSVG, true
				}
				if problem != "" {
					return nil, problem, false
				}
				rootSeen = true
			}
			if len(stack)+skip >= maxSVGDepth {
				return nil, "SVG elements nested too deeply", false
			}
			if skip > 0 {
				skip++
				continue
			}
			name := t.Name.Local
			if t.Name.Space != svgNS || !svgElements[name] {
				skip = 1
				continue
			}
			attrs, id, href := svgAttrs(t.Attr)
			if name == "use" && href == "" {
				skip = 1
				continue
			}
			openTop(&buf, stack)
			buf.WriteByte('<')
			buf.WriteString(name)
			if len(stack) == 0 {
				buf.WriteString(` xmlns="` + svgNS + `"`)
			}
			buf.WriteString(attrs)
			node := nodes
			nodes++
			if name == "use" {
				uses = append(uses, svgUse{node: node, target: href})
				if len(uses) > maxUseInstances {
					return nil, "SVG re-uses elements too often", false
				}
			}
			stack = append(stack, svgFrame{name: name, node: node, id: id})
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if f.open {
				buf.WriteString("</" + f.name + ">")
			} else {
				buf.WriteString("/>")
			}
			if f.id != "" {
				if _, dup := ids[f.id]; !dup {
					ids[f.id] = svgSpan{f.node, nodes}
				}
			}
			if len(stack) == 0 {
				rootDone = true
			}
		}
	}
	if !rootSeen {
		return nil, reasonNotSVG, true
	}
	if !rootDone {
		return nil, "malformed SVG: unexpected end", false
	}
	if useInstances(uses, ids) > maxUseInstances {
		return nil, "SVG re-uses elements too often (or in a loop)", false
	}
	if buf.Len() > len(data)+svgSlack {
		return nil, "SVG grows when sanitised (CDATA or attributes without spaces)", false
	}
	return buf.Bytes(), "", false
}

// openTop writes the '>' of the innermost kept element's start tag, once,
// before its first content.
func openTop(buf *bytes.Buffer, stack []svgFrame) {
	if len(stack) == 0 {
		return
	}
	f := &stack[len(stack)-1]
	if !f.open {
		buf.WriteByte('>')
		f.open = true
	}
}

// svgAttrs filters an element's attributes. It returns the kept ones
// serialised (each as ` name="value"`), the element's id and the target
// id of its href (empty when it has none that is kept).
func svgAttrs(attrs []xml.Attr) (out, id, href string) {
	var b strings.Builder
	seen := map[string]bool{}
	for _, a := range attrs {
		var name, value string
		switch {
		case a.Name.Local == "href" && (a.Name.Space == "" || a.Name.Space == xlinkNS):
			if !strings.HasPrefix(a.Value, "#") || !isSVGID(a.Value[1:]) {
				continue
			}
			name, value = "href", a.Value
		case a.Name.Space != "" || !svgAttributes[a.Name.Local]:
			continue
		default:
			name, value = a.Name.Local, normalizeSVGSpace(a.Value)
			if name == "id" && !isSVGID(value) || !safeSVGValue(value) {
				continue
			}
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		quote := byte('"')
		if strings.IndexByte(value, '"') >= 0 {
			quote = '\''
		}
		b.WriteByte(' ')
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteByte(quote)
		b.WriteString(value)
		b.WriteByte(quote)
		switch name {
		case "id":
			id = value
		case "href":
			href = value[1:]
		}
	}
	return b.String(), id, href
}

// normalizeSVGSpace turns tabs and line breaks into spaces, as XML's
// attribute-value normalisation does.
func normalizeSVGSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return ' '
		}
		return r
	}, s)
}

// isSVGID reports whether s is an id that SanitizeSVG keeps and lets
// url(#…) and href="#…" refer to: an ASCII letter or '_' then letters,
// digits, '_', '-' or '.'.
func isSVGID(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// safeSVGValue reports whether an attribute value may be kept. Allowed
// characters are letters, digits, spaces and #.,-+%()_ plus quotes (not
// both kinds); so no ':' (no URL scheme), '/' (no path or CSS comment),
// '\' (no CSS escape), '&', ';', '<' or '>'. Every "name(" must be one of
// svgFunctions, and url( only as url(#id).
func safeSVGValue(v string) bool {
	if strings.ContainsRune(v, '"') && strings.ContainsRune(v, '\'') {
		return false
	}
	for _, r := range v {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
		case strings.ContainsRune(" #.,-+%()_'\"", r):
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		default:
			return false
		}
	}
	for i := 0; i < len(v); i++ {
		if v[i] != '(' {
			continue
		}
		j := i
		for j > 0 && v[j-1] == ' ' {
			j--
		}
		k := j
		for k > 0 && isASCIILetter(v[k-1]) {
			k--
		}
		fn := strings.ToLower(v[k:j])
		if k > 0 && v[k-1] >= 0x80 || !svgFunctions[fn] {
			return false
		}
		if fn == "url" && (j != i || !fragmentURLArg(v[i+1:])) {
			return false
		}
	}
	return true
}

// fragmentURLArg reports whether s, what follows "url(", is "#id)",
// possibly quoted and padded with spaces.
func fragmentURLArg(s string) bool {
	s = strings.TrimLeft(s, " ")
	var q byte
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		q, s = s[0], s[1:]
	}
	end := strings.IndexAny(s, "\"') ")
	if end < 0 || !strings.HasPrefix(s, "#") || !isSVGID(s[1:end]) {
		return false
	}
	s = s[end:]
	if q != 0 {
		if s[0] != q {
			return false
		}
		s = s[1:]
	}
	s = strings.TrimLeft(s, " ")
	return strings.HasPrefix(s, ")")
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// writeSVGText writes text escaped with the shortest escapes, so that it
// never grows beyond its source: '&' and '<' always, '>' only after "]]"
// (as written so far, the text may come in several pieces), and a
// carriage return (which a parser would turn into a line feed).
func writeSVGText(buf *bytes.Buffer, text []byte) {
	for _, c := range text {
		switch {
		case c == '&':
			buf.WriteString("&amp;")
		case c == '<':
			buf.WriteString("&lt;")
		case c == '>' && bytes.HasSuffix(buf.Bytes(), []byte("]]")):
			buf.WriteString("&gt;")
		case c == '\r':
			buf.WriteString("&#xD;")
		default:
			buf.WriteByte(c)
		}
	}
}

// useInstances counts the copies that the <use> elements stamp out: each
// use is one, plus the uses inside its target, recursively. It returns
// more than maxUseInstances as soon as the count exceeds it or a use
// refers (through others) back into itself.
func useInstances(uses []svgUse, ids map[string]svgSpan) int {
	const (
		visiting = -1
		tooMany  = maxUseInstances + 1
	)
	memo := map[string]int{}
	var cost func(target string) int
	cost = func(target string) int {
		span, ok := ids[target]
		if !ok {
			return 0 // refers to nothing: renders nothing
		}
		if c, done := memo[target]; done {
			if c == visiting {
				return tooMany
			}
			return c
		}
		memo[target] = visiting
		first := sort.Search(len(uses), func(i int) bool { return uses[i].node >= span.start })
		total := 0
		for _, u := range uses[first:] {
			if u.node >= span.end {
				break
			}
			total += 1 + cost(u.target)
			if total > maxUseInstances {
				total = tooMany
				break
			}
		}
		memo[target] = total
		return total
	}
	total := 0
	for _, u := range uses {
		total += 1 + cost(u.target)
		if total > maxUseInstances {
			return tooMany
		}
	}
	return total
}
