package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/tenancy"
)

func init() {
	registerPages("whitelabel")
	registerRoutes(func(s *server) {
		s.mux.HandleFunc("GET /whitelabel", s.requireBrander(s.whitelabel))
		s.mux.HandleFunc("POST /whitelabel", s.requireBrander(s.saveTheme))
		s.mux.HandleFunc("POST /whitelabel/logo", s.requireBrander(s.uploadLogo))
		s.mux.HandleFunc("POST /whitelabel/logo/remove", s.requireBrander(s.removeLogo))
		s.mux.HandleFunc("POST /whitelabel/domains", s.requireBrander(s.addDomain))
		s.mux.HandleFunc("POST /whitelabel/domains/{action}", s.requireBrander(s.domainAction))
		// The logo is public: the login and sign-up screens show it.
		s.mux.Handle("GET /logo", s.p.Branding.LogoHandler(func(*http.Request) (string, string, error) {
			return s.platformID, "", nil
		}))
	})
}

// mayBrand reports whether u may edit the white label and login methods:
// owners and admins.
func mayBrand(u tenancy.User) bool { return u.Role == tenancy.RoleOwner || u.Role == tenancy.RoleAdmin }

// requireBrander serves h to owners and admins.
func (s *server) requireBrander(h http.HandlerFunc) http.HandlerFunc {
	return s.requireRole(mayBrand, h)
}

// colorField is one colour of the theme form.
type colorField struct {
	// Name is the form field and CSS name, snake_case ("sidebar_text").
	Name, Label string
	// CSS is the name of its custom property in the preview, kebab-case.
	CSS string
	// Value is what the form holds; Effective is the colour shown (the
	// default when Value is empty or invalid), always canonical #rrggbb:
	// only it goes into the preview's style.
	Value, Effective string
	Error            string
}

// colorDefs lists the theme's colours in form order with where each lives.
var colorDefs = []struct {
	name, label string
	field       func(*branding.Colors) *string
}{
	{"sidebar", "Sidebar", func(c *branding.Colors) *string { return &c.Sidebar }},
	{"sidebar_text", "Sidebar text", func(c *branding.Colors) *string { return &c.SidebarText }},
	{"button", "Buttons", func(c *branding.Colors) *string { return &c.Button }},
	{"button_text", "Button text", func(c *branding.Colors) *string { return &c.ButtonText }},
	{"status", "Status", func(c *branding.Colors) *string { return &c.Status }},
	{"status_text", "Status text", func(c *branding.Colors) *string { return &c.StatusText }},
	{"toggle", "Toggles", func(c *branding.Colors) *string { return &c.Toggle }},
	{"toggle_text", "Toggle text", func(c *branding.Colors) *string { return &c.ToggleText }},
	{"link", "Links", func(c *branding.Colors) *string { return &c.Link }},
	{"link_text", "Text on links", func(c *branding.Colors) *string { return &c.LinkText }},
	{"background", "Background", func(c *branding.Colors) *string { return &c.Background }},
	{"text", "Text", func(c *branding.Colors) *string { return &c.Text }},
}

// domainView is one custom domain with its TXT record to publish.
type domainView struct {
	branding.Domain
	RecordName, RecordText string
}

// whitelabelView is the data of the white label page.
type whitelabelView struct {
	Colors                                             []colorField
	ProductName, SupportEmail, SenderName, LogoLinkURL string
	Version                                            int64
	// FieldErrors names the text fields refused, by form name.
	FieldErrors map[string]string
	// Issues are the contrast warnings of the colours shown.
	Issues []string
	// Previewing is true when the preview shows unsaved colours.
	Previewing bool
	HasLogo    bool
	LogoInfo   string
	Domains    []domainView
	Notice     string
	Error      string
}

// whitelabel shows the saved theme, logo and domains: GET /whitelabel.
func (s *server) whitelabel(w http.ResponseWriter, r *http.Request) {
	s.whitelabelPage(w, r, http.StatusOK, nil, whitelabelView{})
}

