package branding_test

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
)

func TestParseColorValid(t *testing.T) {
	tests := []struct {
		in   string
		want branding.Color
	}{
		{"#000", branding.Color{0, 0, 0}},
		{"#fff", branding.Color{255, 255, 255}},
		{"#FfF", branding.Color{255, 255, 255}},
		{"#1a2", branding.Color{0x11, 0xaa, 0x22}},
		{"#112233", branding.Color{0x11, 0x22, 0x33}},
		{"#AbCdEf", branding.Color{0xab, 0xcd, 0xef}},
		{"  #abcdef\t", branding.Color{0xab, 0xcd, 0xef}},
		{"rgb(0,0,0)", branding.Color{0, 0, 0}},
		{"rgb(255, 128, 7)", branding.Color{255, 128, 7}},
		{"RGB( 1 ,\t2 , 3 )", branding.Color{1, 2, 3}},
		{" rgb(010,020,255) ", branding.Color{10, 20, 255}},
		{"rgb(100%, 50%, 0%)", branding.Color{255, 128, 0}},
		{"rgb(12.5%, .5%, 100.0%)", branding.Color{32, 1, 255}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := branding.ParseColor(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, c)
		})
	}
}

// hostileColors are values ParseColor must refuse: other CSS forms, and
// attempts to break out of a custom property or the stylesheet.
var hostileColors = []string{
	"",
	" ",
	"red",
	"transparent",
	"currentColor",
	"inherit",
	"#",
	"#ff",
	"#ffff",
	"#fffff",
	"#fffffff",
	"#ffffffff",
	"#ggg",
	"#12345g",
	"# fff",
	"##fff",
	"fff",
	"112233",
	"#fff #000",
	"#fff;",
	"#fff\n",
	"\n#fff",
	"#fff\r",
	"#f\x00ff",
	"#fff\x00",
	"#fff\f",
	"#fff\v",
	"#ｆｆｆ",
	"#fff\u00a0",
	"red;}body{background:url(https://evil.example/x)}",
	"#fff;}body{display:none}",
	"#fff;background:url(javascript:alert(1))",
	"url(https://evil.example/x.png)",
	"url(#fff)",
	"expression(alert(1))",
	"rgb(expression(alert(1)),0,0)",
	"#fff</style><script>alert(1)</script>",
	"</style>",
	"#fff/*",
	"#fff\\3b",
	"\\23 fff",
	"var(--x)",
	"calc(1px)",
	"rgb(1,2,3);}",
	"rgb(1,2,3)}",
	"rgb(1,2,3) )",
	"rgb(1,2,3",
	"rgb(1,2)",
	"rgb(1,2,3,4)",
	"rgb(1 2 3)",
	"rgb(1,2,3 / 50%)",
	"rgba(1,2,3,0.5)",
	"rgb (1,2,3)",
	"rgb(256,0,0)",
	"rgb(-1,0,0)",
	"rgb(+1,0,0)",
	"rgb(1.5,0,0)",
	"rgb(1e2,0,0)",
	"rgb(0x10,0,0)",
	"rgb(1_0,0,0)",
	"rgb(0255,0,0)",
	"rgb(,0,0)",
	"rgb(0,,0)",
	"rgb(101%,0%,0%)",
	"rgb(50%,0,0)",
	"rgb(%,0%,0%)",
	"rgb(5.%,0%,0%)",
	"rgb(1e1%,0%,0%)",
	"rgb(NaN%,0%,0%)",
	"rgb(Inf%,0%,0%)",
	"rgb(50 %,0%,0%)",
	"rgb(0,0,0\n)",
	"rgb(\u00a00,0,0)",
	"hsl(0,0%,0%)",
	"#" + strings.Repeat("f", 100),
	"rgb(" + strings.Repeat(" ", 100) + "0,0,0)",
}

func TestParseColorRefusesHostile(t *testing.T) {
	for _, in := range hostileColors {
		t.Run(strings.ToValidUTF8(in, "?"), func(t *testing.T) {
			_, err := branding.ParseColor(in)
			require.Error(t, err)
			require.ErrorIs(t, err, branding.ErrInvalid)
			var ie *branding.InvalidError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, "color", ie.Field)
			require.NotEmpty(t, ie.Reason)
		})
	}
}

