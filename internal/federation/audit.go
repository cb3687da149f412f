package federation

import "github.com/guestgate/guestgate/internal/audit"

// Audit names of federation changes, as Entra logs identity provider
// changes (Core Directory, category Policy).
const (
	ActivityAdd    = "Add identity provider"
	ActivityUpdate = "Update identity provider"
	ActivityDelete = "Delete identity provider"
	// CategoryIdentityProvider is the records' category.
	CategoryIdentityProvider = "Policy"
	loggedByService          = "Core Directory"
)

// redacted stands for a secret in audit records and API answers.
const redacted = "******"

func record(f Federation, activity, op string, by audit.Actor, changes []audit.Change) audit.Record {
	return audit.Record{
		TenantID: f.TenantID, Category: CategoryIdentityProvider, Activity: activity,
		LoggedByService: loggedByService, OperationType: op, InitiatedBy: by,
		Targets:           []audit.Target{{ID: f.ID, DisplayName: f.DisplayName, Type: "IdentityProvider", Modified: changes}},
		AdditionalDetails: []audit.KeyValue{{Key: "kind", Value: string(f.Kind)}},
	}
}

// changes lists what differs between two versions; the secret only as
// "******" when it was set.
func changes(old, new Federation, secretSet bool) []audit.Change {
	s, o := new.Settings, old.Settings
	cs, _ := audit.ChangesOf(
		audit.Prop{Name: "displayName", Set: old.DisplayName != new.DisplayName, Old: old.DisplayName, New: new.DisplayName},
		audit.Prop{Name: "issuerUri", Set: old.Issuer != new.Issuer, Old: old.Issuer, New: new.Issuer},
		audit.Prop{Name: "domains", Set: !equalStrings(old.Domains, new.Domains), Old: old.Domains, New: new.Domains},
		audit.Prop{Name: "passiveSignInUri", Set: o.PassiveSignInURI != s.PassiveSignInURI, Old: o.PassiveSignInURI, New: s.PassiveSignInURI},
		audit.Prop{Name: "preferredAuthenticationProtocol", Set: o.Protocol != s.Protocol, Old: o.Protocol, New: s.Protocol},
		audit.Prop{Name: "signingCertificate", Set: !equalStrings(o.SigningCertificates, s.SigningCertificates), Old: first(o.SigningCertificates), New: first(s.SigningCertificates)},
		audit.Prop{Name: "clientId", Set: o.ClientID != s.ClientID, Old: o.ClientID, New: s.ClientID},
		audit.Prop{Name: "clientSecret", Set: secretSet, Old: redacted, New: redacted},
		audit.Prop{Name: "isAuthoritativeForDomains", Set: o.Authoritative != s.Authoritative, Old: o.Authoritative, New: s.Authoritative},
	)
	return cs
}

func first(ss []string) any {
	if len(ss) == 0 {
		return nil
	}
	return ss[0]
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