// whitelabelPage renders the page with t in the form (the saved theme when
// t is nil) and msg's notice, error, field errors and preview state.
func (s *server) whitelabelPage(w http.ResponseWriter, r *http.Request, status int, t *branding.Theme, msg whitelabelView) {
	ctx := r.Context()
	if t == nil {
		saved, err := s.p.Branding.Theme(ctx, s.platformID)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		t = &saved
	}
	v := msg
	v.ProductName, v.SupportEmail, v.SenderName, v.LogoLinkURL, v.Version = t.ProductName, t.SupportEmail, t.EmailSenderName, t.LogoLinkURL, t.Version
	if v.FieldErrors == nil {
		v.FieldErrors = map[string]string{}
	}
	var effective branding.Colors
	for _, d := range colorDefs {
		val := *d.field(&t.Colors)
		f := colorField{Name: d.name, Label: d.label, CSS: strings.ReplaceAll(d.name, "_", "-"), Value: val, Error: v.FieldErrors["colors."+d.name]}
		f.Effective = effectiveColor(d.field(&branding.DefaultColors), val)
		*d.field(&effective) = f.Effective
		v.Colors = append(v.Colors, f)
	}
	if v.Issues == nil {
		for _, i := range branding.CheckContrast(effective, 0) {
			v.Issues = append(v.Issues, contrastText(i))
		}
	}
	if l, err := s.p.Branding.Logo(ctx, s.platformID, ""); err == nil {
		v.HasLogo, v.LogoInfo = true, fmt.Sprintf("%s, %d bytes, updated %s", l.ContentType, len(l.Data), l.UpdatedAt.UTC().Format("2 Jan 2006 15:04 UTC"))
	} else if !errors.Is(err, branding.ErrNotFound) {
		s.internal(w, r, err)
		return
	}
	ds, err := s.p.Branding.Domains(ctx, s.platformID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for _, d := range ds {
		v.Domains = append(v.Domains, domainView{Domain: d, RecordName: branding.VerificationName(d.Host),
			RecordText: branding.VerificationRecord(d.VerificationToken)})
	}
	s.render(w, r, status, "whitelabel", "White label", v)
}

// contrastText describes a contrast issue with the form's labels.
func contrastText(i branding.ContrastIssue) string {
	return fmt.Sprintf("%s on %s: contrast %.2f:1, below %.1f:1 — hard to read.", colorLabel(i.Foreground), colorLabel(i.Background), i.Ratio, i.Min)
}

func colorLabel(name string) string {
	for _, d := range colorDefs {
		if d.name == name {
			return d.label
		}
	}
	return name
}

// themeFromForm reads the theme form. Each colour has a text input (any
// CSS colour form; empty means the default) and a colour picker (always
// #rrggbb), and the form remembers what the text held when loaded: a
// changed text wins, else a changed picker, else the text as it was.
func (s *server) themeFromForm(r *http.Request) branding.Theme {
	t := branding.Theme{PlatformID: s.platformID,
		ProductName: r.PostFormValue("product_name"), SupportEmail: r.PostFormValue("support_email"),
		EmailSenderName: r.PostFormValue("email_sender_name"), LogoLinkURL: r.PostFormValue("logo_link_url")}
	t.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	for _, d := range colorDefs {
		text := strings.TrimSpace(r.PostFormValue(d.name))
		was := strings.TrimSpace(r.PostFormValue(d.name + "_was"))
		picker := strings.ToLower(strings.TrimSpace(r.PostFormValue(d.name + "_picker")))
		v := text
		if text == was && picker != "" && picker != effectiveColor(d.field(&branding.DefaultColors), was) {
			v = picker
		}
		*d.field(&t.Colors) = v
	}
	return t
}

// effectiveColor is the colour a form value shows: its canonical form, or
// the default when it is empty or invalid.
func effectiveColor(def *string, v string) string {
	if c, err := branding.CanonicalColor("color", v); err == nil && c != "" {
		return c
	}
	return *def
}

// saveTheme previews or saves the theme form: POST /whitelabel with
// op=preview or op=save.
func (s *server) saveTheme(w http.ResponseWriter, r *http.Request) {
	t := s.themeFromForm(r)
	if r.PostFormValue("op") == "preview" {
		msg := whitelabelView{Previewing: true, FieldErrors: map[string]string{}}
		for _, d := range colorDefs {
			if _, err := branding.CanonicalColor("colors."+d.name, *d.field(&t.Colors)); err != nil {
				var ie *branding.InvalidError
				if errors.As(err, &ie) {
					msg.FieldErrors[ie.Field] = ie.Reason
				}
			}
		}
		if len(msg.FieldErrors) > 0 {
			msg.Error = "Some colours are not valid: the preview shows the default in their place."
		}
		s.whitelabelPage(w, r, http.StatusOK, &t, msg)
		return
	}
	saved, err := s.p.Branding.SetTheme(r.Context(), t)
	if err != nil {
		msg := whitelabelView{Error: brandingError(err), FieldErrors: map[string]string{}}
		var ie *branding.InvalidError
		if errors.As(err, &ie) {
			msg.FieldErrors[ie.Field] = ie.Reason
			msg.Error = "Not saved: " + fieldLabel(ie.Field) + " " + ie.Reason + "."
		}
		if errors.Is(err, branding.ErrStale) {
			// Show what is saved now; the editor re-applies their change.
			s.whitelabelPage(w, r, http.StatusConflict, nil, msg)
			return
		}
		s.whitelabelPage(w, r, brandingStatus(err), &t, msg)
		return
	}
	msg := whitelabelView{Notice: "The white label is saved."}
	for _, i := range saved.Issues {
		msg.Issues = append(msg.Issues, contrastText(i))
	}
	if len(msg.Issues) > 0 {
		msg.Notice = "The white label is saved, with contrast warnings: some text may be hard to read."
	}
	s.whitelabelPage(w, r, http.StatusOK, &saved.Theme, msg)
}

// fieldLabel names a theme field for a message.
func fieldLabel(field string) string {
	if c, ok := strings.CutPrefix(field, "colors."); ok {
		return "the colour “" + colorLabel(c) + "”"
	}
	switch field {
	case "product_name":
		return "the product name"
	case "support_email":
		return "the support email"
	case "email_sender_name":
		return "the email sender name"
	case "logo_link_url":
		return "the logo link"
	}
	return field
}

// maxLogoUpload bounds the upload request; branding checks the logo's own
// size limit.
const maxLogoUpload = 4 << 20

// uploadLogo saves the uploaded logo (checked by branding: type from the
// bytes, size, no active content): POST /whitelabel/logo, multipart.
func (s *server) uploadLogo(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLogoUpload)
	f, _, err := r.FormFile("logo")
	if err != nil {
		var tooBig *http.MaxBytesError
		msg := "Choose an image file to upload."
		if errors.As(err, &tooBig) {
			msg = "The file is too large."
		}
		s.whitelabelPage(w, r, http.StatusUnprocessableEntity, nil, whitelabelView{Error: msg})
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		s.whitelabelPage(w, r, http.StatusUnprocessableEntity, nil, whitelabelView{Error: "The file could not be read."})
		return
	}
	if _, err := s.p.Branding.SetLogo(r.Context(), s.platformID, "", data); err != nil {
		s.whitelabelPage(w, r, brandingStatus(err), nil, whitelabelView{Error: "Logo refused: " + brandingError(err)})
		return
	}
	s.whitelabelPage(w, r, http.StatusOK, nil, whitelabelView{Notice: "The logo is saved."})
}

