package collab

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/validation"
)

// AllowInvitesFrom is Graph's allowInvitesFrom.
type AllowInvitesFrom string

// The values of allowInvitesFrom, least to most open.
const (
	InvitesNone                  AllowInvitesFrom = "none"
	InvitesAdminsAndGuestInviter AllowInvitesFrom = "adminsAndGuestInviters"
	InvitesAdminsInvitersMembers AllowInvitesFrom = "adminsGuestInvitersAndAllMembers"
	InvitesEveryone              AllowInvitesFrom = "everyone"
)

// AllInvitesFrom lists the values in the console's order (most open first).
var AllInvitesFrom = []AllowInvitesFrom{InvitesEveryone, InvitesAdminsInvitersMembers, InvitesAdminsAndGuestInviter, InvitesNone}

// DomainMode says how Domains restrict invitations.
type DomainMode string

const (
	// DomainsAny: invitations may go to any domain (Domains is empty).
	DomainsAny DomainMode = "any"
	// DomainsAllow: only to the listed domains.
	DomainsAllow DomainMode = "allow"
	// DomainsDeny: to any domain but the listed ones.
	DomainsDeny DomainMode = "deny"
)

// Guest access levels (Graph's guestUserRoleId).
const (
	GuestRoleSameAsMembers = "a0b1b346-4d3e-4e8b-98f8-753987be4970"
	GuestRoleLimited       = "10dae51f-b6af-4016-8d66-8c2a99b929b3"
	GuestRoleRestricted    = "2af84b1e-32c8-42b7-82bc-daa82404023b"
)

// GuestRoles lists the guest access levels, most to least access.
var GuestRoles = []string{GuestRoleSameAsMembers, GuestRoleLimited, GuestRoleRestricted}

// Settings are a tenant's external collaboration settings.
type Settings struct {
	TenantID         string
	AllowInvitesFrom AllowInvitesFrom
	GuestUserRoleID  string
	DomainMode       DomainMode
	// Domains are lower-case domain names, sorted, without duplicates.
	Domains   []string
	UpdatedAt time.Time
}

// Default is a tenant's settings before any change: anyone may invite
// (Entra's default outside the US Government cloud, where only admins
// and Guest Inviters may), to any domain; guests have limited access.
func Default(t directory.Tenant) Settings {
	from := InvitesEveryone
	if t.Cloud == directory.CloudUSGov {
		from = InvitesAdminsAndGuestInviter
	}
	return Settings{TenantID: t.ID, AllowInvitesFrom: from, GuestUserRoleID: GuestRoleLimited, DomainMode: DomainsAny}
}

// ErrInvalid is a setting value guestgate does not accept; the message says which.
var ErrInvalid = errors.New("invalid external collaboration setting")

// ValidationError names the property a change got wrong; its reason is
// ErrInvalid.
type ValidationError = validation.Error

// invalid is the ValidationError of property prop.
func invalid(prop, msg string) *ValidationError {
	return &ValidationError{Property: prop, Message: msg, Err: ErrInvalid}
}

// Validate checks s and normalizes its domains.
func (s Settings) Validate() (Settings, error) {
	if !slices.Contains(AllInvitesFrom, s.AllowInvitesFrom) {
		return s, invalid("allowInvitesFrom", fmt.Sprintf("%q is not one of none, adminsAndGuestInviters, adminsGuestInvitersAndAllMembers, everyone", s.AllowInvitesFrom))
	}
	if !slices.Contains(GuestRoles, s.GuestUserRoleID) {
		return s, invalid("guestUserRoleId", fmt.Sprintf("%q is not a guest access level", s.GuestUserRoleID))
	}
	var ds []string
	for _, d := range s.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if strings.ContainsAny(d, "@ /\\") || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
			return s, invalid("domains", fmt.Sprintf("%q is not a domain name", d))
		}
		if !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	slices.Sort(ds)
	s.Domains = ds
	switch s.DomainMode {
	case DomainsAny:
		if len(ds) > 0 {
			return s, invalid("domains", "a list of domains needs an allow or deny mode")
		}
	case DomainsAllow:
		if len(ds) == 0 {
			return s, invalid("domains", "an allow list needs at least one domain")
		}
	case DomainsDeny:
		if len(ds) == 0 {
			return s, invalid("domains", "a deny list needs at least one domain")
		}
	default:
		return s, invalid("domainMode", fmt.Sprintf("%q is not any, allow or deny", s.DomainMode))
	}
	return s, nil
}

// DomainError is an invitation refused by the collaboration restrictions.
type DomainError struct{ Domain string }

func (e *DomainError) Error() string {
	return fmt.Sprintf("Invitations to %s are blocked by this organization's collaboration restrictions (external collaboration settings).", e.Domain)
}

// CheckDomain refuses an invitation of address that the settings' domain
// list does not allow: a domain on the deny list, or off the allow list.
// Subdomains of a listed domain count as listed.
func (s Settings) CheckDomain(address string) error {
	at := strings.LastIndexByte(address, '@')
	domain := strings.ToLower(address[at+1:])
	listed := false
	for _, d := range s.Domains {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			listed = true
			break
		}
	}
	if (s.DomainMode == DomainsDeny && listed) || (s.DomainMode == DomainsAllow && !listed) {
		return &DomainError{Domain: domain}
	}
	return nil
}

// MayInvite reports whether a user with the roles (template ids) and type
// may invite guests under the settings: admins (Global and User
// Administrators) and Guest Inviters unless invitations are off; members
// without such a role when all members may; guests only when everyone may.
func (s Settings) MayInvite(roleIDs []string, userType directory.UserType) bool {
	switch {
	case s.AllowInvitesFrom == InvitesNone:
		return false
	case userType == directory.UserTypeMember && roles.Allows(roleIDs, roles.UserInviteAll):
		return true
	case userType == directory.UserTypeMember:
		return s.AllowInvitesFrom == InvitesAdminsInvitersMembers || s.AllowInvitesFrom == InvitesEveryone
	default:
		return s.AllowInvitesFrom == InvitesEveryone
	}
}
