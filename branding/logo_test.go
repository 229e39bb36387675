package branding_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"

	"github.com/tenantry/tenantry/branding"
)

const notAnImage = "not a PNG, JPEG, WebP or SVG image"

// Known-good 1x1 WebP files: lossy (VP8), lossless (VP8L) and extended
// with alpha (VP8X + ALPH + VP8).
var (
	webpLossy = []byte{
		0x52, 0x49, 0x46, 0x46, 0x22, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x20,
		0x16, 0x00, 0x00, 0x00, 0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, 0x01, 0x00, 0x01, 0x00, 0x0e, 0xc0,
		0xfe, 0x25, 0xa4, 0x00, 0x03, 0x70, 0x00, 0x00, 0x00, 0x00,
	}
	webpLossless = []byte{
		0x52, 0x49, 0x46, 0x46, 0x1a, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c,
		0x0d, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe,
		0x07, 0x00,
	}
	webpAlpha = []byte{
		0x52, 0x49, 0x46, 0x46, 0x4a, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x58,
		0x0a, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x41, 0x4c,
		0x50, 0x48, 0x0c, 0x00, 0x00, 0x00, 0x11, 0x07, 0x10, 0x11, 0xfd, 0x0f, 0x44, 0x44, 0xff, 0x03,
		0x00, 0x00, 0x56, 0x50, 0x38, 0x20, 0x18, 0x00, 0x00, 0x00, 0x14, 0x01, 0x00, 0x9d, 0x01, 0x2a,
		0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0xfe, 0x00, 0x00, 0x0d, 0xc0, 0x00, 0xfe, 0xe6, 0xb5, 0x00,
		0x00, 0x00,
	}
)

func makePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.NRGBA{R: 200, A: 255})
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

func makeJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil))
	return b.Bytes()
}

func makeGIF(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	img := image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.Black, color.White})
	require.NoError(t, gif.Encode(&b, img, nil))
	return b.Bytes()
}

// webpHeader builds a lossless WebP whose VP8L header says w x h; only its
// header is valid, which is all that DecodeConfig reads.
func webpHeader(w, h int) []byte {
	bits := uint32(w-1) | uint32(h-1)<<14
	chunk := []byte{0x2f, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(chunk[1:], bits)
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(4+8+len(chunk)))
	b.WriteString("WEBPVP8L")
	_ = binary.Write(&b, binary.LittleEndian, uint32(5))
	b.Write(chunk)
	return b.Bytes()
}

// requireInvalid checks that err matches ErrInvalid for field and that
// its reason contains want.
func requireInvalid(t testing.TB, err error, field, want string) {
	t.Helper()
	require.ErrorIs(t, err, branding.ErrInvalid)
	var ie *branding.InvalidError
	require.True(t, errors.As(err, &ie), "%v", err)
	require.Equal(t, field, ie.Field)
	require.Contains(t, ie.Reason, want)
}

func TestWebPFixturesDecode(t *testing.T) {
	for _, b := range [][]byte{webpLossy, webpLossless, webpAlpha} {
		m, err := webp.Decode(bytes.NewReader(b))
		require.NoError(t, err)
		require.Equal(t, image.Rect(0, 0, 1, 1), m.Bounds())
	}
}