// removeLogo removes the platform's logo: POST /whitelabel/logo/remove.
func (s *server) removeLogo(w http.ResponseWriter, r *http.Request) {
	if err := s.p.Branding.RemoveLogo(r.Context(), s.platformID, ""); err != nil {
		s.whitelabelPage(w, r, brandingStatus(err), nil, whitelabelView{Error: brandingError(err)})
		return
	}
	s.whitelabelPage(w, r, http.StatusOK, nil, whitelabelView{Notice: "The logo is removed."})
}

// addDomain claims a custom domain: POST /whitelabel/domains.
func (s *server) addDomain(w http.ResponseWriter, r *http.Request) {
	d, err := s.p.Branding.AddDomain(r.Context(), s.platformID, r.PostFormValue("host"))
	if err != nil {
		s.whitelabelPage(w, r, brandingStatus(err), nil, whitelabelView{Error: "Domain not added: " + brandingError(err)})
		return
	}
	s.whitelabelPage(w, r, http.StatusOK, nil, whitelabelView{Notice: "Added " + d.Host + ". Publish its TXT record below, then verify it."})
}

// domainAction verifies, makes primary or removes a domain: POST
// /whitelabel/domains/{verify,primary,remove} with host.
func (s *server) domainAction(w http.ResponseWriter, r *http.Request) {
	ctx, host := r.Context(), r.PostFormValue("host")
	var err error
	var notice string
	switch r.PathValue("action") {
	case "verify":
		var d branding.Domain
		if d, err = s.p.Branding.VerifyDomain(ctx, s.platformID, host); err == nil {
			notice = d.Host + " is verified."
		}
	case "primary":
		var d branding.Domain
		if d, err = s.p.Branding.MakePrimary(ctx, s.platformID, host); err == nil {
			notice = d.Host + " is now the primary domain."
		}
	case "remove":
		if err = s.p.Branding.RemoveDomain(ctx, s.platformID, host); err == nil {
			notice = "Removed " + host + "."
		}
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.whitelabelPage(w, r, brandingStatus(err), nil, whitelabelView{Error: brandingError(err)})
		return
	}
	s.whitelabelPage(w, r, http.StatusOK, nil, whitelabelView{Notice: notice})
}

