package tenancy

import (
	"context"
	"fmt"
	"strings"

	"github.com/tenantry/tenantry/internal/validate"
)

// MaxNameLength bounds platform, account and user names, in bytes.
const MaxNameLength = 200

// CreatePlatformParams describes a new platform.
type CreatePlatformParams struct {
	// ID is the platform's identifier; a UUIDv7 is made when empty.
	ID string
	// Name is required.
	Name string
}

// CreatePlatform adds a platform. Only a system principal may: platforms
// are provisioned by the host, not by any platform's users.
func (s *Service) CreatePlatform(ctx context.Context, p CreatePlatformParams) (Platform, error) {
	const op = "tenancy: create platform: %w"
	name, err := checkName("name", p.Name)
	if err != nil {
		return Platform{}, fmt.Errorf(op, err)
	}
	if p.ID == "" {
		p.ID = s.cfg.NewID()
	}
	if err := checkID("id", p.ID); err != nil {
		return Platform{}, fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, p.ID)
	if err != nil {
		return Platform{}, fmt.Errorf(op, err)
	}
	if !a.system() {
		return Platform{}, fmt.Errorf(op, fmt.Errorf("%w: platforms are created by the host (a system principal)", ErrForbidden))
	}
	now := s.now()
	pl := Platform{ID: p.ID, Name: name, CreatedAt: now, UpdatedAt: now}
	ev := s.event(ctx, pl.ID, "platform.create")
	ev.TargetType, ev.TargetID = "platform", pl.ID
	ev.Changes = changed("name", "", name)
	if err := s.store.InsertPlatform(ctx, pl, ev); err != nil {
		return Platform{}, fmt.Errorf(op, err)
	}
	return pl, nil
}

// Platform returns the platform with id.
func (s *Service) Platform(ctx context.Context, id string) (Platform, error) {
	if err := checkIDs("id", id); err != nil {
		return Platform{}, fmt.Errorf("tenancy: get platform: %w", err)
	}
	p, err := s.store.GetPlatform(ctx, id)
	if err != nil {
		return Platform{}, fmt.Errorf("tenancy: get platform: %w", err)
	}
	return p, nil
}

// RenamePlatform changes a platform's name. Owners and system principals
// may.
func (s *Service) RenamePlatform(ctx context.Context, platformID, name string) (Platform, error) {
	const op = "tenancy: rename platform: %w"
	if err := checkIDs("platform_id", platformID); err != nil {
		return Platform{}, fmt.Errorf(op, err)
	}
	name, err := checkName("name", name)
	if err != nil {
		return Platform{}, fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return Platform{}, fmt.Errorf(op, err)
	}
	if a.role() != RoleOwner {
		return Platform{}, fmt.Errorf(op, fmt.Errorf("%w: only owners rename the platform", ErrForbidden))
	}
	p, err := s.store.GetPlatform(ctx, platformID)
	if err != nil {
		return Platform{}, fmt.Errorf(op, err)
	}
	ev := s.event(ctx, platformID, "platform.rename")
	ev.TargetType, ev.TargetID = "platform", platformID
	ev.Changes = changed("name", p.Name, name)
	p.Name, p.UpdatedAt = name, s.now()
	if err := s.store.UpdatePlatform(ctx, p, ev); err != nil {
		return Platform{}, fmt.Errorf(op, err)
	}
	return p, nil
}

// checkName trims a display name and checks it is present, printable and
// not too long.
func checkName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", invalid(field, "is required")
	}
	if err := validate.Line(name, MaxNameLength); err != nil {
		return "", invalid(field, err.Error())
	}
	return name, nil
}

// checkID checks an identifier handed in by a caller: non-empty, short and
// made of URL-safe characters.
func checkID(field, id string) error {
	if id == "" || len(id) > 64 {
		return invalid(field, "must be 1 to 64 characters")
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return invalid(field, "may hold only letters, digits, '-' and '_'")
		}
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }
