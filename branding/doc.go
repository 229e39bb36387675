// Package branding is a platform's white label: its colour scheme and
// texts (Theme, with per-account overrides) rendered as CSS custom
// properties, its logo (type sniffed from the bytes, no active content),
// its custom domains (verified by a DNS TXT record, one made primary, a
// request's host finding its platform, the platform's default host
// redirected to the verified domain), and its login methods (email and
// password, self-registration, OAuth 2.0 / OpenID Connect providers whose
// client secrets are encrypted at rest, with the PKCE and state helpers of
// the login round trip).
//
// Stores: branding/memstore and branding/sqlstore, both passing
// branding/storetest.
package branding