// brandingError is what the white label and login methods pages say of a
// refused change.
func brandingError(err error) string {
	var ie *branding.InvalidError
	switch {
	case errors.As(err, &ie):
		return fieldLabel(ie.Field) + " " + ie.Reason + "."
	case errors.Is(err, branding.ErrNotVerified):
		return "The domain is not verified: its TXT record was not found (DNS changes can take a while to show). " + err.Error()
	case errors.Is(err, branding.ErrConflict):
		return "Already taken: " + err.Error()
	case errors.Is(err, branding.ErrStale):
		return "Someone changed this at the same time: the page shows what is saved now; apply your change again."
	case errors.Is(err, branding.ErrForbidden):
		return "Only the platform's owners and admins may change this."
	case errors.Is(err, branding.ErrNotFound):
		return "It does not exist any more."
	case errors.Is(err, branding.ErrLowContrast):
		return err.Error()
	case strings.Contains(err.Error(), "SecretKey"):
		return "The portal has no secret key to seal client secrets with (see the -secret-key flag)."
	}
	return "It could not be done (a DNS lookup or the database failed). Please try again later."
}

// brandingStatus is the HTTP status of a refused branding change.
func brandingStatus(err error) int {
	switch {
	case errors.Is(err, branding.ErrInvalid), errors.Is(err, branding.ErrLowContrast):
		return http.StatusUnprocessableEntity
	case errors.Is(err, branding.ErrConflict), errors.Is(err, branding.ErrStale), errors.Is(err, branding.ErrNotVerified):
		return http.StatusConflict
	case errors.Is(err, branding.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, branding.ErrNotFound):
		return http.StatusNotFound
	}
	return http.StatusBadGateway
}
