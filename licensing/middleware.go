package licensing

import (
	"net/http"
)

// GateRequest names what a request needs: the account it serves, on which
// platform, and optionally a feature.
type GateRequest struct {
	PlatformID string
	AccountID  string
	Feature    string
}

// Middleware refuses requests for accounts the gate does not allow, before
// they reach next. find says which account a request serves; ok false
// passes the request through (it is not an account's, such as a health
// check).
//
// Refusals answer with a plain-text reason and a status the host's client
// can act on: 402 Payment Required for license problems (none, inactive,
// expired, revoked), 423 Locked for a locked account, 403 Forbidden for a
// disabled, deleted or expired-trial account or a feature that is off, and
// 503 Service Unavailable when the facts could not be read.
func (g *Gate) Middleware(find func(r *http.Request) (GateRequest, bool)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q, ok := find(r)
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			d, err := g.Check(r.Context(), q.PlatformID, q.AccountID, q.Feature)
			if err != nil {
				g.s.cfg.Logger.ErrorContext(r.Context(), "licensing: gate", "account", q.AccountID, "error", err)
				http.Error(w, "licensing check unavailable", http.StatusServiceUnavailable)
				return
			}
			if !d.Allowed {
				http.Error(w, "refused: "+string(d.Reason), StatusFor(d.Reason))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// StatusFor is the HTTP status Middleware answers a refusal with.
func StatusFor(r Reason) int {
	switch r {
	case ReasonNone:
		return http.StatusOK
	case ReasonNoLicense, ReasonLicenseInactive, ReasonLicenseExpired, ReasonLicenseRevoked:
		return http.StatusPaymentRequired
	case ReasonAccountLocked:
		return http.StatusLocked
	case ReasonLimitReached:
		return http.StatusTooManyRequests
	}
	return http.StatusForbidden
}
