package i18n

import (
	"bytes"
	"html/template"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// Every language has exactly the ids English has, over all areas.
func TestCatalogue_languagesHaveSameIDs(t *testing.T) {
	dirs, err := fs.ReadDir(locales, "locales")
	if err != nil {
		t.Fatal(err)
	}
	var embedded []string
	for _, d := range dirs {
		embedded = append(embedded, d.Name())
	}
	want := slices.Clone(Languages)
	sort.Strings(want)
	if !slices.Equal(embedded, want) {
		t.Fatalf("locale directories %v, want Languages %v", embedded, want)
	}
	en := IDs(Default)
	if len(en) == 0 {
		t.Fatal("English catalogue is empty")
	}
	for _, lang := range Languages {
		ids := IDs(lang)
		for _, id := range en {
			if !Has(lang, id) {
				t.Errorf("%s lacks %q", lang, id)
			}
		}
		for _, id := range ids {
			if !Has(Default, id) {
				t.Errorf("%s has %q, which English lacks", lang, id)
			}
			if strings.TrimSpace(T(lang, id)) == "" {
				t.Errorf("%s %q is empty", lang, id)
			}
		}
	}
}

// A format's verbs must agree between languages, else a translation prints
// %!s(MISSING) or drops an argument.
func TestCatalogue_formatsAgree(t *testing.T) {
	for _, id := range IDs(Default) {
		want := verbs(T(Default, id))
		for _, lang := range Languages[1:] {
			if got := verbs(T(lang, id)); !slices.Equal(got, want) {
				t.Errorf("%s %q uses verbs %v, English %v", lang, id, got, want)
			}
		}
	}
}

// verbs lists a format's verbs as argument index + verb, in argument order.
func verbs(format string) []string {
	var out []string
	next := 1
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 >= len(format) {
			continue
		}
		i++
		if format[i] == '%' {
			continue
		}
		idx := next
		if format[i] == '[' {
			end := strings.IndexByte(format[i:], ']')
			n := 0
			for _, c := range format[i+1 : i+end] {
				n = n*10 + int(c-'0')
			}
			idx = n
			i += end + 1
		}
		out = append(out, string(rune('0'+idx))+string(format[i]))
		next = idx + 1
	}
	sort.Strings(out)
	return out
}

func TestLoad_mergesAreasAndRejectsDuplicates(t *testing.T) {
	ok := fstest.MapFS{
		"locales/en/mail.json": {Data: []byte(`{"mail.a": "A"}`)},
		"locales/en/web.json":  {Data: []byte(`{"web.b": "B"}`)},
		"locales/ja/mail.json": {Data: []byte(`{"mail.a": "エー"}`)},
	}
	c, err := load(ok)
	if err != nil {
		t.Fatal(err)
	}
	if c["en"]["mail.a"] != "A" || c["en"]["web.b"] != "B" || c["ja"]["mail.a"] != "エー" {
		t.Fatalf("merged catalogue = %v", c)
	}

	dup := fstest.MapFS{
		"locales/en/mail.json": {Data: []byte(`{"x.a": "A"}`)},
		"locales/en/web.json":  {Data: []byte(`{"x.a": "other"}`)},
	}
	if _, err := load(dup); err == nil || !strings.Contains(err.Error(), `"x.a"`) {
		t.Fatalf("duplicate id across areas: err = %v, want an error naming it", err)
	}

	bad := fstest.MapFS{"locales/en/mail.json": {Data: []byte(`{"x": 1}`)}}
	if _, err := load(bad); err == nil {
		t.Fatal("non-string value: want an error")
	}
}

func TestT(t *testing.T) {
	if got := T("en", "mail.passcode.validity", 30); got != "The code is valid for 30 minutes and can be used once." {
		t.Errorf("en = %q", got)
	}
	if got := T("ja", "mail.passcode.validity", 30); !strings.Contains(got, "30 分") {
		t.Errorf("ja = %q", got)
	}
	if got := T("ja", "mail.from_on_behalf", "guestgate", "Contoso"); got != "Contoso の代理で guestgate" {
		t.Errorf("ja reordered = %q", got)
	}
	if got := T("en", "no.such.id"); got != "no.such.id" {
		t.Errorf("missing id = %q, want the id", got)
	}
	if got := T("fr", "mail.invitation.accept"); got != "Accept invitation" {
		t.Errorf("unsupported language = %q, want English", got)
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		name      string
		accept    string
		preferred []string
		want      string
	}{
		{"nothing", "", nil, "en"},
		{"header ja", "ja", nil, "ja"},
		{"region subtag", "ja-JP,en;q=0.5", nil, "ja"},
		{"q-values order", "en;q=0.4, ja;q=0.9", nil, "ja"},
		{"unsupported first", "fr-FR, de;q=0.9, ja;q=0.8", nil, "ja"},
		{"q=0 excludes", "ja;q=0, fr", nil, "en"},
		{"wildcard", "*", nil, "en"},
		{"case", "JA-jp", nil, "ja"},
		{"explicit beats header", "en", []string{"ja"}, "ja"},
		{"empty and unsupported preferences skipped", "ja", []string{"", "fr"}, "ja"},
		{"first supported preference", "", []string{"pt-BR", "en-GB", "ja"}, "en"},
		{"underscore tag", "", []string{"ja_JP"}, "ja"},
		{"malformed q", "ja;q=x, en", nil, "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Match(tc.accept, tc.preferred...); got != tc.want {
				t.Errorf("Match(%q, %q) = %q, want %q", tc.accept, tc.preferred, got, tc.want)
			}
		})
	}
}

func TestFuncMap_inHTMLTemplate(t *testing.T) {
	tmpl := template.Must(template.New("x").Funcs(FuncMap("en")).Parse(`<p lang="{{lang}}">{{t "mail.invitation.intro" .}}</p>`))
	ja, err := tmpl.Clone() // before the first Execute, as html/template requires
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, "<Fabrikam>"); err != nil {
		t.Fatal(err)
	}
	want := `<p lang="en">&lt;Fabrikam&gt; invited you to access applications and resources within their organization.</p>`
	if buf.String() != want {
		t.Errorf("got %s\nwant %s", buf.String(), want)
	}
	buf.Reset()
	if err := ja.Funcs(FuncMap("ja")).Execute(&buf, "Fabrikam"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `lang="ja"`) || !strings.Contains(buf.String(), "Fabrikam から") {
		t.Errorf("ja clone = %s", buf.String())
	}
}
