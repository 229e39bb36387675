package invites_test

import (
	"context"
	"crypto/tls"
	b64 "encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/smtptest"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/invites/memstore"
	"github.com/tenantry/tenantry/invites/smtp"
)

// TestInvitationOverSMTP: the invitation travels over real SMTP (STARTTLS
// and AUTH to a server started on loopback), is parsed like a mail client
// would, its link's token is followed, and the invitation accepted. The
// HTML part carries the platform's name and colours.
func TestInvitationOverSMTP(t *testing.T) {
	server := smtptest.Start(t, smtptest.WithStartTLS(), smtptest.WithAuth("mailer", "s3cret"))
	host, port := server.Addr()
	mailer, err := smtp.New(smtp.Config{Host: host, Port: port, Username: "mailer", Password: "s3cret",
		TLS: smtp.StartTLS, TLSConfig: &tls.Config{RootCAs: server.CertPool()}, Timeout: 10 * time.Second})
	require.NoError(t, err)

	var granted []invites.Acceptance
	svc := invites.New(memstore.New(nil), &invites.Config{
		Mailer: invites.MailerFunc(func(ctx context.Context, m invites.Message) error { return mailer.Send(ctx, smtp.Message(m)) }),
		Branding: func(context.Context, string) (invites.Branding, error) {
			return invites.Branding{ProductName: "Nimbus Bots", PrimaryColor: "#ff6600", TextColor: "#222222",
				LogoURL: "https://cdn.nimbus.example/logo.png", SenderName: "Nimbus Bots Team", SenderAddress: "hello@nimbus.example"}, nil
		},
		LinkURL: func(_ invites.Invitation, token string) string { return "https://app.nimbus.example/invite?t=" + token },
		Grant:   func(_ context.Context, a invites.Acceptance) error { granted = append(granted, a); return nil },
	})
	owner := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p1", UserID: "owner-1"})
	_, err = svc.Create(owner, invites.CreateParams{PlatformID: "p1", Kind: invites.KindManager, Email: "Lea@Example.com",
		AccountID: "acc-1", ResourceID: "bot-42"})
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, err := server.Wait(ctx, 1)
	require.NoError(t, err)
	require.True(t, msgs[0].TLS, "sent over TLS")
	assert.Equal(t, "mailer", msgs[0].User)
	assert.Equal(t, []string{"lea@example.com"}, msgs[0].To)

	parsed, err := mail.ReadMessage(strings.NewReader(string(msgs[0].Data)))
	require.NoError(t, err)
	from, err := mail.ParseAddress(parsed.Header.Get("From"))
	require.NoError(t, err)
	assert.Equal(t, "Nimbus Bots Team", from.Name)
	assert.Equal(t, "hello@nimbus.example", from.Address)
	subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, "You are invited to Nimbus Bots", subject)
	text, html := parts(t, parsed)
	assert.Contains(t, html, "Nimbus Bots")
	assert.Contains(t, html, "#ff6600")
	assert.Contains(t, html, "#222222")
	assert.Contains(t, html, `src="https://cdn.nimbus.example/logo.png"`)

	token := regexp.MustCompile(`invite\?t=([A-Za-z0-9_-]{43})`).FindStringSubmatch(text)
	require.Len(t, token, 2, "the text part carries the link")
	_, err = svc.Accept(context.Background(), invites.AcceptParams{PlatformID: "p1", Token: token[1], UserID: "user-lea", UserEmail: "lea@example.com"})
	require.NoError(t, err)
	require.Len(t, granted, 1)
	assert.Equal(t, "bot-42", granted[0].Invitation.ResourceID)
}

// parts returns the decoded text and HTML parts of a multipart/alternative
// message.
func parts(t *testing.T, m *mail.Message) (text, html string) {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return text, html
		}
		require.NoError(t, err)
		body, err := io.ReadAll(decoded(p))
		require.NoError(t, err)
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			text = string(body)
		case "text/html":
			html = string(body)
		}
	}
}

// decoded undoes a part's transfer encoding (multipart.Reader already
// undoes quoted-printable; base64 is left to us).
func decoded(p *multipart.Part) io.Reader {
	if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
		return base64Reader(p)
	}
	return p
}

func base64Reader(r io.Reader) io.Reader { return b64.NewDecoder(b64.StdEncoding, r) }
