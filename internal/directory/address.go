package directory

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// ErrInvalidAddress is returned for an address an invitation cannot go to.
var ErrInvalidAddress = errors.New("invalid email address")

// forbiddenLocalChars may not appear in the local part of an invited address
// (DESIGN section 6, invitation facts).
const forbiddenLocalChars = "~!#$%^&*()+=[]{}\\/|;:'\"<>?,"

// NormalizeAddress checks an invited address and returns it trimmed, with
// the domain lower-cased. The local part keeps its case for display;
// comparisons use strings.ToLower of the whole address.
func NormalizeAddress(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if len(addr) == 0 || len(addr) > 254 {
		return "", fmt.Errorf("%w: length must be 1 to 254 characters", ErrInvalidAddress)
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "", fmt.Errorf("%w: %q has no local part or domain", ErrInvalidAddress, addr)
	}
	local, domain := addr[:at], strings.ToLower(addr[at+1:])
	if err := checkLocalPart(local); err != nil {
		return "", err
	}
	if err := checkDomain(domain); err != nil {
		return "", err
	}
	out := local + "@" + domain
	if _, err := mail.ParseAddress(out); err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrInvalidAddress, addr, err)
	}
	return out, nil
}

func checkLocalPart(local string) error {
	if len(local) > 64 {
		return fmt.Errorf("%w: local part longer than 64 characters", ErrInvalidAddress)
	}
	if i := strings.IndexAny(local, forbiddenLocalChars); i >= 0 {
		return fmt.Errorf("%w: the local part may not contain %q", ErrInvalidAddress, local[i])
	}
	for _, r := range local {
		if r <= ' ' || r == 0x7f || r > 0x7e {
			return fmt.Errorf("%w: the local part may not contain spaces, control or non-ASCII characters", ErrInvalidAddress)
		}
	}
	first, last := local[0], local[len(local)-1]
	if first == '.' || first == '-' || last == '.' || last == '-' {
		return fmt.Errorf("%w: the local part may not begin or end with '.' or '-'", ErrInvalidAddress)
	}
	if strings.Contains(local, "..") {
		return fmt.Errorf("%w: the local part may not contain '..'", ErrInvalidAddress)
	}
	return nil
}

func checkDomain(domain string) error {
	if len(domain) > 253 || !strings.Contains(domain, ".") {
		return fmt.Errorf("%w: domain %q is not a full domain name", ErrInvalidAddress, domain)
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%w: domain %q is malformed", ErrInvalidAddress, domain)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Errorf("%w: domain %q has a character other than letters, digits and '-'", ErrInvalidAddress, domain)
			}
		}
	}
	return nil
}

// GuestUserPrincipalName forms a guest's userPrincipalName:
// {local}_{domain}#EXT#@{tenant initial domain} (DESIGN section 6).
func GuestUserPrincipalName(addr, initialDomain string) string {
	return strings.Replace(strings.ToLower(addr), "@", "_", 1) + "#EXT#@" + initialDomain
}

// NormalizeDomain checks a domain name for a tenant and lower-cases it.
func NormalizeDomain(domain string) (string, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if err := checkDomain(domain); err != nil {
		return "", err
	}
	return domain, nil
}
