package branding

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Color is an opaque sRGB colour.
type Color struct{ R, G, B uint8 }

// maxColorLen bounds the input ParseColor looks at; no accepted form is
// anywhere near it.
const maxColorLen = 64

// colorForms is the reason given for input of no accepted form.
const colorForms = "must be #rgb, #rrggbb or rgb(r, g, b)"

// ParseColor parses a colour written as "#rgb", "#rrggbb" (hex digits in
// any case) or "rgb(r, g, b)" where r, g and b are all integers 0–255 or
// all percentages 0–100% ("rgb(100%, 50%, 0%)"). Spaces and tabs are
// allowed around the whole and around each number; nothing else is: no
// named colours, no alpha, no other functions, no control or non-ASCII
// characters. The error is an *InvalidError for the field "color".
func ParseColor(s string) (Color, error) {
	c, reason := parseColor(s)
	if reason != "" {
		return Color{}, invalid("color", reason)
	}
	return c, nil
}

func parseColor(s string) (Color, string) {
	if s == "" {
		return Color{}, "empty"
	}
	if len(s) > maxColorLen {
		return Color{}, "too long"
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; (b < 0x20 && b != '\t') || b >= 0x7f {
			return Color{}, "contains a control or non-ASCII character"
		}
	}
	t := strings.Trim(s, " \t")
	switch {
	case strings.HasPrefix(t, "#"):
		return parseHexColor(t[1:])
	case len(t) >= 4 && strings.EqualFold(t[:4], "rgb("):
		return parseRGBColor(t[4:])
	default:
		return Color{}, colorForms
	}
}

func parseHexColor(h string) (Color, string) {
	if len(h) != 3 && len(h) != 6 {
		return Color{}, "hex colour must have 3 or 6 digits"
	}
	var d [6]uint8
	for i := 0; i < len(h); i++ {
		v, ok := hexDigit(h[i])
		if !ok {
			return Color{}, "hex colour must have only the digits 0-9 and a-f"
		}
		d[i] = v
	}
	if len(h) == 3 {
		return Color{d[0] * 17, d[1] * 17, d[2] * 17}, ""
	}
	return Color{d[0]<<4 | d[1], d[2]<<4 | d[3], d[4]<<4 | d[5]}, ""
}

