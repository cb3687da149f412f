package web

import (
	"strings"
)

// sentenceSep is what goes between two sentences in a language: Japanese
// sets no space after 。 (or ？), English one space.
func sentenceSep(l string) string {
	if l == "ja" {
		return ""
	}
	return " "
}

// sentences joins whole sentences as the language sets them.
func sentences(l string, parts ...string) string {
	return strings.Join(parts, sentenceSep(l))
}