func TestColorHex(t *testing.T) {
	require.Equal(t, "#000000", branding.Color{}.Hex())
	require.Equal(t, "#0a0bff", branding.Color{10, 11, 255}.Hex())
	c, err := branding.ParseColor("#ABC")
	require.NoError(t, err)
	require.Equal(t, "#aabbcc", c.Hex())
}

func TestContrastRatio(t *testing.T) {
	black, white := branding.Color{}, branding.Color{255, 255, 255}
	grey := branding.Color{0x77, 0x77, 0x77}
	tests := []struct {
		name string
		a, b branding.Color
		want float64
	}{
		{"black on white", black, white, 21},
		{"white on black", white, black, 21},
		{"grey on white", grey, white, 4.48},
		{"same colour", grey, grey, 1},
		{"black on black", black, black, 1},
		{"#767676 on white", branding.Color{0x76, 0x76, 0x76}, white, 4.54},
		{"red on white", branding.Color{255, 0, 0}, white, 4.00},
		{"blue on white", branding.Color{0, 0, 255}, white, 8.59},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.want, branding.ContrastRatio(tt.a, tt.b), 0.005)
		})
	}
	require.InDelta(t, 0, branding.RelativeLuminance(black), 1e-12)
	require.InDelta(t, 1, branding.RelativeLuminance(white), 1e-12)
	// Below the 0.04045 threshold the curve is linear: 10/255/12.92.
	require.InDelta(t, 10.0/255/12.92, branding.RelativeLuminance(branding.Color{10, 10, 10}), 1e-12)
	require.Less(t, branding.ContrastRatio(grey, white), branding.MinContrast)
}

func TestCanonicalColor(t *testing.T) {
	got, err := branding.CanonicalColor("colors.button", "")
	require.NoError(t, err)
	require.Equal(t, "", got)

	got, err = branding.CanonicalColor("colors.button", " RGB(255, 0, 16) ")
	require.NoError(t, err)
	require.Equal(t, "#ff0010", got)

	_, err = branding.CanonicalColor("colors.button", "red;}")
	require.ErrorIs(t, err, branding.ErrInvalid)
	var ie *branding.InvalidError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "colors.button", ie.Field)
	require.Contains(t, err.Error(), "colors.button")
	require.NotContains(t, err.Error(), "red;}", "the error does not echo the input")
}

func TestDefaultColorsAreCanonicalAndReadable(t *testing.T) {
	canon := regexp.MustCompile(`^#[0-9a-f]{6}$`)
	v := reflect.ValueOf(branding.DefaultColors)
	for i := range v.NumField() {
		require.Regexp(t, canon, v.Field(i).String(), v.Type().Field(i).Name)
	}
	require.Empty(t, branding.CheckContrast(branding.DefaultColors, branding.MinContrast))
	require.Empty(t, branding.CheckContrast(branding.Colors{}, 0), "empty colours are the defaults")

	// Every background/foreground pair of the defaults passes, LinkText
	// on Link included.
	pairs := [][2]string{
		{"Sidebar", "SidebarText"}, {"Button", "ButtonText"}, {"Status", "StatusText"},
		{"Toggle", "ToggleText"}, {"Link", "LinkText"}, {"Background", "Link"}, {"Background", "Text"},
	}
	for _, p := range pairs {
		bg, err := branding.ParseColor(v.FieldByName(p[0]).String())
		require.NoError(t, err)
		fg, err := branding.ParseColor(v.FieldByName(p[1]).String())
		require.NoError(t, err)
		require.GreaterOrEqual(t, branding.ContrastRatio(bg, fg), branding.MinContrast, "%s on %s", p[1], p[0])
	}
}

