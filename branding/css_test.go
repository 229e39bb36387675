package branding_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
)

const defaultCSS = `:root{
  --tenantry-sidebar:#1f2937;
  --tenantry-sidebar-text:#f9fafb;
  --tenantry-button:#1d4ed8;
  --tenantry-button-text:#ffffff;
  --tenantry-status:#f3f4f6;
  --tenantry-status-text:#1f2937;
  --tenantry-toggle:#374151;
  --tenantry-toggle-text:#ffffff;
  --tenantry-link:#1d4ed8;
  --tenantry-link-text:#ffffff;
  --tenantry-background:#ffffff;
  --tenantry-text:#111827;
}
`

// cssLine is the only form a line of Theme.CSS may take between ":root{"
// and "}".
var cssLine = regexp.MustCompile(`^  --tenantry-[a-z]+(-[a-z]+)*:#[0-9a-f]{6};$`)

// requireSafeCSS checks css line by line against the fixed template.
func requireSafeCSS(t testing.TB, css []byte) {
	t.Helper()
	lines := strings.Split(string(css), "\n")
	require.Len(t, lines, 12+3, "%q", css)
	require.Equal(t, ":root{", lines[0])
	for _, l := range lines[1:13] {
		require.Regexp(t, cssLine, l)
	}
	require.Equal(t, "}", lines[13])
	require.Equal(t, "", lines[14])
}

func TestThemeCSS(t *testing.T) {
	require.Equal(t, defaultCSS, string(branding.Theme{}.CSS()))
	requireSafeCSS(t, branding.Theme{}.CSS())

	th := branding.Theme{Colors: branding.Colors{Sidebar: "#112233", ButtonText: "#000000", Text: "#abcdef"}}
	want := strings.NewReplacer(
		"--tenantry-sidebar:#1f2937;", "--tenantry-sidebar:#112233;",
		"--tenantry-button-text:#ffffff;", "--tenantry-button-text:#000000;",
		"--tenantry-text:#111827;", "--tenantry-text:#abcdef;",
	).Replace(defaultCSS)
	require.Equal(t, want, string(th.CSS()))
	require.Equal(t, th.CSS(), th.CSS(), "stable")
}

func TestThemeCSSNeverWritesHostileValues(t *testing.T) {
	extra := []string{"#FFFFFF", "#fff", "rgb(1,2,3)", " #ffffff", "#ffffff ", "#ffffff;"}
	for _, v := range append(extra, hostileColors...) {
		th := branding.Theme{Colors: branding.Colors{
			Sidebar: v, SidebarText: v, Button: v, ButtonText: v, Status: v, StatusText: v,
			Toggle: v, ToggleText: v, Link: v, LinkText: v, Background: v, Text: v,
		}}
		css := th.CSS()
		require.Equal(t, defaultCSS, string(css), "non-canonical %q falls back to the defaults", v)
	}
}

func TestMergeTheme(t *testing.T) {
	t1 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	platform := branding.Theme{
		PlatformID: "p1",
		Colors: branding.Colors{
			Sidebar: "#111111", SidebarText: "#eeeeee", Button: "#222222", Background: "#fafafa",
		},
		ProductName:     "Acme Cloud",
		SupportEmail:    "help@acme.example",
		EmailSenderName: "Acme",
		LogoLinkURL:     "https://acme.example",
		Version:         7,
		UpdatedAt:       t2,
	}
	account := branding.Theme{
		PlatformID:   "p1",
		AccountID:    "a1",
		Colors:       branding.Colors{Sidebar: "#333333", Text: "#000000"},
		SupportEmail: "it@customer.example",
		Version:      2,
		UpdatedAt:    t1,
	}
	got := branding.MergeTheme(platform, account)
	require.Equal(t, branding.Theme{
		PlatformID: "p1",
		AccountID:  "a1",
		Colors: branding.Colors{
			Sidebar: "#333333", SidebarText: "#eeeeee", Button: "#222222",
			Background: "#fafafa", Text: "#000000",
		},
		ProductName:     "Acme Cloud",
		SupportEmail:    "it@customer.example",
		EmailSenderName: "Acme",
		LogoLinkURL:     "https://acme.example",
		Version:         2,
		UpdatedAt:       t2,
	}, got)

	// No account override: the platform's look under the account's IDs.
	got = branding.MergeTheme(platform, branding.Theme{AccountID: "a2"})
	require.Equal(t, "p1", got.PlatformID)
	require.Equal(t, "a2", got.AccountID)
	require.Equal(t, platform.Colors, got.Colors)
	require.Equal(t, int64(0), got.Version)

	// Merging over an empty platform theme is the account's theme.
	require.Equal(t, account, branding.MergeTheme(branding.Theme{}, account))
}

