package branding

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// CSS renders the theme's colours as CSS custom properties on :root, one
// per line in a stable order, each named --tenantry-<area> in kebab case:
//
//	:root{
//	  --tenantry-sidebar:#1f2937;
//	  --tenantry-sidebar-text:#f9fafb;
//	  ...
//	}
//
// Every colour is written, DefaultColors standing in for empty ones. Only
// canonical "#rrggbb" values are ever written: any other value (a theme
// that skipped validation) is replaced by the default too, so the output
// is safe to serve whatever the theme holds.
func (t Theme) CSS() []byte {
	var b bytes.Buffer
	b.Grow(40 * (len(colorAreas) + 1))
	b.WriteString(":root{\n")
	for _, a := range colorAreas {
		v := *a.field(&t.Colors)
		if !isCanonicalHex(v) {
			v = *a.field(&DefaultColors)
		}
		b.WriteString("  --tenantry-")
		b.WriteString(strings.ReplaceAll(a.name, "_", "-"))
		b.WriteByte(':')
		b.WriteString(v)
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// MergeTheme returns account's theme over platform's: every non-empty
// field of account wins, colours field by field. The result has
// account's AccountID and Version, account's PlatformID (platform's when
// account has none), and the later of the two UpdatedAt.
func MergeTheme(platform, account Theme) Theme {
	m := platform
	m.AccountID = account.AccountID
	if account.PlatformID != "" {
		m.PlatformID = account.PlatformID
	}
	m.Version = account.Version
	if account.UpdatedAt.After(m.UpdatedAt) {
		m.UpdatedAt = account.UpdatedAt
	}
	for _, a := range colorAreas {
		if v := *a.field(&account.Colors); v != "" {
			*a.field(&m.Colors) = v
		}
	}
	for _, f := range []struct{ dst, src *string }{
		{&m.ProductName, &account.ProductName},
		{&m.SupportEmail, &account.SupportEmail},
		{&m.EmailSenderName, &account.EmailSenderName},
		{&m.LogoLinkURL, &account.LogoLinkURL},
	} {
		if *f.src != "" {
			*f.dst = *f.src
		}
	}
	return m
}

// StylesheetHandler serves the stylesheet of the theme load returns for
// the request (Theme.CSS), as text/css, cacheable for five minutes, with
// a strong ETag (a hash of the bytes) and 304 Not Modified for a matching
// If-None-Match. It answers GET and HEAD only (405 otherwise). A load
// error matching ErrNotFound is 404; any other is 500, its text not
// shown.
func StylesheetHandler(load func(r *http.Request) (Theme, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serveAsset(w, r, func() (asset, error) {
			t, err := load(r)
			return asset{body: t.CSS(), contentType: "text/css; charset=utf-8"}, err
		})
	})
}

// asset is a small file served with caching headers.
type asset struct {
	body        []byte
	contentType string
	// csp, when set, is the Content-Security-Policy the body is served
	// under.
	csp string
}

// serveAsset answers GET and HEAD with the asset load returns: a strong
// ETag (hash of the bytes) and 304 for a matching If-None-Match, five
// minutes of public caching, nosniff; ErrNotFound is a 404 and any other
// error a 500 that does not show it.
func serveAsset(w http.ResponseWriter, r *http.Request, load func() (asset, error)) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	a, err := load()
	if err != nil {
		h.Set("Cache-Control", "no-store")
		code := http.StatusInternalServerError
		if errors.Is(err, ErrNotFound) {
			code = http.StatusNotFound
		}
		http.Error(w, http.StatusText(code), code)
		return
	}
	sum := sha256.Sum256(a.body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=300")
	if etagMatches(r.Header.Values("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.contentType)
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	if a.csp != "" {
		h.Set("Content-Security-Policy", a.csp)
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(a.body)
	}
}

// etagMatches reports whether an If-None-Match header (its values, each a
// comma-separated list) names etag or is "*". If-None-Match compares
// weakly (RFC 9110 §13.1.2), so W/"x" matches "x".
func etagMatches(headers []string, etag string) bool {
	for _, h := range headers {
		for _, tag := range strings.Split(h, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
				return true
			}
		}
	}
	return false
}