func TestCheckContrast(t *testing.T) {
	// A dark sidebar alone is checked against the default (light) text.
	require.Empty(t, branding.CheckContrast(branding.Colors{Sidebar: "#000000"}, branding.MinContrast))

	// A light sidebar alone fails against the default (light) text.
	issues := branding.CheckContrast(branding.Colors{Sidebar: "#ffffff"}, branding.MinContrast)
	require.Len(t, issues, 1)
	require.Equal(t, "sidebar", issues[0].Background)
	require.Equal(t, "sidebar_text", issues[0].Foreground)
	require.Equal(t, branding.MinContrast, issues[0].Min)
	require.Less(t, issues[0].Ratio, branding.MinContrast)
	require.GreaterOrEqual(t, issues[0].Ratio, 1.0)
	require.Contains(t, issues[0].String(), "sidebar_text on sidebar")

	// Every pair, in order, at the same colour.
	same := branding.Colors{
		Sidebar: "#777777", SidebarText: "#777777", Button: "#777777", ButtonText: "#777777",
		Status: "#777777", StatusText: "#777777", Toggle: "#777777", ToggleText: "#777777",
		Link: "#777777", Background: "#777777", Text: "#777777",
	}
	issues = branding.CheckContrast(same, 3)
	var got [][2]string
	for _, i := range issues {
		require.InDelta(t, 1, i.Ratio, 1e-9)
		require.Equal(t, 3.0, i.Min)
		got = append(got, [2]string{i.Background, i.Foreground})
	}
	require.Equal(t, [][2]string{
		{"sidebar", "sidebar_text"}, {"button", "button_text"}, {"status", "status_text"},
		{"toggle", "toggle_text"}, {"background", "link"}, {"background", "text"},
	}, got)

	// #777777 text on white: 4.48, below AA (4.5) but above AA large (3).
	grey := branding.Colors{Background: "#ffffff", Text: "#777777"}
	issues = branding.CheckContrast(grey, branding.MinContrast)
	require.Len(t, issues, 1)
	require.Equal(t, "text", issues[0].Foreground)
	require.InDelta(t, 4.48, issues[0].Ratio, 0.005)
	require.Empty(t, branding.CheckContrast(grey, 3))
	require.Len(t, branding.CheckContrast(grey, 0), 1, "min <= 0 means MinContrast")

	// Non-canonical but valid forms are understood; invalid ones stand
	// for the default.
	require.Len(t, branding.CheckContrast(branding.Colors{Button: "rgb(100%,100%,100%)"}, 0), 1)
	require.Empty(t, branding.CheckContrast(branding.Colors{Button: "red;}"}, 0))
}

func TestContrastPolicy(t *testing.T) {
	var p branding.ContrastPolicy
	require.Equal(t, branding.ContrastWarn, p, "the zero value warns")
	require.Equal(t, "warn", p.String())
	require.Equal(t, "off", branding.ContrastOff.String())
	require.Equal(t, "refuse", branding.ContrastRefuse.String())
	require.Equal(t, "ContrastPolicy(9)", branding.ContrastPolicy(9).String())
}

func TestNormalizeColors(t *testing.T) {
	got, err := branding.NormalizeColors(branding.Colors{
		Sidebar:     "#ABC",
		SidebarText: " rgb(255, 255, 255) ",
		Link:        "#0000FF",
		Text:        "#111111",
	})
	require.NoError(t, err)
	require.Equal(t, branding.Colors{
		Sidebar: "#aabbcc", SidebarText: "#ffffff", Link: "#0000ff", Text: "#111111",
	}, got)

	zero, err := branding.NormalizeColors(branding.Colors{})
	require.NoError(t, err)
	require.Equal(t, branding.Colors{}, zero)

	fields := map[string]func(*branding.Colors) *string{
		"colors.sidebar":      func(c *branding.Colors) *string { return &c.Sidebar },
		"colors.sidebar_text": func(c *branding.Colors) *string { return &c.SidebarText },
		"colors.button":       func(c *branding.Colors) *string { return &c.Button },
		"colors.button_text":  func(c *branding.Colors) *string { return &c.ButtonText },
		"colors.status":       func(c *branding.Colors) *string { return &c.Status },
		"colors.status_text":  func(c *branding.Colors) *string { return &c.StatusText },
		"colors.toggle":       func(c *branding.Colors) *string { return &c.Toggle },
		"colors.toggle_text":  func(c *branding.Colors) *string { return &c.ToggleText },
		"colors.link":         func(c *branding.Colors) *string { return &c.Link },
		"colors.link_text":    func(c *branding.Colors) *string { return &c.LinkText },
		"colors.background":   func(c *branding.Colors) *string { return &c.Background },
		"colors.text":         func(c *branding.Colors) *string { return &c.Text },
	}
	require.Len(t, fields, reflect.TypeFor[branding.Colors]().NumField())
	for name, field := range fields {
		t.Run(name, func(t *testing.T) {
			c := branding.Colors{Sidebar: "#fff"}
			*field(&c) = "red"
			_, err := branding.NormalizeColors(c)
			require.ErrorIs(t, err, branding.ErrInvalid)
			var ie *branding.InvalidError
			require.True(t, errors.As(err, &ie))
			require.Equal(t, name, ie.Field)
		})
	}
}