func TestStylesheetHandler(t *testing.T) {
	th := branding.Theme{Colors: branding.Colors{Sidebar: "#112233"}}
	var loadErr error
	h := branding.StylesheetHandler(func(r *http.Request) (branding.Theme, error) {
		if loadErr != nil {
			return branding.Theme{}, loadErr
		}
		return th, nil
	})
	do := func(method string, hdr ...string) *http.Response {
		req := httptest.NewRequest(method, "/branding.css", nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Add(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	body := func(res *http.Response) string {
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return string(b)
	}

	t.Run("GET", func(t *testing.T) {
		res := do(http.MethodGet)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Equal(t, "text/css; charset=utf-8", res.Header.Get("Content-Type"))
		require.Equal(t, "public, max-age=300", res.Header.Get("Cache-Control"))
		require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
		require.Regexp(t, `^"[0-9a-f]{32}"$`, res.Header.Get("ETag"))
		require.Equal(t, string(th.CSS()), body(res))
		require.Equal(t, fmt.Sprint(len(th.CSS())), res.Header.Get("Content-Length"))
	})

	etag := do(http.MethodGet).Header.Get("ETag")

	t.Run("ETag follows the bytes", func(t *testing.T) {
		old := th
		th = branding.Theme{Colors: branding.Colors{Sidebar: "#112234"}}
		defer func() { th = old }()
		require.NotEqual(t, etag, do(http.MethodGet).Header.Get("ETag"))
	})

	t.Run("304", func(t *testing.T) {
		for _, inm := range []string{etag, `"other", ` + etag, "W/" + etag, "*"} {
			res := do(http.MethodGet, "If-None-Match", inm)
			require.Equal(t, http.StatusNotModified, res.StatusCode, inm)
			require.Equal(t, etag, res.Header.Get("ETag"))
			require.Equal(t, "public, max-age=300", res.Header.Get("Cache-Control"))
			require.Empty(t, body(res))
		}
		res := do(http.MethodGet, "If-None-Match", `"other"`, "If-None-Match", etag)
		require.Equal(t, http.StatusNotModified, res.StatusCode, "several header lines")

		res = do(http.MethodGet, "If-None-Match", `"0000"`)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Equal(t, string(th.CSS()), body(res))
	})

	t.Run("HEAD", func(t *testing.T) {
		res := do(http.MethodHead)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Equal(t, "text/css; charset=utf-8", res.Header.Get("Content-Type"))
		require.Equal(t, etag, res.Header.Get("ETag"))
		require.Equal(t, fmt.Sprint(len(th.CSS())), res.Header.Get("Content-Length"))
		require.Empty(t, body(res))
	})

	t.Run("405", func(t *testing.T) {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions} {
			res := do(m)
			require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode, m)
			require.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
		}
	})

	t.Run("404", func(t *testing.T) {
		loadErr = fmt.Errorf("branding: theme: %w", branding.ErrNotFound)
		defer func() { loadErr = nil }()
		res := do(http.MethodGet)
		require.Equal(t, http.StatusNotFound, res.StatusCode)
		require.NotContains(t, res.Header.Get("Content-Type"), "text/css")
		require.Empty(t, res.Header.Get("ETag"))
	})

	t.Run("500 hides the error", func(t *testing.T) {
		loadErr = errors.New("pq: password authentication failed for user \"secret\"")
		defer func() { loadErr = nil }()
		res := do(http.MethodGet)
		require.Equal(t, http.StatusInternalServerError, res.StatusCode)
		b := body(res)
		require.NotContains(t, b, "secret")
		require.NotContains(t, b, "password")
		require.Equal(t, "Internal Server Error\n", b)
		require.NotEqual(t, "public, max-age=300", res.Header.Get("Cache-Control"))
	})
}

var canonicalHex = regexp.MustCompile(`^#[0-9a-f]{6}$`)

func FuzzParseColor(f *testing.F) {
	for _, s := range hostileColors {
		f.Add(s)
	}
	for _, s := range []string{"#fff", "#ABCDEF", "rgb(1, 2, 3)", "rgb(10%, 20.5%, 100%)", " #123456 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := branding.ParseColor(in)
		if err != nil {
			var ie *branding.InvalidError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, "color", ie.Field)
		} else {
			hex := c.Hex()
			require.Regexp(t, canonicalHex, hex)
			back, err := branding.ParseColor(hex)
			require.NoError(t, err)
			require.Equal(t, c, back)
			canon, err := branding.CanonicalColor("colors.sidebar", in)
			require.NoError(t, err)
			require.Equal(t, hex, canon)
			// Nothing that could end a declaration, a rule or a style
			// element, or start a URL, comment or escape, is accepted.
			for _, bad := range []string{";", "{", "}", "<", ">", "\\", "/", "\"", "'", "\n", "\r", "\x00", "url", "expression"} {
				require.NotContains(t, strings.ToLower(in), bad, "%q", in)
			}
		}
		requireSafeCSS(t, branding.Theme{Colors: branding.Colors{Sidebar: in}}.CSS())
		requireSafeCSS(t, branding.Theme{Colors: branding.Colors{Sidebar: in, Text: in, LinkText: in}}.CSS())
	})
}
