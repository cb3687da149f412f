package invitation

import (
	"errors"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
)

func TestRequestNormalizeLanguageAndSponsors(t *testing.T) {
	const sponsor = "5d0c6a44-8f2e-4c3b-9a1d-6e7f8a9b0c1d"
	base := Request{Email: "teri@gmail.example", RedirectURL: "https://apps.fabrikam.example"}
	with := func(f func(*Request)) Request { r := base; f(&r); return r }
	cases := []struct {
		name     string
		req      Request
		wantLang string
		field    string // the refused property; "" when accepted
	}{
		{"bcp47_region_is_canonicalised", with(func(r *Request) { r.MessageLanguage = "ja-jp" }), "ja-JP", ""},
		{"bcp47_language_only", with(func(r *Request) { r.MessageLanguage = "sw" }), "sw", ""},
		{"empty_language", base, "", ""},
		{"not_a_tag", with(func(r *Request) { r.MessageLanguage = "english please" }), "", "invitedUserMessageInfo.messageLanguage"},
		{"unknown_language_subtag", with(func(r *Request) { r.MessageLanguage = "qqq-zz-9" }), "", "invitedUserMessageInfo.messageLanguage"},
		{"posix_underscore", with(func(r *Request) { r.MessageLanguage = "en_US" }), "", "invitedUserMessageInfo.messageLanguage"},
		{"sponsor_not_an_id", with(func(r *Request) { r.Sponsors = []string{"alice"} }), "", "invitedUserSponsors"},
		{"sponsor_twice", with(func(r *Request) { r.Sponsors = []string{sponsor, sponsor} }), "", "invitedUserSponsors"},
		{"too_many_sponsors", with(func(r *Request) {
			r.Sponsors = []string{sponsor, "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002",
				"00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000004", "00000000-0000-4000-8000-000000000005"}
		}), "", "invitedUserSponsors"},
		{"cc_name_is_kept", with(func(r *Request) { r.CCRecipients, r.CCNames = []string{"Boss@Partner.example"}, []string{" The Boss "} }), "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.req.normalize(false)
			var ve *ValidationError
			if c.field != "" {
				if !errors.As(err, &ve) || ve.Property != c.field {
					t.Fatalf("err = %v, want a ValidationError on %s", err, c.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.MessageLanguage != c.wantLang || got.UserType != directory.UserTypeGuest {
				t.Fatalf("normalized = %+v", got)
			}
			if len(got.CCNames) > 0 && (got.CCNames[0] != "The Boss" || got.CCRecipients[0] != "Boss@partner.example") {
				t.Fatalf("cc = %v %v", got.CCRecipients, got.CCNames)
			}
		})
	}
}

func TestCheckOwnDomain(t *testing.T) {
	tn := directory.Tenant{InitialDomain: "fabrikam.guestgate.local", Domains: []string{"fabrikam.guestgate.local", "fabrikam.example"}}
	for _, c := range []struct {
		addr string
		want error
	}{
		{"ana@fabrikam.example", ErrOwnDomain},
		{"ana@FABRIKAM.guestgate.local", ErrOwnDomain},
		{"ana@sub.fabrikam.example", nil},
		{"teri@gmail.example", nil},
	} {
		if err := checkOwnDomain(tn, c.addr); !errors.Is(err, c.want) {
			t.Errorf("checkOwnDomain(%s) = %v, want %v", c.addr, err, c.want)
		}
	}
}