func hexDigit(b byte) (uint8, bool) {
	switch {
	case '0' <= b && b <= '9':
		return b - '0', true
	case 'a' <= b && b <= 'f':
		return b - 'a' + 10, true
	case 'A' <= b && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}

// parseRGBColor parses what follows "rgb(".
func parseRGBColor(rest string) (Color, string) {
	inner, ok := strings.CutSuffix(rest, ")")
	if !ok {
		return Color{}, "rgb() must end with \")\""
	}
	parts := strings.Split(inner, ",")
	if len(parts) != 3 {
		return Color{}, "rgb() must have exactly three values"
	}
	var v [3]uint8
	percents := 0
	for i, p := range parts {
		p = strings.Trim(p, " \t")
		var reason string
		if num, ok := strings.CutSuffix(p, "%"); ok {
			percents++
			v[i], reason = parsePercent(num)
		} else {
			v[i], reason = parseByte(p)
		}
		if reason != "" {
			return Color{}, reason
		}
	}
	if percents != 0 && percents != 3 {
		return Color{}, "rgb() values must be all integers or all percentages"
	}
	return Color{v[0], v[1], v[2]}, ""
}

// parseByte parses an integer 0–255 written with one to three digits.
func parseByte(s string) (uint8, string) {
	const reason = "rgb() values must be integers 0-255 or percentages 0-100%"
	if s == "" || len(s) > 3 || !allDigits(s) {
		return 0, reason
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > 255 {
		return 0, reason
	}
	return uint8(n), ""
}

// parsePercent parses the number of a percentage 0–100 (digits with an
// optional decimal part: "50", "12.5", ".5") into a channel value.
func parsePercent(s string) (uint8, string) {
	const reason = "rgb() percentages must be numbers 0-100"
	whole, frac, dot := strings.Cut(s, ".")
	if len(s) > 10 || !allDigits(whole) || !allDigits(frac) ||
		(whole == "" && frac == "") || (dot && frac == "") {
		return 0, reason
	}
	p, err := strconv.ParseFloat(s, 64)
	if err != nil || p > 100 {
		return 0, reason
	}
	return uint8(math.Round(p * 255 / 100)), ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Hex returns the colour's canonical form, lower-case "#rrggbb".
func (c Color) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// isCanonicalHex reports whether s is exactly lower-case "#rrggbb".
func isCanonicalHex(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for i := 1; i < 7; i++ {
		if b := s[i]; (b < '0' || b > '9') && (b < 'a' || b > 'f') {
			return false
		}
	}
	return true
}

// RelativeLuminance returns the colour's relative luminance per WCAG 2.x:
// 0 for black, 1 for white.
func RelativeLuminance(c Color) float64 {
	return 0.2126*linearChannel(c.R) + 0.7152*linearChannel(c.G) + 0.0722*linearChannel(c.B)
}

// linearChannel undoes the sRGB transfer function, with the 0.04045
// threshold WCAG 2.x gives.
func linearChannel(v uint8) float64 {
	s := float64(v) / 255
	if s <= 0.04045 {
		return s / 12.92
	}
	return math.Pow((s+0.055)/1.055, 2.4)
}

// ContrastRatio returns the WCAG 2.x contrast ratio of two colours,
// (L1+0.05)/(L2+0.05) with L1 the lighter: from 1 (the same luminance)
// to 21 (black on white), whichever order they are given in.
func ContrastRatio(a, b Color) float64 {
	la, lb := RelativeLuminance(a), RelativeLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// CanonicalColor parses s (ParseColor) and returns its canonical form
// "#rrggbb"; the error is an *InvalidError naming field. An empty s is
// returned as is: it means "inherit".
func CanonicalColor(field, s string) (string, error) {
	if s == "" {
		return "", nil
	}
	c, reason := parseColor(s)
	if reason != "" {
		return "", invalid(field, reason)
	}
	return c.Hex(), nil
}

// MinContrast is the contrast ratio WCAG 2.x level AA asks of body text.
const MinContrast = 4.5

// ContrastPolicy says what saving a theme does about colour pairs below
// the minimum contrast ratio. The zero value is ContrastWarn.
type ContrastPolicy int

const (
	// ContrastWarn saves the theme and reports the pairs below the
	// minimum.
	ContrastWarn ContrastPolicy = iota
	// ContrastOff does not check contrast.
	ContrastOff
	// ContrastRefuse refuses a theme with a pair below the minimum
	// (ErrLowContrast).
	ContrastRefuse
)

// String returns "warn", "off" or "refuse".
func (p ContrastPolicy) String() string {
	switch p {
	case ContrastWarn:
		return "warn"
	case ContrastOff:
		return "off"
	case ContrastRefuse:
		return "refuse"
	}
	return "ContrastPolicy(" + strconv.Itoa(int(p)) + ")"
}

// ContrastIssue is a colour pair whose contrast ratio is below the
// minimum. Background and Foreground name the fields in snake_case
// ("sidebar", "sidebar_text").
type ContrastIssue struct {
	Background string
	Foreground string
	// Ratio is the pair's contrast ratio, from 1 to 21.
	Ratio float64
	// Min is the ratio required.
	Min float64
}

// String describes the issue: "sidebar_text on sidebar: contrast 3.20:1,
// below 4.50:1".
func (i ContrastIssue) String() string {
	return fmt.Sprintf("%s on %s: contrast %.2f:1, below %.2f:1", i.Foreground, i.Background, i.Ratio, i.Min)
}

// DefaultColors is the scheme used for every colour a theme leaves empty:
// a neutral one whose every pair meets MinContrast.
var DefaultColors = Colors{
	Sidebar:     "#1f2937",
	SidebarText: "#f9fafb",
	Button:      "#1d4ed8",
	ButtonText:  "#ffffff",
	Status:      "#f3f4f6",
	StatusText:  "#1f2937",
	Toggle:      "#374151",
	ToggleText:  "#ffffff",
	Link:        "#1d4ed8",
	LinkText:    "#ffffff",
	Background:  "#ffffff",
	Text:        "#111827",
}

// colorArea is one field of Colors: its snake_case name and where it is.
type colorArea struct {
	name  string
	field func(*Colors) *string
}

// colorAreas lists the fields of Colors in their stable order.
var colorAreas = []colorArea{
	{"sidebar", func(c *Colors) *string { return &c.Sidebar }},
	{"sidebar_text", func(c *Colors) *string { return &c.SidebarText }},
	{"button", func(c *Colors) *string { return &c.Button }},
	{"button_text", func(c *Colors) *string { return &c.ButtonText }},
	{"status", func(c *Colors) *string { return &c.Status }},
	{"status_text", func(c *Colors) *string { return &c.StatusText }},
	{"toggle", func(c *Colors) *string { return &c.Toggle }},
	{"toggle_text", func(c *Colors) *string { return &c.ToggleText }},
	{"link", func(c *Colors) *string { return &c.Link }},
	{"link_text", func(c *Colors) *string { return &c.LinkText }},
	{"background", func(c *Colors) *string { return &c.Background }},
	{"text", func(c *Colors) *string { return &c.Text }},
}

// contrastPairs are the (background, foreground) pairs CheckContrast
// checks, by index into colorAreas.
var contrastPairs = [][2]int{
	{0, 1},   // sidebar_text on sidebar
	{2, 3},   // button_text on button
	{4, 5},   // status_text on status
	{6, 7},   // toggle_text on toggle
	{8, 9},   // link_text on link
	{10, 8},  // link on background
	{10, 11}, // text on background
}

// resolvedColor returns the area's colour in c, or the default when it is
// empty or does not parse.
func resolvedColor(c *Colors, a colorArea) Color {
	if v := *a.field(c); v != "" {
		if col, reason := parseColor(v); reason == "" {
			return col
		}
	}
	col, _ := parseColor(*a.field(&DefaultColors))
	return col
}

// CheckContrast returns the pairs of c whose contrast ratio is below min
// (MinContrast when min <= 0): sidebar_text on sidebar, button_text on
// button, status_text on status, toggle_text on toggle, link_text on link,
// and link and text
// on background. An empty field — or one that does not parse — stands
// for its DefaultColors value, so a theme that sets only Sidebar is
// checked against the default SidebarText. Nil when every pair passes.
func CheckContrast(c Colors, min float64) []ContrastIssue {
	if min <= 0 {
		min = MinContrast
	}
	var issues []ContrastIssue
	for _, p := range contrastPairs {
		bg, fg := colorAreas[p[0]], colorAreas[p[1]]
		r := ContrastRatio(resolvedColor(&c, bg), resolvedColor(&c, fg))
		if r < min {
			issues = append(issues, ContrastIssue{Background: bg.name, Foreground: fg.name, Ratio: r, Min: min})
		}
	}
	return issues
}

// NormalizeColors returns c with every non-empty field in its canonical
// form "#rrggbb" (empty fields stay empty: inherit). The error, for the
// first field that does not parse, is an *InvalidError naming it
// "colors.<field>" in snake_case ("colors.sidebar_text").
func NormalizeColors(c Colors) (Colors, error) {
	for _, a := range colorAreas {
		p := a.field(&c)
		v, err := CanonicalColor("colors."+a.name, *p)
		if err != nil {
			return Colors{}, err
		}
		*p = v
	}
	return c, nil
}
