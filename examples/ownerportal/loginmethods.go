package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/branding"
)

func init() {
	registerPages("loginmethods")
	registerRoutes(func(s *server) {
		s.mux.HandleFunc("GET /login-methods", s.requireBrander(s.loginMethods))
		s.mux.HandleFunc("POST /login-methods/settings", s.requireBrander(s.saveLoginSettings))
		s.mux.HandleFunc("POST /login-methods/providers", s.requireBrander(s.addProvider))
		s.mux.HandleFunc("POST /login-methods/providers/{id}", s.requireBrander(s.updateProvider))
		s.mux.HandleFunc("POST /login-methods/providers/{id}/{action}", s.requireBrander(s.providerAction))
	})
}

// providerForm is the add or edit form of a provider. It never holds the
// client secret: the input is always blank, and blank keeps the stored one.
type providerForm struct {
	ID, Name, ClientID, AuthURL, TokenURL, UserInfoURL, IssuerURL, Scopes string
	Enabled                                                               bool
	Version                                                               int64
}

// loginMethodsView is the data of the login methods page.
type loginMethodsView struct {
	Settings  branding.LoginSettings
	Providers []branding.Provider
	// Add is the add form; Edit is the provider being edited, if any.
	Add           providerForm
	Edit          *providerForm
	Notice, Error string
}

// loginMethods shows the login settings and providers: GET
// /login-methods?edit={id}.
func (s *server) loginMethods(w http.ResponseWriter, r *http.Request) {
	s.loginMethodsPage(w, r, http.StatusOK, loginMethodsView{Add: providerForm{Enabled: true, Scopes: "openid email profile"}})
}

func (s *server) loginMethodsPage(w http.ResponseWriter, r *http.Request, status int, v loginMethodsView) {
	ctx := r.Context()
	var err error
	if v.Settings, err = s.p.Branding.LoginSettings(ctx, s.platformID); err != nil {
		s.internal(w, r, err)
		return
	}
	if v.Providers, err = s.p.Branding.Providers(ctx, s.platformID); err != nil {
		s.internal(w, r, err)
		return
	}
	if id := r.URL.Query().Get("edit"); id != "" && v.Edit == nil {
		for _, p := range v.Providers {
			if p.ID == id {
				f := providerFormOf(p)
				v.Edit = &f
			}
		}
		if v.Edit == nil {
			v.Error = "There is no such provider any more."
			status = http.StatusNotFound
		}
	}
	s.render(w, r, status, "loginmethods", "Login methods", v)
}

// providerFormOf fills a provider's edit form (without its secret).
func providerFormOf(p branding.Provider) providerForm {
	return providerForm{ID: p.ID, Name: p.Name, ClientID: p.ClientID, AuthURL: p.AuthURL, TokenURL: p.TokenURL,
		UserInfoURL: p.UserInfoURL, IssuerURL: p.IssuerURL, Scopes: strings.Join(p.Scopes, " "), Enabled: p.Enabled, Version: p.Version}
}

// providerFromForm reads a provider form; the secret is returned apart,
// never put back in a form.
func providerFromForm(r *http.Request) (providerForm, string) {
	f := providerForm{Name: strings.TrimSpace(r.PostFormValue("name")), ClientID: strings.TrimSpace(r.PostFormValue("client_id")),
		AuthURL: strings.TrimSpace(r.PostFormValue("auth_url")), TokenURL: strings.TrimSpace(r.PostFormValue("token_url")),
		UserInfoURL: strings.TrimSpace(r.PostFormValue("userinfo_url")), IssuerURL: strings.TrimSpace(r.PostFormValue("issuer_url")),
		Scopes: strings.Join(strings.Fields(r.PostFormValue("scopes")), " "), Enabled: r.PostFormValue("enabled") == "1"}
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return f, r.PostFormValue("client_secret")
}

func (s *server) providerOf(f providerForm, secret string) branding.Provider {
	return branding.Provider{PlatformID: s.platformID, ID: f.ID, Name: f.Name, ClientID: f.ClientID, ClientSecret: secret,
		AuthURL: f.AuthURL, TokenURL: f.TokenURL, UserInfoURL: f.UserInfoURL, IssuerURL: f.IssuerURL,
		Scopes: strings.Fields(f.Scopes), Enabled: f.Enabled, Version: f.Version}
}

// saveLoginSettings turns password login and self-registration on or off:
// POST /login-methods/settings.
func (s *server) saveLoginSettings(w http.ResponseWriter, r *http.Request) {
	ls := branding.LoginSettings{PlatformID: s.platformID, Password: r.PostFormValue("password") == "1",
		SelfRegistration: r.PostFormValue("self_registration") == "1"}
	ls.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if _, err := s.p.Branding.SetLoginSettings(r.Context(), ls); err != nil {
		msg := brandingError(err)
		var ie *branding.InvalidError
		if errors.As(err, &ie) && ie.Field == "password" {
			msg = "Password login stays on: turning it off would leave no way to log in. Add and enable a login provider first."
		}
		s.loginMethodsPage(w, r, brandingStatus(err), loginMethodsView{Error: msg, Add: providerForm{Enabled: true}})
		return
	}
	s.loginMethodsPage(w, r, http.StatusOK, loginMethodsView{Notice: "The login settings are saved.", Add: providerForm{Enabled: true}})
}