func TestCheckLogoRaster(t *testing.T) {
	pngWithHTML := append(makePNG(t, 3, 2), "<html><script>alert(1)</script></html>"...)
	tests := []struct {
		name string
		data []byte
		want string // content type, or "" for refused
		err  string // reason when refused
	}{
		{"png", makePNG(t, 3, 2), "image/png", ""},
		{"png 1x1", makePNG(t, 1, 1), "image/png", ""},
		{"png widest", makePNG(t, 4096, 1), "image/png", ""},
		{"png tallest", makePNG(t, 1, 4096), "image/png", ""},
		{"png too wide", makePNG(t, 4097, 1), "", "between 1 and 4096 pixels, not 4097x1"},
		{"png too tall", makePNG(t, 1, 4097), "", "between 1 and 4096 pixels, not 1x4097"},
		{"png followed by html", pngWithHTML, "image/png", ""},
		{"png without IHDR", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIEND"), make([]byte, 20)...), "", "not a valid PNG image"},
		{"png bad checksum", func() []byte {
			b := makePNG(t, 2, 2)
			b[29] ^= 0xff
			return b
		}(), "", "not a valid PNG image"},
		{"png signature only", []byte("\x89PNG\r\n\x1a\n"), "", "not a valid PNG image"},
		{"jpeg", makeJPEG(t, 16, 8), "image/jpeg", ""},
		{"jpeg too wide", makeJPEG(t, 4097, 1), "", "not 4097x1"},
		{"jpeg truncated", makeJPEG(t, 16, 8)[:4], "", "not a valid JPEG image"},
		{"webp lossy", webpLossy, "image/webp", ""},
		{"webp lossless", webpLossless, "image/webp", ""},
		{"webp alpha", webpAlpha, "image/webp", ""},
		{"webp header 4096", webpHeader(4096, 4096), "image/webp", ""},
		{"webp too large", webpHeader(5000, 20), "", "not 5000x20"},
		{"webp truncated", webpLossy[:20], "", "not a valid WebP image"},
		{"webp unknown chunk", []byte("RIFF\x0c\x00\x00\x00WEBPABCD\x00\x00\x00\x00"), "", "not a valid WebP image"},
		{"gif", makeGIF(t), "", notAnImage},
		{"pdf", []byte("%PDF-1.7\n1 0 obj <<>> endobj\n"), "", notAnImage},
		{"html", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), "", notAnImage},
		{"html without doctype", []byte("<html><body><svg xmlns=\"http://www.w3.org/2000/svg\"/></body></html>"), "", notAnImage},
		{"xhtml", []byte(`<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>`), "", notAnImage},
		{"text", []byte("hello"), "", notAnImage},
		{"binary", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "", notAnImage},
		{"svg without namespace", []byte(`<svg><rect width="1" height="1"/></svg>`), "", notAnImage},
		{"upper-case svg", []byte(`<SVG xmlns="http://www.w3.org/2000/svg"/>`), "", notAnImage},
		{"svg in another namespace", []byte(`<svg xmlns="http://www.w3.org/1999/xhtml"/>`), "", notAnImage},
		{"svgz", []byte{0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00}, "", notAnImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := branding.CheckLogo(tt.data, 0)
			if tt.want == "" {
				requireInvalid(t, err, "logo", tt.err)
				require.Equal(t, branding.LogoImage{}, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got.ContentType)
			require.Equal(t, tt.data, got.Data, "raster bytes are kept as they are")
		})
	}
}

func TestCheckLogoCopiesData(t *testing.T) {
	data := makePNG(t, 2, 2)
	got, err := branding.CheckLogo(data, 0)
	require.NoError(t, err)
	data[len(data)-1] ^= 0xff
	require.NotEqual(t, data, got.Data)
}

