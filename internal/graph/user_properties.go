package graph

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
)

// Every structural property of Graph's microsoft.graph.user is known
// (testdata/user_properties.txt lists them from Graph's CSDL metadata):
// guestgate keeps it, derives it, or answers what Graph answers for a
// value never set (null, [] for a collection). The directory properties an
// admin may set beyond the ones guestgate models itself are storedProps,
// kept in directory.User.Properties.

// propKind is the JSON shape of a stored property.
type propKind int

const (
	kindString  propKind = iota
	kindBool             // Edm.Boolean
	kindStrings          // Collection(Edm.String)
	kindTime             // Edm.DateTimeOffset
	kindObject           // a complex type of nullable strings (keys)
)

// propSpec says what PATCH accepts for a stored property (Graph's limits,
// from the user resource's reference).
type propSpec struct {
	kind   propKind
	max    int      // characters of a string; items of a list (0: none)
	values []string // an enumeration, matched in any case
	keys   []string // kindObject's member names
}

// storedProps are the writable directory properties guestgate keeps as
// sent, by Graph's name.
var storedProps = map[string]propSpec{
	"ageGroup":                {kind: kindString, values: []string{"Minor", "NotAdult", "Adult"}},
	"businessPhones":          {kind: kindStrings, max: 1}, // Graph: only one number can be set
	"city":                    {kind: kindString, max: 128},
	"companyName":             {kind: kindString, max: 64},
	"consentProvidedForMinor": {kind: kindString, values: []string{"Granted", "Denied", "NotRequired"}},
	"country":                 {kind: kindString, max: 128},
	"department":              {kind: kindString, max: 64},
	"employeeHireDate":        {kind: kindTime},
	"employeeId":              {kind: kindString, max: 16},
	"employeeLeaveDateTime":   {kind: kindTime},
	"employeeOrgData":         {kind: kindObject, max: 64, keys: []string{"costCenter", "division"}},
	"employeeType":            {kind: kindString, max: 64},
	"faxNumber":               {kind: kindString, max: 64},
	"mailNickname":            {kind: kindString, max: 64},
	"mobilePhone":             {kind: kindString, max: 64},
	"officeLocation":          {kind: kindString, max: 128},
	"onPremisesExtensionAttributes": {kind: kindObject, max: 1024, keys: []string{
		"extensionAttribute1", "extensionAttribute2", "extensionAttribute3", "extensionAttribute4",
		"extensionAttribute5", "extensionAttribute6", "extensionAttribute7", "extensionAttribute8",
		"extensionAttribute9", "extensionAttribute10", "extensionAttribute11", "extensionAttribute12",
		"extensionAttribute13", "extensionAttribute14", "extensionAttribute15"}},
	"postalCode":        {kind: kindString, max: 40},
	"showInAddressList": {kind: kindBool},
	"state":             {kind: kindString, max: 128},
	"streetAddress":     {kind: kindString, max: 1024},
	"usageLocation":     {kind: kindString, max: 2},
}

// storedGet answers a stored property: its value, or Graph's answer for
// one never set.
func storedGet(name string) func(directory.User, string) any {
	spec := storedProps[name]
	return func(u directory.User, _ string) any {
		v, ok := u.Properties[name]
		switch spec.kind {
		case kindStrings:
			if l, isList := v.([]string); ok && isList {
				return l
			}
			return []string{}
		case kindObject:
			m, _ := v.(map[string]string)
			if !ok && name != "onPremisesExtensionAttributes" {
				return nil
			}
			// Members never set are null; Graph answers the extension
			// attributes as an object of nulls even when none is set.
			out := make(jsonObject, 0, len(spec.keys))
			for _, k := range spec.keys {
				var x any
				if s, set := m[k]; set {
					x = s
				}
				out = append(out, jsonMember{k, x})
			}
			return out
		}
		if !ok {
			return nil
		}
		return v
	}
}

// answerNull, answerEmpty: properties guestgate cannot have (licences,
// mailboxes, on-premises sync, SharePoint profile), answered as Graph
// answers them when unset.
func answerNull(directory.User, string) any  { return nil }
func answerEmpty(directory.User, string) any { return emptyList }

// emptyList is [] boxed once: a page with every property answers ~20 of
// them per user.
var emptyList any = []string{}

