package audit

import (
	"context"
	"strings"
)

// Principal is who is acting in a context.
//
// When an operator impersonates a customer, UserID is the customer (the
// subject, whose rights apply) and ActorID the operator (the person really
// acting), as in the "act" claim of RFC 8693. Otherwise ActorID is empty.
type Principal struct {
	// PlatformID is the platform the principal belongs to. Services refuse a
	// principal of another platform.
	PlatformID string
	// UserID is the user whose rights apply. Empty for a system principal.
	UserID string
	// ActorID is the user really acting when it differs from UserID
	// (impersonation); empty otherwise.
	ActorID string
	// SessionID identifies the impersonation session, when there is one.
	SessionID string
	// System names a background job or host process acting on its own
	// authority (e.g. "retention", "billing-webhook"). Set by [System].
	System string
}

// System returns the principal of a background job or host process named
// name. It is trusted with the host's full authority: give it only to code
// the host runs itself, never to a request.
func System(name string) Principal {
	if strings.TrimSpace(name) == "" {
		name = "system"
	}
	return Principal{System: name}
}

// IsSystem reports whether p is a system principal.
func (p Principal) IsSystem() bool { return p.System != "" }

// IsImpersonating reports whether someone acts on behalf of another user.
func (p Principal) IsImpersonating() bool { return p.ActorID != "" && p.ActorID != p.UserID }

// Actor is the identifier recorded as the one who acted: the impersonator
// when impersonating, the user otherwise, or "system:NAME".
func (p Principal) Actor() string {
	switch {
	case p.IsSystem():
		return "system:" + p.System
	case p.IsImpersonating():
		return p.ActorID
	}
	return p.UserID
}

// OnBehalfOf is the impersonated user, or "" when the actor acts as itself.
func (p Principal) OnBehalfOf() string {
	if p.IsImpersonating() {
		return p.UserID
	}
	return ""
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal carried by ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok && (p.UserID != "" || p.System != "")
}
