package branding

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Localization ids are Graph's culture names ("fr-FR", "ja-JP", "en"),
// kept as the admin sent them: Graph answers the id it was given, so
// guestgate does too (a "ja-JP" localization stays "ja-JP"). Ids are
// matched without regard to case, and a tenant has at most one
// localization per id in any case. Pages and mail are written in a few
// languages (i18n.Languages); Best picks the localization a page in one of
// them shows, so "ja-JP" serves a Japanese browser.

// localeRe is a culture name: a language, then optional subtags (script,
// region, variant), as BCP 47 writes them.
var localeRe = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`)

// ErrDefaultID: the default branding cannot be created as a localization
// (Graph refuses the ids "0" and "default" on POST).
var ErrDefaultID = errors.New("the default branding is not a localization that can be created; PATCH the branding itself")

// ErrExists: the tenant already has a localization with that id.
var ErrExists = errors.New("a localization with this id already exists")

// IsDefaultID reports the ids that name the default branding ("", "0", "default").
func IsDefaultID(id string) bool {
	return id == "" || id == "0" || strings.EqualFold(id, "default")
}

// LocaleID checks a localization id and returns it as sent, or "" for the
// default branding ("0", "default" or "").
func LocaleID(id string) (string, error) {
	if IsDefaultID(id) {
		return "", nil
	}
	if !localeRe.MatchString(id) {
		return "", &ValidationError{Property: "id", Message: fmt.Sprintf("%q is not a culture name such as fr-FR or ja-JP", id)}
	}
	return id, nil
}

// primary is the language subtag of a culture name, lower case.
func primary(id string) string {
	p, _, _ := strings.Cut(id, "-")
	return strings.ToLower(p)
}

// Best returns the localization id among ids that a page or mail in lang
// shows ("" when none fits): the id equal to lang (ignoring case), else one
// of lang's language ("ja-JP" for "ja", and for "ja-JP" when there is no
// "ja-JP"), the one with fewest subtags and then the first by id, so the
// choice never depends on the order ids are stored in.
func Best(ids []string, lang string) string {
	if IsDefaultID(lang) {
		return ""
	}
	var same []string
	for _, id := range ids {
		if IsDefaultID(id) {
			continue
		}
		if strings.EqualFold(id, lang) {
			return id
		}
		if primary(id) == primary(lang) {
			same = append(same, id)
		}
	}
	if len(same) == 0 {
		return ""
	}
	sort.Slice(same, func(i, j int) bool {
		ni, nj := strings.Count(same[i], "-"), strings.Count(same[j], "-")
		if ni != nj {
			return ni < nj
		}
		return strings.ToLower(same[i]) < strings.ToLower(same[j])
	})
	return same[0]
}
