package branding

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/image/webp"
)

// LogoImage is a checked logo, ready to store and serve: ContentType is
// one of image/png, image/jpeg, image/webp and image/svg+xml, sniffed
// from the bytes, and Data is the image (for SVG, as sanitised by
// SanitizeSVG).
type LogoImage struct {
	ContentType string
	Data        []byte
}

// DefaultMaxLogoBytes is the largest logo CheckLogo accepts when given no
// limit: 512 KiB.
const DefaultMaxLogoBytes = 512 << 10

const (
	// maxLogoSide is the largest width and height of a raster logo, in
	// pixels.
	maxLogoSide = 4096
	// maxLogoURLBytes is the longest logo link CheckLogoURL accepts.
	maxLogoURLBytes = 2048

	reasonNotAnImage = "not a PNG, JPEG, WebP or SVG image"
)

// CheckLogo checks an uploaded logo and returns it ready to store. Its
// type is sniffed from the bytes only, never from a file name or a
// client's Content-Type: PNG, JPEG and WebP are accepted when their
// header decodes to a width and a height each between 1 and 4096 pixels
// (the bytes are kept as they are); an SVG document is accepted as
// rebuilt by SanitizeSVG. max is the largest size in bytes; zero or less
// means DefaultMaxLogoBytes.
//
// Anything else (empty, too large, another format, an HTML document, an
// SVG with a DOCTYPE, script or the like that cannot be neutralised) is
// refused with an error matching ErrInvalid for the field "logo".
func CheckLogo(data []byte, max int) (LogoImage, error) {
	if max <= 0 {
		max = DefaultMaxLogoBytes
	}
	if len(data) == 0 {
		return LogoImage{}, invalid("logo", "empty")
	}
	if len(data) > max {
		return LogoImage{}, invalid("logo", fmt.Sprintf("larger than %d bytes", max))
	}
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		if len(data) < 16 || string(data[12:16]) != "IHDR" {
			return LogoImage{}, invalid("logo", "not a valid PNG image")
		}
		return checkRaster(data, "image/png", "PNG", png.DecodeConfig)
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return checkRaster(data, "image/jpeg", "JPEG", jpeg.DecodeConfig)
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return checkRaster(data, "image/webp", "WebP", webp.DecodeConfig)
	}
	out, reason, notSVG := sanitizeSVG(data)
	if notSVG {
		return LogoImage{}, invalid("logo", reasonNotAnImage)
	}
	if reason != "" {
		return LogoImage{}, invalid("logo", reason)
	}
	return LogoImage{ContentType: "image/svg+xml", Data: out}, nil
}

// checkRaster decodes the header of a raster logo and checks its size.
func checkRaster(data []byte, contentType, format string, decodeConfig func(io.Reader) (image.Config, error)) (LogoImage, error) {
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return LogoImage{}, invalid("logo", "not a valid "+format+" image ("+err.Error()+")")
	}
	if cfg.Width < 1 || cfg.Width > maxLogoSide || cfg.Height < 1 || cfg.Height > maxLogoSide {
		return LogoImage{}, invalid("logo", fmt.Sprintf(
			"width and height must be between 1 and %d pixels, not %dx%d", maxLogoSide, cfg.Width, cfg.Height))
	}
	return LogoImage{ContentType: contentType, Data: bytes.Clone(data)}, nil
}

// CheckLogoURL checks a link (where a logo leads) and returns it
// re-serialised by net/url. It must be an absolute http or https URL with
// a host (a DNS name or an IP address), without user information, of
// printable ASCII without spaces or backslashes (percent-encode the rest,
// use punycode for international domain names), at most 2048 bytes long.
// So javascript:, data:, scheme-relative (//host) and backslash tricks
// are all refused, with an error matching ErrInvalid that names field.
func CheckLogoURL(field, raw string) (string, error) {
	if raw == "" {
		return "", invalid(field, "empty")
	}
	if len(raw) > maxLogoURLBytes {
		return "", invalid(field, fmt.Sprintf("longer than %d bytes", maxLogoURLBytes))
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return "", invalid(field, "must be printable ASCII without spaces or backslashes")
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", invalid(field, "not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", invalid(field, "must be an http or https URL")
	}
	if u.Opaque != "" || u.Host == "" || !strings.HasPrefix(raw[len(u.Scheme)+1:], "//") {
		return "", invalid(field, "must be an absolute URL with a host")
	}
	if u.User != nil {
		return "", invalid(field, "must not contain user information")
	}
	if !validLinkHost(u) {
		return "", invalid(field, "has an invalid host")
	}
	out := u.String()
	if len(out) > maxLogoURLBytes {
		return "", invalid(field, fmt.Sprintf("longer than %d bytes", maxLogoURLBytes))
	}
	return out, nil
}

// validLinkHost reports whether u's host is a DNS name (letters, digits,
// '-' and '_' in non-empty labels of at most 63 bytes, an optional final
// dot) or an IP address (IPv6 in brackets, without a zone), with an
// optional port between 1 and 65535.
func validLinkHost(u *url.URL) bool {
	host := u.Hostname()
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	if strings.HasPrefix(u.Host, "[") {
		a, err := netip.ParseAddr(host)
		return err == nil && a.Is6() && a.Zone() == ""
	}
	if host == "" || len(host) > 254 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(isASCIILetter(c) || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
