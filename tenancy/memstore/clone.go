package memstore

import (
	"slices"
	"time"

	"github.com/tenantry/tenantry/tenancy"
)

// The clone functions copy a record's slices, so that neither the caller nor
// the store sees the other's later changes, and bring its times to UTC at
// microsecond precision, as the SQL stores keep them. Empty slices become
// nil. They serve on the way in and on the way out.

func clonePlatform(p tenancy.Platform) tenancy.Platform {
	p.CreatedAt, p.UpdatedAt = micro(p.CreatedAt), micro(p.UpdatedAt)
	return p
}

func cloneUser(u tenancy.User) tenancy.User {
	u.CreatedAt, u.UpdatedAt = micro(u.CreatedAt), micro(u.UpdatedAt)
	return u
}

func cloneAccount(a tenancy.Account) tenancy.Account {
	a.Tags = cloneStrings(a.Tags)
	a.Sites = cloneStrings(a.Sites)
	a.Onboarding.StepsDone = cloneStrings(a.Onboarding.StepsDone)
	a.TestExpiresAt = micro(a.TestExpiresAt)
	a.CreatedAt, a.UpdatedAt = micro(a.CreatedAt), micro(a.UpdatedAt)
	return a
}

func cloneMember(m tenancy.Member) tenancy.Member {
	m.Permissions = cloneStrings(m.Permissions)
	m.CreatedAt = micro(m.CreatedAt)
	return m
}

func cloneToken(t tenancy.PasswordToken) tenancy.PasswordToken {
	t.CreatedAt, t.ExpiresAt = micro(t.CreatedAt), micro(t.ExpiresAt)
	return t
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// micro returns t in UTC truncated to microseconds, with no monotonic
// reading; the zero time stays zero.
func micro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
