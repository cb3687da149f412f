// Package validation holds the one error type every domain returns for a
// value its caller must correct (the APIs answer 400), so each surface's
// error mapper has one case for it. It imports nothing of guestgate's.
package validation

// Resources of Error: the directory object whose property was refused,
// which the Graph API names in its wording.
const (
	// ResourceUser: a property of a user (member, lifecycle).
	ResourceUser = "User"
	// ResourceInvitation: a property of an invitation request; the
	// invitation manager's answer is the bare "property: message".
	ResourceInvitation = "invitation"
)

// Error is a value a caller must correct.
type Error struct {
	// Property is the Graph property name, e.g. "userPrincipalName".
	Property string
	// Message says what is wrong with it, as a clause.
	Message string
	// Resource is the directory object the property belongs to
	// (ResourceUser, ResourceInvitation), "" for a setting.
	Resource string
	// Code names the rule that refused the value, for translations of
	// Message (the console's); Args are the values Message names, in order.
	Code string
	Args []string
	// Err, when set, is the reason (a domain's sentinel or typed error),
	// for errors.Is and errors.As.
	Err error
}

func (e *Error) Error() string { return e.Property + ": " + e.Message }

// Unwrap returns the reason.
func (e *Error) Unwrap() error { return e.Err }