// addProvider adds an OAuth 2.0 / OpenID Connect provider: POST
// /login-methods/providers.
func (s *server) addProvider(w http.ResponseWriter, r *http.Request) {
	f, secret := providerFromForm(r)
	p, err := s.p.Branding.AddProvider(r.Context(), s.providerOf(f, secret))
	if err != nil {
		s.loginMethodsPage(w, r, brandingStatus(err), loginMethodsView{Add: f, Error: "Provider not added: " + providerError(err)})
		return
	}
	s.loginMethodsPage(w, r, http.StatusOK, loginMethodsView{Add: providerForm{Enabled: true}, Notice: "Added the provider " + p.Name + "."})
}

// updateProvider saves a provider's edit form; a blank secret keeps the
// stored one: POST /login-methods/providers/{id}.
func (s *server) updateProvider(w http.ResponseWriter, r *http.Request) {
	f, secret := providerFromForm(r)
	f.ID = r.PathValue("id")
	p, err := s.p.Branding.UpdateProvider(r.Context(), s.providerOf(f, secret))
	if err != nil {
		s.loginMethodsPage(w, r, brandingStatus(err), loginMethodsView{Add: providerForm{Enabled: true}, Edit: &f, Error: "Not saved: " + providerError(err)})
		return
	}
	s.loginMethodsPage(w, r, http.StatusOK, loginMethodsView{Add: providerForm{Enabled: true}, Notice: "Saved the provider " + p.Name + "."})
}

// providerAction enables, disables or removes a provider: POST
// /login-methods/providers/{id}/{enable,disable,remove}.
func (s *server) providerAction(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.PathValue("id")
	ps, err := s.p.Branding.Providers(ctx, s.platformID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var cur *branding.Provider
	for i := range ps {
		if ps[i].ID == id {
			cur = &ps[i]
		}
	}
	if cur == nil {
		s.loginMethodsPage(w, r, http.StatusNotFound, loginMethodsView{Add: providerForm{Enabled: true}, Error: "There is no such provider any more."})
		return
	}
	var notice string
	switch action := r.PathValue("action"); action {
	case "enable", "disable":
		p := *cur // no secret: UpdateProvider keeps the stored one
		p.Enabled = action == "enable"
		if _, err = s.p.Branding.UpdateProvider(ctx, p); err == nil {
			notice = fmt.Sprintf("%s is %sd.", p.Name, action)
		}
	case "remove":
		if err = s.refuseLastWayIn(r, *cur); err == nil {
			if err = s.p.Branding.RemoveProvider(ctx, s.platformID, id); err == nil {
				notice = "Removed the provider " + cur.Name + "."
			}
		}
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.loginMethodsPage(w, r, brandingStatus(err), loginMethodsView{Add: providerForm{Enabled: true}, Error: providerError(err)})
		return
	}
	s.loginMethodsPage(w, r, http.StatusOK, loginMethodsView{Add: providerForm{Enabled: true}, Notice: notice})
}

// errLastWayIn refuses to disable or remove the last enabled provider of
// a platform whose password login is off.
var errLastWayIn = fmt.Errorf("%w: password login is off and this is the last enabled provider: nobody could log in. Turn password login on first", branding.ErrConflict)

// refuseLastWayIn keeps a platform with password login off from losing
// its last enabled provider.
func (s *server) refuseLastWayIn(r *http.Request, p branding.Provider) error {
	if !p.Enabled {
		return nil
	}
	ls, err := s.p.Branding.LoginSettings(r.Context(), s.platformID)
	if err != nil || ls.Password {
		return err
	}
	ps, err := s.p.Branding.Providers(r.Context(), s.platformID)
	if err != nil {
		return err
	}
	for _, o := range ps {
		if o.Enabled && o.ID != p.ID {
			return nil
		}
	}
	return errLastWayIn
}

// providerError names the provider field refused.
func providerError(err error) string {
	var ie *branding.InvalidError
	if errors.As(err, &ie) {
		field := strings.ReplaceAll(strings.TrimPrefix(ie.Field, "provider."), "_", " ")
		return field + " " + ie.Reason + "."
	}
	if errors.Is(err, errLastWayIn) {
		return "Password login is off and this is the last enabled provider: nobody could log in. Turn password login on first."
	}
	return brandingError(err)
}

// loadSecretKey reads the 32-byte key that seals the login providers'
// client secrets (hex in the file), creating it with a random key (mode
// 0600) on first use. Keep it apart from the database: without it the
// secrets cannot be read.
func loadSecretKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) { // created meanwhile by another start
			return loadSecretKey(path)
		}
		if err != nil {
			return nil, fmt.Errorf("secret key: %w", err)
		}
		if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("secret key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("secret key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("secret key %s: want 64 hex digits (32 bytes)", path)
	}
	return key, nil
}