// zeroDate is Graph's answer for a non-nullable date never set (birthday,
// hireDate).
func zeroDate(directory.User, string) any { return "0001-01-01T00:00:00Z" }

// graphTimeOf is t in Graph's format, nil when zero.
func graphTimeOf(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(graphTime)
}

// signInActivityOut is Graph's signInActivity (null times for none).
func signInActivityOut(u directory.User, _ string) any {
	a := u.SignInActivity
	return jsonObject{
		{"lastSignInDateTime", graphTimeOf(a.LastSignIn)},
		{"lastSignInRequestId", nilIfEmpty(a.LastSignInRequestID)},
		{"lastNonInteractiveSignInDateTime", graphTimeOf(a.LastNonInteractiveSignIn)},
		{"lastNonInteractiveSignInRequestId", nilIfEmpty(a.LastNonInteractiveSignInRequestID)},
		{"lastSuccessfulSignInDateTime", graphTimeOf(a.LastSuccessfulSignIn)},
		{"lastSuccessfulSignInRequestId", nilIfEmpty(a.LastSuccessfulSignInRequestID)},
	}
}

// securityIdentifier is the user's Windows SID as Entra derives it from
// the object id: S-1-12-1- and the id's 16 bytes as four little-endian
// 32-bit numbers.
func securityIdentifier(u directory.User, _ string) any {
	id, err := uuid.Parse(u.ID)
	if err != nil {
		return nil
	}
	b := id[:]
	// The GUID's first three fields are little-endian in its byte form.
	g := []byte{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]}
	g = append(g, b[8:]...)
	parts := []string{"S-1-12-1"}
	for i := 0; i < 16; i += 4 {
		parts = append(parts, strconv.FormatUint(uint64(binary.LittleEndian.Uint32(g[i:i+4])), 10))
	}
	return strings.Join(parts, "-")
}

// legalAgeGroup is Graph's legalAgeGroupClassification, derived from
// ageGroup and consentProvidedForMinor (null while ageGroup is unset).
func legalAgeGroup(u directory.User, _ string) any {
	age, _ := u.Properties["ageGroup"].(string)
	consent, _ := u.Properties["consentProvidedForMinor"].(string)
	switch age {
	case "Adult":
		return "Adult"
	case "NotAdult":
		return "NotAdult"
	case "Minor":
		switch consent {
		case "Granted":
			return "MinorWithParentalConsent"
		case "Denied":
			return "MinorWithoutParentalConsent"
		case "NotRequired":
			return "MinorNoParentalConsentRequired"
		}
		return "MinorWithOutParentalConsent"
	}
	return nil
}

// signInSessionsValidFrom is when the user's sessions became valid: the
// last time access was ended, else the user's creation.
func signInSessionsValidFrom(u directory.User, _ string) any {
	if !u.TokensValidAfter.IsZero() {
		return u.TokensValidAfter.UTC().Format(graphTime)
	}
	return u.CreatedAt.UTC().Format(graphTime)
}

