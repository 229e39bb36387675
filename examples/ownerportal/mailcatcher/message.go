package mailcatcher

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

// Message is one message the Catcher accepted, parsed.
type Message struct {
	// ID identifies the message (a UUIDv7 unless WithNewID says otherwise).
	ID string
	// From is the decoded From header ("Acme <noreply@acme.test>"), or the
	// envelope sender (MAIL FROM) when the header is missing.
	From string
	// To are the envelope recipients (RCPT TO): who the message was really
	// delivered to, Bcc included.
	To []string
	// Subject is the decoded Subject header (RFC 2047 encoded words).
	Subject string
	// Date is the Date header in UTC, zero when missing or unreadable.
	Date time.Time
	// Text is the first text/plain part, decoded to UTF-8 with LF line
	// endings. When the message cannot be parsed at all, it holds the raw
	// message so that a page still shows something.
	Text string
	// HTML is the first text/html part, decoded to UTF-8 with LF line
	// endings. It is the sender's HTML: escape or sandbox it before showing.
	HTML string
	// Raw is the message exactly as received after DATA.
	Raw []byte
	// ReceivedAt is when the Catcher accepted the message, UTC.
	ReceivedAt time.Time
}

// clone copies the recipients; Raw is shared (read-only by contract).
func (m Message) clone() Message {
	m.To = slices.Clone(m.To)
	return m
}

var linkRE = regexp.MustCompile("(?i)\\bhttps?://[^\\s<>\"'`]+")

// Links returns the http and https links in the text part, in order of
// appearance, each once. Punctuation that ends a sentence (a final period
// or comma, a closing bracket without its opening one) is not part of a
// link. A message without a text part is searched in its HTML instead.
func (m Message) Links() []string {
	src := m.Text
	if src == "" {
		src = htmlUnescapeAmp(m.HTML)
	}
	var out []string
	seen := map[string]bool{}
	for _, l := range linkRE.FindAllString(src, -1) {
		l = trimLink(l)
		if len(l) <= len("https://") || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out
}

// trimLink drops trailing punctuation that most likely belongs to the
// surrounding sentence.
func trimLink(l string) string {
	for l != "" {
		last := l[len(l)-1]
		switch last {
		case '.', ',', ';', ':', '!', '?':
		case ')':
			if strings.Count(l, "(") >= strings.Count(l, ")") {
				return l
			}
		case ']':
			if strings.Count(l, "[") >= strings.Count(l, "]") {
				return l
			}
		default:
			return l
		}
		l = l[:len(l)-1]
	}
	return l
}

// htmlUnescapeAmp turns the &amp; of href attributes back into &, the only
// entity an http link in HTML normally carries.
func htmlUnescapeAmp(s string) string { return strings.ReplaceAll(s, "&amp;", "&") }

// maxDepth bounds the nesting of multipart bodies that parse walks.
const maxDepth = 8

var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(input), nil
}}

// parse reads raw into a Message; it never fails, keeping what it could read.
func parse(raw []byte, envelopeFrom string, rcpts []string) Message {
	m := Message{From: envelopeFrom, To: slices.Clone(rcpts), Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		m.Text = normalize(validUTF8(raw))
		return m
	}
	h := msg.Header
	if from := decodeAddresses(h.Get("From")); from != "" {
		m.From = from
	}
	m.Subject = decodeHeader(h.Get("Subject"))
	if d, err := h.Date(); err == nil {
		m.Date = d.UTC()
	}
	walk(h, msg.Body, &m, 0)
	return m
}

func decodeHeader(v string) string {
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}

// decodeAddresses formats an address list header for display, decoding
// encoded names; an unparsable header is shown decoded as it is.
func decodeAddresses(v string) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	list, err := (&mail.AddressParser{WordDecoder: wordDecoder}).ParseList(v)
	if err != nil {
		return decodeHeader(v)
	}
	parts := make([]string, len(list))
	for i, a := range list {
		if a.Name != "" {
			parts[i] = a.Name + " <" + a.Address + ">"
		} else {
			parts[i] = a.Address
		}
	}
	return strings.Join(parts, ", ")
}

// header is what mail.Header and textproto.MIMEHeader have in common.
type header interface{ Get(key string) string }

// walk fills m.Text and m.HTML from the first text/plain and text/html
// parts of a body, descending into multipart bodies.
func walk(h header, body io.Reader, m *Message, depth int) {
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mediaType, params = "text/plain", nil // RFC 2045's default
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" || depth >= maxDepth {
			return
		}
		mr := multipart.NewReader(body, boundary)
		for {
			// NextRawPart keeps Content-Transfer-Encoding, decoded below
			// for quoted-printable and base64 alike.
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			walk(p.Header, p, m, depth+1)
		}
	}
	if disp, _, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && disp == "attachment" {
		return
	}
	var dst *string
	switch mediaType {
	case "text/plain":
		dst = &m.Text
	case "text/html":
		dst = &m.HTML
	default:
		return
	}
	if *dst != "" {
		return
	}
	data, _ := io.ReadAll(decodeTransfer(h.Get("Content-Transfer-Encoding"), body)) // keep what decoded
	*dst = normalize(toUTF8(data, params["charset"]))
}

func decodeTransfer(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	}
	return r
}

func toUTF8(data []byte, charset string) string {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return validUTF8(data)
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return validUTF8(data)
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return validUTF8(data)
	}
	return string(out)
}

func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func normalize(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
