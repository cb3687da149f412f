package directory

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Public consumer mail domains (R15): gmail.com, outlook.com and the like,
// where anyone can get an address. Holding one proves nothing about an
// organisation, so no unmanaged directory is ever made for such a domain
// (otherwise the first person to sign up there would hold a directory "of
// gmail.com"); their addresses take the personal-account path instead, as
// in the reproduced product. The built-in list is data
// (public_mail_domains.txt); a deployment adds to it (never removes).

//go:embed public_mail_domains.txt
var publicMailDomainsText string

// ErrPublicMailDomain: no unmanaged directory is made for a public
// consumer mail domain (R15).
var ErrPublicMailDomain = errors.New("no unmanaged directory is made for a public mail domain")

var builtinPublicMailDomains = sync.OnceValue(func() map[string]bool {
	set, err := parsePublicMailDomains(publicMailDomainsText)
	if err != nil {
		panic("directory: public_mail_domains.txt: " + err.Error())
	}
	return set
})

// parsePublicMailDomains reads the list's format: one domain a line, "#"
// starts a comment, blank lines are ignored.
func parsePublicMailDomains(text string) (map[string]bool, error) {
	set := map[string]bool{}
	for n, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		d, err := NormalizeDomain(line)
		if err != nil || d != line {
			return nil, fmt.Errorf("line %d: %q is not a lower-case domain name", n+1, line)
		}
		set[d] = true
	}
	return set, nil
}

// PublicMailDomains is the set of public consumer mail domains a
// deployment knows: the built-in list and the operator's additions. The
// zero value is the built-in list alone, so a caller that forgets to
// configure it still refuses the well-known domains.
type PublicMailDomains struct {
	extra map[string]bool
}

// NewPublicMailDomains is the built-in list plus extra (domain names, as
// --public-mail-domains gives them); a malformed one is an error naming it.
func NewPublicMailDomains(extra []string) (PublicMailDomains, error) {
	var p PublicMailDomains
	for _, e := range extra {
		if strings.TrimSpace(e) == "" {
			continue
		}
		d, err := NormalizeDomain(e)
		if err != nil {
			return PublicMailDomains{}, fmt.Errorf("public mail domain %q: %w", e, err)
		}
		if p.extra == nil {
			p.extra = map[string]bool{}
		}
		p.extra[d] = true
	}
	return p, nil
}

// Has reports whether domain (any case) is a public consumer mail domain.
func (p PublicMailDomains) Has(domain string) bool {
	d := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	return builtinPublicMailDomains()[d] || p.extra[d]
}

// HasAddress reports whether addr's domain is a public consumer mail domain.
func (p PublicMailDomains) HasAddress(addr string) bool {
	return p.Has(addr[strings.LastIndexByte(addr, '@')+1:])
}
