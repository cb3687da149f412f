// Package i18n is guestgate's message catalogue: every string a guest or an
// admin reads (pages and mail) sits here under a message id, in English and
// Japanese.
//
// Strings live in embedded JSON files, one per area and language:
// locales/{lang}/{area}.json (mail.json, web.json, …), each a flat object of
// message id → text. All files of a language are merged; an id defined twice
// is an error (the package panics at start, and the tests fail). Ids carry
// their area or topic as a prefix ("mail.passcode.subject", "otp.sent").
// Texts are fmt formats when a caller passes arguments (%s, %d, and %[2]s to
// reorder for a language).
//
//	lang := i18n.Match(r.Header.Get("Accept-Language"))
//	title := i18n.T(lang, "redeem.title")
//
// In html/template, FuncMap(lang) provides {{t "id" args…}}.
//
// Every language must have exactly the ids English has; a test checks it.
// The package imports nothing from guestgate and is safe for concurrent use.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Default is the language used when nothing else matches.
const Default = "en"

// Languages are the supported languages (BCP 47 primary tags), Default first.
var Languages = []string{"en", "ja"}

//go:embed locales
var locales embed.FS

// catalogue maps language → message id → text.
var catalogue = mustLoad(locales)

func mustLoad(fsys fs.FS) map[string]map[string]string {
	c, err := load(fsys)
	if err != nil {
		panic("i18n: " + err.Error())
	}
	return c
}

// load reads locales/{lang}/*.json from fsys, merging each language's files.
func load(fsys fs.FS) (map[string]map[string]string, error) {
	dirs, err := fs.ReadDir(fsys, "locales")
	if err != nil {
		return nil, fmt.Errorf("read locales: %w", err)
	}
	out := make(map[string]map[string]string)
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		lang := d.Name()
		msgs := make(map[string]string)
		origin := make(map[string]string) // id → file that defined it
		files, err := fs.Glob(fsys, path.Join("locales", lang, "*.json"))
		if err != nil {
			return nil, fmt.Errorf("list locales/%s: %w", lang, err)
		}
		for _, name := range files {
			body, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", name, err)
			}
			var m map[string]string
			if err := json.Unmarshal(body, &m); err != nil {
				return nil, fmt.Errorf("parse %s: %w", name, err)
			}
			for id, text := range m {
				if prev, dup := origin[id]; dup {
					return nil, fmt.Errorf("message id %q defined in both %s and %s", id, prev, name)
				}
				origin[id] = name
				msgs[id] = text
			}
		}
		out[lang] = msgs
	}
	if _, ok := out[Default]; !ok {
		return nil, fmt.Errorf("no locales/%s directory", Default)
	}
	return out, nil
}

// T returns the text of message id in lang, formatted with args when there
// are any. A language without the id falls back to English; an id unknown
// everywhere returns the id itself, so a missing string is visible rather
// than blank.
func T(lang, id string, args ...any) string {
	text, ok := catalogue[lang][id]
	if !ok {
		if text, ok = catalogue[Default][id]; !ok {
			return id
		}
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, args...)
}

// Has reports whether lang defines message id (without falling back).
func Has(lang, id string) bool {
	_, ok := catalogue[lang][id]
	return ok
}

// IDs returns the message ids lang defines, sorted.
func IDs(lang string) []string {
	ids := make([]string, 0, len(catalogue[lang]))
	for id := range catalogue[lang] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// FuncMap returns template functions for lang: {{t "id" args…}} calls T and
// {{lang}} yields the language. Parse templates with any language's map and
// bind the request's with Clone().Funcs(FuncMap(lang)), or parse one set per
// language.
func FuncMap(lang string) template.FuncMap {
	return template.FuncMap{
		"t":    func(id string, args ...any) string { return T(lang, id, args...) },
		"lang": func() string { return lang },
	}
}

// Supported returns the supported language for a tag such as "ja-JP" or
// "EN", and false when its primary language is not supported.
func Supported(tag string) (string, bool) {
	base, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
	base, _, _ = strings.Cut(base, "_")
	base = strings.ToLower(base)
	if slices.Contains(Languages, base) {
		return base, true
	}
	return "", false
}

// Match picks the language to use: the first supported of the explicit
// preferences (a message language, a user's or tenant's preferred language;
// empty ones are skipped), else the best supported language of an
// Accept-Language header by q-value, else Default.
func Match(acceptLanguage string, preferred ...string) string {
	for _, p := range preferred {
		if l, ok := Supported(p); ok {
			return l
		}
	}
	type choice struct {
		tag string
		q   float64
	}
	var choices []choice
	for part := range strings.SplitSeq(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(part, ";")
		tag = strings.TrimSpace(tag)
		if tag == "" || tag == "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		if q > 0 {
			choices = append(choices, choice{tag, q})
		}
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	for _, c := range choices {
		if l, ok := Supported(c.tag); ok {
			return l
		}
	}
	return Default
}
