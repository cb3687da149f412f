package graph

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/lifecycle"
)

// graphUserProperties reads testdata/user_properties.txt: Graph's v1.0
// user properties and their CSDL types, from Graph's metadata.
func graphUserProperties(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/user_properties.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, typ, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		out[name] = typ
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 80 {
		t.Fatalf("only %d properties read", len(out))
	}
	return out
}

// TestEveryUserPropertyIsKnown (issue 22, item 1): every property of
// Graph's microsoft.graph.user can be $selected, and is answered either
// from what guestgate keeps or as Graph answers an unset value (null, []
// for a collection); guestgate answers no property Graph does not have.
func TestEveryUserPropertyIsKnown(t *testing.T) {
	props := graphUserProperties(t)
	u := directory.User{TenantID: "tid", ID: "00000000-0000-0000-0000-000000000001", UserType: directory.UserTypeGuest,
		DisplayName: "Teri", Mail: "teri@fabrikam.example", UserPrincipalName: "teri_fabrikam.example#EXT#@contoso.example",
		CreatedAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	seen := map[string]bool{}
	for _, p := range userProperties {
		if seen[p.name] {
			t.Errorf("%s answered twice", p.name)
		}
		seen[p.name] = true
		if _, ok := props[p.name]; !ok {
			t.Errorf("%s is not a property of Graph's user", p.name)
		}
	}
	for name, typ := range props {
		sel, err := userSelect([]string{name})
		if err != nil {
			t.Errorf("$select=%s: %v", name, err)
			continue
		}
		obj := userObject(u, "contoso.example", sel, "")
		if len(obj) != 1 || obj[0].name != name {
			t.Errorf("$select=%s answers %v", name, obj)
			continue
		}
		b, err := json.Marshal(obj[0].value)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		_, stored := storedProps[name]
		switch {
		case stored && strings.HasPrefix(typ, "Collection("):
			if string(b) != "[]" {
				t.Errorf("unset %s = %s, want []", name, b)
			}
		case stored && name != "onPremisesExtensionAttributes":
			if string(b) != "null" {
				t.Errorf("unset %s = %s, want null", name, b)
			}
		case strings.HasPrefix(typ, "Collection(") && string(b) == "null":
			t.Errorf("%s (a collection) = null, want a list", name)
		}
	}
}

// patchValues are a value of each stored property as a client sends it,
// and as GET answers it back.
var patchValues = map[string][2]string{
	"ageGroup":                      {`"adult"`, `"Adult"`},
	"businessPhones":                {`["+81 3 1234 5678"]`, `["+81 3 1234 5678"]`},
	"city":                          {`"Tokyo"`, `"Tokyo"`},
	"companyName":                   {`"Fabrikam"`, `"Fabrikam"`},
	"consentProvidedForMinor":       {`"Granted"`, `"Granted"`},
	"country":                       {`"Japan"`, `"Japan"`},
	"department":                    {`"Sales"`, `"Sales"`},
	"employeeHireDate":              {`"2024-04-01T09:00:00+09:00"`, `"2024-04-01T00:00:00Z"`},
	"employeeId":                    {`"E-1234"`, `"E-1234"`},
	"employeeLeaveDateTime":         {`"2031-03-31T00:00:00Z"`, `"2031-03-31T00:00:00Z"`},
	"employeeOrgData":               {`{"division":"Sales","costCenter":"CC1"}`, `{"costCenter":"CC1","division":"Sales"}`},
	"employeeType":                  {`"Contractor"`, `"Contractor"`},
	"faxNumber":                     {`"+81 3 0000 0000"`, `"+81 3 0000 0000"`},
	"mailNickname":                  {`"teri"`, `"teri"`},
	"mobilePhone":                   {`"+81 90 0000 0000"`, `"+81 90 0000 0000"`},
	"officeLocation":                {`"Building 4"`, `"Building 4"`},
	"onPremisesExtensionAttributes": {`{"extensionAttribute2":"x"}`, `{"extensionAttribute1":null,"extensionAttribute2":"x","extensionAttribute3":null,"extensionAttribute4":null,"extensionAttribute5":null,"extensionAttribute6":null,"extensionAttribute7":null,"extensionAttribute8":null,"extensionAttribute9":null,"extensionAttribute10":null,"extensionAttribute11":null,"extensionAttribute12":null,"extensionAttribute13":null,"extensionAttribute14":null,"extensionAttribute15":null}`},
	"postalCode":                    {`"100-0001"`, `"100-0001"`},
	"showInAddressList":             {`false`, `false`},
	"state":                         {`"Tokyo"`, `"Tokyo"`},
	"streetAddress":                 {`"1-1 Chiyoda"`, `"1-1 Chiyoda"`},
	"usageLocation":                 {`"JP"`, `"JP"`},
}

// TestPatchStoredUserPropertiesRoundTrip (issue 22, item 1): PATCH of each
// writable property kept is answered back by GET with $select, and null
// clears it again.
func TestPatchStoredUserPropertiesRoundTrip(t *testing.T) {
	for name := range storedProps {
		vals, ok := patchValues[name]
		if !ok {
			t.Errorf("no PATCH value for %s", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			u := directory.User{ID: "00000000-0000-0000-0000-000000000001", UserType: directory.UserTypeGuest}
			patch := func(body string) {
				r := httptest.NewRequest(http.MethodPatch, "/v1.0/users/x", strings.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				p, err := decodeUserPatch(httptest.NewRecorder(), r)
				if err != nil {
					t.Fatalf("PATCH %s: %v", body, err)
				}
				if u, _, err = lifecycle.ApplyPatch(u, p); err != nil {
					t.Fatalf("apply %s: %v", body, err)
				}
			}
			get := func() string {
				b, _ := json.Marshal(userObject(u, "contoso.example", []string{name}, ""))
				return string(b)
			}
			unset := get()
			patch(`{"` + name + `": ` + vals[0] + `}`)
			if got, want := get(), `{"`+name+`":`+vals[1]+`}`; got != want {
				t.Fatalf("after PATCH: %s, want %s", got, want)
			}
			patch(`{"` + name + `": null}`)
			if got := get(); got != unset {
				t.Fatalf("after PATCH null: %s, want %s", got, unset)
			}
		})
	}
}

// TestPatchUserPropertiesRefused: wrong values of kept properties and the
// known properties guestgate does not keep are Graph's 400s.
func TestPatchUserPropertiesRefused(t *testing.T) {
	cases := map[string]string{
		`{"department": 5}`: "Invalid value specified for property 'department'",
		`{"department": "` + strings.Repeat("x", 65) + `"}`: "Invalid value specified for property 'department'",
		`{"businessPhones": ["1", "2"]}`:                    "Invalid value specified for property 'businessPhones'",
		`{"ageGroup": "Teen"}`:                              "Invalid value specified for property 'ageGroup'",
		`{"employeeHireDate": "yesterday"}`:                 "Invalid value specified for property 'employeeHireDate'",
		`{"employeeOrgData": {"team": "x"}}`:                "Invalid value specified for property 'employeeOrgData'",
		`{"signInActivity": {}}`:                            "Property 'signInActivity' is read-only",
		`{"securityIdentifier": "S-1"}`:                     "Property 'securityIdentifier' is read-only",
		`{"assignedLicenses": []}`:                          "Property 'assignedLicenses' is read-only",
		`{"skills": ["go"]}`:                                "Property 'skills' cannot be updated here",
	}
	for body, want := range cases {
		r := httptest.NewRequest(http.MethodPatch, "/v1.0/users/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		_, err := decodeUserPatch(httptest.NewRecorder(), r)
		ge, ok := err.(*Error)
		if !ok || ge.Status != http.StatusBadRequest || !strings.Contains(ge.Message, want) {
			t.Errorf("PATCH %s = %v, want 400 %q", body, err, want)
		}
	}
}

// TestSecurityIdentifier: Entra's SID of an object id (S-1-12-1- and the
// GUID as four little-endian numbers).
func TestSecurityIdentifier(t *testing.T) {
	u := directory.User{ID: "73c1ab4d-7ad8-4ba4-a0bd-1d8cb3bf1e9c"}
	got := securityIdentifier(u, "")
	// 0x73c1ab4d = 1942072141; 7ad8 and 4ba4 → 0x4ba47ad8 = 1269070552;
	// bytes a0 bd 1d 8c → 0x8c1dbda0 = 2350759328; b3 bf 1e 9c → 0x9c1ebfb3 = 2619260851.
	want := "S-1-12-1-1942072141-1269070552-2350759328-2619260851"
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("SID = %v, want %s", got, want)
	}
}
