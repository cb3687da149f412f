package branding_test

import (
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/branding/brandingtest"
	"github.com/guestgate/guestgate/internal/clock"
)

// TestLocaleID (issue 22, item 13): localization ids are kept as sent
// ("ja-JP" stays "ja-JP"), any culture name is accepted (Graph's fr-FR
// example), and "0"/"default" name the default branding.
func TestLocaleID(t *testing.T) {
	for in, want := range map[string]string{"": "", "0": "", "default": "", "Default": "", "ja": "ja", "ja-JP": "ja-JP", "EN-us": "EN-us", "fr-FR": "fr-FR", "zh-Hant-TW": "zh-Hant-TW"} {
		if got, err := branding.LocaleID(in); err != nil || got != want {
			t.Errorf("LocaleID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"f", "fr_FR", "../x", "fr-FR-", "ja JP", "français", "a1-B2"} {
		if got, err := branding.LocaleID(bad); err == nil {
			t.Errorf("LocaleID(%q) = %q, accepted", bad, got)
		}
	}
}

// TestBest (issue 22, item 13): a page in a language shows the
// localization of that language whatever its region ("ja-JP" serves a
// Japanese page), an exact id first, independent of stored order.
func TestBest(t *testing.T) {
	cases := []struct {
		name string
		ids  []string
		lang string
		want string
	}{
		{"region_serves_language", []string{"", "fr-FR", "ja-JP"}, "ja", "ja-JP"},
		{"exact_first", []string{"ja-JP", "ja"}, "ja", "ja"},
		{"exact_ignoring_case", []string{"ja-jp", "ja"}, "ja-JP", "ja-jp"},
		{"language_of_a_regional_request", []string{"ja"}, "ja-JP", "ja"},
		{"fewest_subtags_then_id", []string{"en-US", "en-GB"}, "en", "en-GB"},
		{"none_of_the_language", []string{"fr-FR"}, "ja", ""},
		{"default_only", []string{""}, "ja", ""},
		{"default_asked", []string{"ja-JP"}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := branding.Best(c.ids, c.lang); got != c.want {
				t.Errorf("Best(%q, %q) = %q, want %q", c.ids, c.lang, got, c.want)
			}
		})
	}
}

// TestServiceLocalizations (issue 22, item 13): a localization created as
// "ja-JP" keeps that id, also creates the default branding, is found
// ignoring case, cannot be created twice or as the default, and is what a
// Japanese page shows over the default (usernameHintText included).
func TestServiceLocalizations(t *testing.T) {
	ctx := t.Context()
	svc := branding.NewService(&brandingtest.MemStore{}, clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)))
	s := func(v string) *string { return &v }
	b, err := svc.Create(ctx, "t", "ja-JP", branding.Patch{SignInPageText: s("ようこそ"), UsernameHintText: s("you@fabrikam.example")})
	if err != nil || b.Lang != "ja-JP" {
		t.Fatalf("Create ja-JP = %+v, %v", b, err)
	}
	if _, err := svc.Get(ctx, "t", ""); err != nil {
		t.Fatalf("the default branding after the first localization: %v", err)
	}
	if got, err := svc.Get(ctx, "t", "JA-jp"); err != nil || got.Lang != "ja-JP" {
		t.Fatalf("Get JA-jp = %+v, %v", got, err)
	}
	if _, err := svc.Create(ctx, "t", "ja-jp", branding.Patch{}); err != branding.ErrExists {
		t.Errorf("creating ja-jp again = %v, want ErrExists", err)
	}
	for _, id := range []string{"0", "default"} {
		if _, err := svc.Create(ctx, "t", id, branding.Patch{}); err != branding.ErrDefaultID {
			t.Errorf("creating %q = %v, want ErrDefaultID", id, err)
		}
	}
	if _, err := svc.Update(ctx, "t", "", branding.Patch{BackgroundColor: s("#112233"), UsernameHintText: s("someone@example.com")}); err != nil {
		t.Fatal(err)
	}
	ja, err := svc.For(ctx, "t", "ja")
	if err != nil || ja.SignInPageText != "ようこそ" || ja.UsernameHintText != "you@fabrikam.example" || ja.BackgroundColor != "#112233" {
		t.Errorf("For ja = %+v, %v", ja, err)
	}
	en, err := svc.For(ctx, "t", "en")
	if err != nil || en.SignInPageText != "" || en.UsernameHintText != "someone@example.com" {
		t.Errorf("For en = %+v, %v", en, err)
	}
	list, err := svc.List(ctx, "t")
	if err != nil || len(list) != 2 || list[0].Lang != "" || list[1].Lang != "ja-JP" {
		t.Errorf("List = %+v, %v", list, err)
	}
}
