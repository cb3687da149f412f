package directory

import "time"

// Cloud is the national cloud a tenant lives in; it changes policy defaults (R11).
type Cloud string

// Clouds.
const (
	CloudPublic Cloud = "public"
	CloudUSGov  Cloud = "usgov"
)

// Valid reports whether c is a known cloud.
func (c Cloud) Valid() bool { return c == CloudPublic || c == CloudUSGov }

// Tenant is an organization's directory.
type Tenant struct {
	ID            string // UUID
	DisplayName   string
	InitialDomain string   // e.g. fabrikam.guestgate.local; always also in Domains
	Domains       []string // verified domains, lower case, InitialDomain first
	Cloud         Cloud
	// Managed is false for tenants created by self-service (no admin).
	Managed bool
	// PreviewOptIn marks tenants that opted into the email OTP preview:
	// "default" does not auto-enable for them (DESIGN section 4).
	PreviewOptIn bool
	// NotificationLanguage is the tenant's default mail language ("" = English).
	NotificationLanguage string
	// PrivacyURL is the tenant's privacy statement, linked from the sign-in
	// consent page ("" = none). CheckPrivacyURL says which are accepted.
	PrivacyURL string
	CreatedAt  time.Time
	// SubjectSalt keys the pairwise subjects of the tenant's users at its
	// apps (oidc): random, set at creation, never changed, never shown.
	// "" for tenants from before salts; the provider fills it in.
	SubjectSalt string `json:"-"`
}

// Administered reports whether anyone may administer t's directory: open
// its admin console, read or change it with a delegated token, invite
// guests to it. Only a managed organisation's tenant is (R10, R15). An
// unmanaged tenant has no administrator until a managed tenant takes it
// over: its accounts are people who proved an address and nothing more.
// Nor has the consumers directory: personal accounts are no organisation.
func (t Tenant) Administered() bool { return t.Managed && !IsConsumers(t.ID) }
