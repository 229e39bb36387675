package branding

import "net/http"

// logoCSP keeps a logo inert even when opened on its own: no script, no
// external fetch, only its own inline presentation (SVG fills).
const logoCSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// LogoHandler serves the logo of the platform and account that which
// names for a request (accountID "" for the platform's own logo; an
// account without one shows its platform's): its checked content type,
// nosniff, a sandboxing Content-Security-Policy, a strong ETag and five
// minutes of caching; 404 when there is none.
func (s *Service) LogoHandler(which func(r *http.Request) (platformID, accountID string, err error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serveAsset(w, r, func() (asset, error) {
			pid, aid, err := which(r)
			if err != nil {
				return asset{}, err
			}
			l, err := s.Logo(r.Context(), pid, aid)
			return asset{body: l.Data, contentType: l.ContentType, csp: logoCSP}, err
		})
	})
}