// moreUserProperties are the properties only $select returns that the
// first part of userProperties does not model, in Graph's (CSDL) order.
func moreUserProperties() []userProperty {
	out := []userProperty{
		{"aboutMe", false, answerNull},
		{"ageGroup", false, storedGet("ageGroup")},
		{"assignedLicenses", false, answerEmpty},
		{"assignedPlans", false, answerEmpty},
		{"authorizationInfo", false, func(directory.User, string) any {
			return jsonObject{{"certificateUserIds", []string{}}}
		}},
		{"birthday", false, zeroDate},
		{"city", false, storedGet("city")},
		{"companyName", false, storedGet("companyName")},
		{"consentProvidedForMinor", false, storedGet("consentProvidedForMinor")},
		{"country", false, storedGet("country")},
		{"customSecurityAttributes", false, answerNull},
		{"deletedDateTime", false, answerNull},
		{"department", false, storedGet("department")},
		// Graph's default limit of devices a user may enroll (5 or 1000).
		{"deviceEnrollmentLimit", false, func(directory.User, string) any { return 5 }},
		{"employeeHireDate", false, storedGet("employeeHireDate")},
		{"employeeId", false, storedGet("employeeId")},
		{"employeeLeaveDateTime", false, storedGet("employeeLeaveDateTime")},
		{"employeeOrgData", false, storedGet("employeeOrgData")},
		{"employeeType", false, storedGet("employeeType")},
		{"faxNumber", false, storedGet("faxNumber")},
		{"hireDate", false, zeroDate},
		{"identityParentId", false, answerNull},
		{"imAddresses", false, answerEmpty},
		{"interests", false, answerEmpty},
		{"isManagementRestricted", false, answerNull},
		{"isResourceAccount", false, answerNull},
		{"lastPasswordChangeDateTime", false, answerNull},
		{"legalAgeGroupClassification", false, legalAgeGroup},
		{"licenseAssignmentStates", false, answerEmpty},
		{"mailboxSettings", false, answerNull},
		{"mailNickname", false, storedGet("mailNickname")},
		{"mySite", false, answerNull},
		{"onPremisesDistinguishedName", false, answerNull},
		{"onPremisesDomainName", false, answerNull},
		{"onPremisesExtensionAttributes", false, storedGet("onPremisesExtensionAttributes")},
		{"onPremisesImmutableId", false, answerNull},
		{"onPremisesLastSyncDateTime", false, answerNull},
		{"onPremisesProvisioningErrors", false, answerEmpty},
		{"onPremisesSamAccountName", false, answerNull},
		{"onPremisesSecurityIdentifier", false, answerNull},
		{"onPremisesSyncEnabled", false, answerNull},
		{"onPremisesUserPrincipalName", false, answerNull},
		{"passwordPolicies", false, answerNull},
		{"passwordProfile", false, answerNull},
		{"pastProjects", false, answerEmpty},
		{"postalCode", false, storedGet("postalCode")},
		{"preferredDataLocation", false, answerNull},
		{"preferredName", false, answerNull},
		{"print", false, answerNull},
		{"provisionedPlans", false, answerEmpty},
		{"proxyAddresses", false, answerEmpty},
		{"responsibilities", false, answerEmpty},
		{"schools", false, answerEmpty},
		{"securityIdentifier", false, securityIdentifier},
		{"serviceProvisioningErrors", false, answerEmpty},
		{"showInAddressList", false, storedGet("showInAddressList")},
		{"signInActivity", false, signInActivityOut},
		{"signInSessionsValidFromDateTime", false, signInSessionsValidFrom},
		{"skills", false, answerEmpty},
		{"state", false, storedGet("state")},
		{"streetAddress", false, storedGet("streetAddress")},
		{"usageLocation", false, storedGet("usageLocation")},
	}
	return out
}

// permSignInActivity: Graph answers signInActivity only to callers that
// may also read the audit logs (AuditLog.Read.All besides User.Read.All).
var permSignInActivity = permAuditRead

// needsSignInActivity is whether a selection or filter names signInActivity.
func needsSignInActivity(sel []string) bool { return contains(sel, "signInActivity") }

// storedValue checks one PATCH value of a stored property against spec
// and returns it in directory.User.Properties' types (nil: clear it).
func storedValue(name string, v any) (any, error) {
	spec := storedProps[name]
	bad := fmt.Errorf("property %s: invalid value", name)
	if v == nil {
		return nil, nil
	}
	switch spec.kind {
	case kindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, bad
	case kindStrings:
		list, ok := v.([]any)
		if !ok || (spec.max > 0 && len(list) > spec.max) {
			return nil, bad
		}
		out := make([]string, 0, len(list))
		for _, x := range list {
			s, ok := x.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return nil, bad
			}
			out = append(out, strings.TrimSpace(s))
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	case kindObject:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, bad
		}
		out := map[string]string{}
		for k, x := range m {
			if k == "@odata.type" {
				continue
			}
			if !contains(spec.keys, k) {
				return nil, bad
			}
			if x == nil {
				continue
			}
			s, ok := x.(string)
			if !ok || len([]rune(s)) > spec.max {
				return nil, bad
			}
			out[k] = s
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	case kindTime:
		s, ok := v.(string)
		if !ok {
			return nil, bad
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, bad
		}
		return t.UTC().Format(graphTime), nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, bad
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if spec.max > 0 && len([]rune(s)) > spec.max {
		return nil, bad
	}
	if spec.values != nil {
		for _, c := range spec.values {
			if strings.EqualFold(c, s) {
				return c, nil
			}
		}
		return nil, bad
	}
	return s, nil
}
