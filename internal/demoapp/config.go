package demoapp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Config describes the app's registration at the provider.
type Config struct {
	// Issuer is the provider's issuer, e.g. {public URL}/{tenantId}/v2.0.
	Issuer string
	// ClientID and ClientSecret are the app's registration (a confidential client).
	ClientID, ClientSecret string
	// RedirectURL is where the provider sends the browser back; its path is
	// served as the callback.
	RedirectURL string
	// PostLogoutURL is sent as post_logout_redirect_uri at sign-out.
	PostLogoutURL string
	// TenantName is shown in the page title ("{TenantName} shared resource").
	TenantName string
	// HTTPClient, if set, makes every request to the provider.
	HTTPClient *http.Client
}

// validate checks the configuration and fills defaults.
func (c *Config) validate() error {
	if c.Issuer == "" || c.ClientID == "" || c.RedirectURL == "" {
		return errors.New("demoapp: Issuer, ClientID and RedirectURL are required")
	}
	for name, v := range map[string]string{"Issuer": c.Issuer, "RedirectURL": c.RedirectURL, "PostLogoutURL": c.PostLogoutURL} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || !u.IsAbs() {
			return fmt.Errorf("demoapp: %s %q is not an absolute URL", name, v)
		}
	}
	if c.TenantName == "" {
		c.TenantName = "Demo"
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return nil
}
