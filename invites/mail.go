package invites

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	texttemplate "text/template"
)

// Message is one email to send.
type Message struct {
	// FromName and FromAddress are the platform's sender.
	FromName, FromAddress string
	To                    string
	Subject               string
	// Text and HTML are the two parts of a multipart/alternative message.
	Text string
	HTML string
}

// Mailer sends messages; invites/smtp is a real SMTP one.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// MailerFunc adapts a function to Mailer.
type MailerFunc func(ctx context.Context, m Message) error

// Send calls f.
func (f MailerFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

// Branding is how a platform's emails look; the host fills it from its
// white-label settings.
type Branding struct {
	ProductName string
	// LogoURL is shown atop the HTML part when it is an https URL.
	LogoURL string
	// PrimaryColor and TextColor are "#rgb" or "#rrggbb"; others are
	// replaced by the defaults.
	PrimaryColor string
	TextColor    string
	// SenderName and SenderAddress are the From of the emails.
	SenderName    string
	SenderAddress string
	SupportEmail  string
}

var hexColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

func (b Branding) withDefaults() Branding {
	if b.ProductName == "" {
		b.ProductName = "your workspace"
	}
	if !hexColor.MatchString(b.PrimaryColor) {
		b.PrimaryColor = "#2563eb"
	}
	if !hexColor.MatchString(b.TextColor) {
		b.TextColor = "#111827"
	}
	if len(b.LogoURL) < 9 || b.LogoURL[:8] != "https://" {
		b.LogoURL = ""
	}
	if b.SenderName == "" {
		b.SenderName = b.ProductName
	}
	return b
}

// mailData is what the templates see.
type mailData struct {
	Brand       Branding
	Link        string
	What        string
	Expires     string
	AccountName string
}

var subjectTmpl = texttemplate.Must(texttemplate.New("subject").Parse(`You are invited to {{.Brand.ProductName}}`))

var textTmpl = texttemplate.Must(texttemplate.New("text").Parse(`Hello,

You are invited to {{.What}} on {{.Brand.ProductName}}.

Accept the invitation here (the link works once, until {{.Expires}}):
{{.Link}}

Sign in or register with this email address to accept it.
{{if .Brand.SupportEmail}}Questions? Write to {{.Brand.SupportEmail}}.
{{end}}`))

var htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html><body style="font-family:sans-serif;color:{{.Brand.TextColor}}">
{{if .Brand.LogoURL}}<p><img src="{{.Brand.LogoURL}}" alt="{{.Brand.ProductName}}" style="max-height:48px"></p>{{end}}
<h1 style="font-size:20px">You are invited to {{.Brand.ProductName}}</h1>
<p>You are invited to {{.What}}.</p>
<p><a href="{{.Link}}" style="display:inline-block;padding:10px 18px;border-radius:6px;background:{{.Brand.PrimaryColor}};color:#ffffff;text-decoration:none">Accept the invitation</a></p>
<p style="font-size:12px">The link works once, until {{.Expires}}. Sign in or register with this email address to accept it.{{if .Brand.SupportEmail}} Questions? Write to <a href="mailto:{{.Brand.SupportEmail}}">{{.Brand.SupportEmail}}</a>.{{end}}</p>
</body></html>
`))

// render builds the invitation email.
func render(inv Invitation, b Branding, link string) (Message, error) {
	b = b.withDefaults()
	d := mailData{Brand: b, Link: link, What: what(inv), Expires: inv.ExpiresAt.UTC().Format("2 January 2006 15:04 UTC"), AccountName: inv.AccountName}
	var subj, text, html bytes.Buffer
	if err := subjectTmpl.Execute(&subj, d); err != nil {
		return Message{}, fmt.Errorf("render subject: %w", err)
	}
	if err := textTmpl.Execute(&text, d); err != nil {
		return Message{}, fmt.Errorf("render text: %w", err)
	}
	if err := htmlTmpl.Execute(&html, d); err != nil {
		return Message{}, fmt.Errorf("render html: %w", err)
	}
	return Message{FromName: b.SenderName, FromAddress: b.SenderAddress, To: inv.Email,
		Subject: subj.String(), Text: text.String(), HTML: html.String()}, nil
}

func what(inv Invitation) string {
	switch inv.Kind {
	case KindAccount:
		return "create your account"
	case KindTeamMember:
		return "join a team"
	case KindManager:
		return "help manage a chatbot"
	case KindStaff:
		return "join the platform team as " + inv.Role
	}
	return "join"
}