func TestCheckLogoSize(t *testing.T) {
	_, err := branding.CheckLogo(nil, 0)
	requireInvalid(t, err, "logo", "empty")
	_, err = branding.CheckLogo([]byte{}, 100)
	requireInvalid(t, err, "logo", "empty")

	small := makePNG(t, 2, 2)
	_, err = branding.CheckLogo(small, len(small))
	require.NoError(t, err)
	_, err = branding.CheckLogo(small, len(small)-1)
	requireInvalid(t, err, "logo", "larger than "+strconv.Itoa(len(small)-1)+" bytes")

	// Zero or less means DefaultMaxLogoBytes; trailing bytes after a PNG
	// are not read, so padding makes a file of any size.
	atLimit := append(makePNG(t, 2, 2), make([]byte, branding.DefaultMaxLogoBytes)...)[:branding.DefaultMaxLogoBytes]
	for _, max := range []int{0, -1} {
		_, err = branding.CheckLogo(atLimit, max)
		require.NoError(t, err)
		_, err = branding.CheckLogo(append(atLimit, 0), max)
		requireInvalid(t, err, "logo", "larger than 524288 bytes")
	}
	require.Equal(t, 512*1024, branding.DefaultMaxLogoBytes)

	// The limit applies to SVG before sanitising.
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>`)
	_, err = branding.CheckLogo(svg, len(svg)-1)
	requireInvalid(t, err, "logo", "larger than")
}

func TestCheckLogoSVG(t *testing.T) {
	in := `<?xml version="1.0" encoding="UTF-8"?>
<!-- made by hand -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">
  <script>alert(1)</script>
  <rect width="10" height="10" fill="#336699"/>
</svg>
`
	got, err := branding.CheckLogo([]byte(in), 0)
	require.NoError(t, err)
	require.Equal(t, "image/svg+xml", got.ContentType)
	require.Equal(t, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#336699"/></svg>`, string(got.Data))

	// SVG-specific refusals keep their own reason.
	_, err = branding.CheckLogo([]byte(`<!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg"/>`), 0)
	requireInvalid(t, err, "logo", "DOCTYPE")
	_, err = branding.CheckLogo([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><g></svg>`), 0)
	requireInvalid(t, err, "logo", "malformed SVG")
}

func TestCheckLogoURL(t *testing.T) {
	valid := []struct{ in, want string }{
		{"https://acme.example", "https://acme.example"},
		{"https://acme.example/", "https://acme.example/"},
		{"http://acme.example/home?x=1&y=2#top", "http://acme.example/home?x=1&y=2#top"},
		{"HTTPS://Acme.Example/Path", "https://Acme.Example/Path"},
		{"https://acme.example:8443/a%20b", "https://acme.example:8443/a%20b"},
		{"https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"},
		{"https://192.0.2.1/", "https://192.0.2.1/"},
		{"https://[2001:db8::1]:443/", "https://[2001:db8::1]:443/"},
		{"https://acme.example./", "https://acme.example./"},
		{"https://acme.example/" + strings.Repeat("a", 2048-len("https://acme.example/")), "https://acme.example/" + strings.Repeat("a", 2048-len("https://acme.example/"))},
	}
	for _, tt := range valid {
		got, err := branding.CheckLogoURL("logo_link_url", tt.in)
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got)
		again, err := branding.CheckLogoURL("logo_link_url", got)
		require.NoError(t, err)
		require.Equal(t, got, again)
	}
	invalid := []struct{ in, reason string }{
		{"", "empty"},
		{"javascript:alert(1)", "http or https"},
		{"JavaScript:alert(1)", "http or https"},
		{"javascript://acme.example/%0aalert(1)", "http or https"},
		{"data:text/html,<script>alert(1)</script>", "http or https"},
		{"data:text/html;base64,PHNjcmlwdD4=", "http or https"},
		{"vbscript:msgbox(1)", "http or https"},
		{"ftp://acme.example/", "http or https"},
		{"file:///etc/passwd", "http or https"},
		{"//evil.example", "http or https"},
		{`\\evil.example`, "backslashes"},
		{`https:\\evil.example`, "backslashes"},
		{`https:/\evil.example`, "backslashes"},
		{`https://evil.example\@acme.example`, "backslashes"},
		{"http:/x", "absolute URL with a host"},
		{"http:x", "absolute URL with a host"},
		{"https:evil.example", "absolute URL with a host"},
		{"http:///evil.example", "absolute URL with a host"},
		{"https://", "absolute URL with a host"},
		{"https://user:pass@acme.example/", "user information"},
		{"https://acme.example@evil.example/", "user information"},
		{" https://acme.example", "printable ASCII"},
		{"https://acme.example/a b", "printable ASCII"},
		{"https://acme.example/\x00", "printable ASCII"},
		{"https://acme.example/\t", "printable ASCII"},
		{"https://acme.example/\x7f", "printable ASCII"},
		{"https://acme.example/\u00e9", "printable ASCII"},
		{"https://acme.example/\u202e", "printable ASCII"},
		{"https://bücher.example/", "printable ASCII"},
		{"/relative/path", "http or https"},
		{"acme.example", "http or https"},
		{"https://acme..example/", "invalid host"},
		{"https://acme.example:0/", "invalid host"},
		{"https://acme.example:99999/", "invalid host"},
		{"https://acme.example:/", "invalid host"},
		{"https://:443/", "invalid host"},
		{"https://[fe80::1%25eth0]/", "invalid host"},
		{"https://evil%2eexample/", ""},
		{"https://acme.example/%zz", "not a valid URL"},
		{"https://acme.example/" + strings.Repeat("a", 2048), "longer than 2048 bytes"},
	}
	for _, tt := range invalid {
		got, err := branding.CheckLogoURL("logo_link_url", tt.in)
		require.Error(t, err, "%q gave %q", tt.in, got)
		requireInvalid(t, err, "logo_link_url", tt.reason)
		require.Empty(t, got)
	}
}

func FuzzCheckLogoURL(f *testing.F) {
	for _, s := range []string{
		"https://acme.example/home?x=1#top", "http://192.0.2.1:8080/", "https://[2001:db8::1]/",
		"javascript:alert(1)", "data:text/html,x", "vbscript:x", "//evil.example", `\\evil.example`,
		`https:\\evil`, "http:/x", "https://u:p@h/", "https://h:99999/", "HTTPS://H/%41", "https://h/#%zz",
		"https://h/?q=<script>", "https://h./a/../b", "http://h/\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := branding.CheckLogoURL("u", raw)
		if err != nil {
			require.ErrorIs(t, err, branding.ErrInvalid)
			require.Empty(t, got)
			return
		}
		require.LessOrEqual(t, len(got), 2048)
		require.NotContains(t, got, `\`)
		for _, c := range []byte(got) {
			require.True(t, c > ' ' && c < 0x7f, "%q", got)
		}
		u, err := url.Parse(got)
		require.NoError(t, err)
		require.Contains(t, []string{"http", "https"}, u.Scheme)
		require.NotEmpty(t, u.Hostname())
		require.Nil(t, u.User)
		again, err := branding.CheckLogoURL("u", got)
		require.NoError(t, err)
		require.Equal(t, got, again, "idempotent")
	})
}
