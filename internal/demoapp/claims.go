package demoapp

import (
	"fmt"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// Claims are the ID token claims the app shows.
type Claims struct {
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	IdP      string   `json:"idp"`
	TenantID string   `json:"tid"`
	ObjectID string   `json:"oid"`
	AMR      []string `json:"amr"`
	AuthTime int64    `json:"auth_time"`
}

func claimsOf(idt *gooidc.IDToken) (Claims, error) {
	var c Claims
	if err := idt.Claims(&c); err != nil {
		return c, fmt.Errorf("read ID token claims: %w", err)
	}
	return c, nil
}

// row is one line of the claims table.
type row struct{ Name, Value string }

// rows lists the claims in the order the page shows them.
func (c Claims) rows() []row {
	at := ""
	if c.AuthTime != 0 {
		at = fmt.Sprintf("%d (%s)", c.AuthTime, time.Unix(c.AuthTime, 0).UTC().Format(time.RFC3339))
	}
	return []row{
		{"email", c.Email}, {"name", c.Name}, {"idp", c.IdP}, {"tid", c.TenantID},
		{"oid", c.ObjectID}, {"amr", strings.Join(c.AMR, " ")}, {"auth_time", at},
	}
}
