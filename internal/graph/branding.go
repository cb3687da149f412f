package graph

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/roles"
)

// brandingPath is the tenant's organizationalBranding; {id} is the
// organization (tenant) id, and only the caller's own is found.
const brandingPath = "/v1.0/organization/{id}/branding"

// Permissions of organizationalBranding (Graph's names).
var (
	permBrandingRead  = []string{roles.OrganizationalBrandingReadAll, roles.OrganizationalBrandingReadWriteAll, roles.OrganizationReadAll, roles.OrganizationReadWriteAll}
	permBrandingWrite = []string{roles.OrganizationalBrandingReadWriteAll, roles.OrganizationReadWriteAll}
)

// brandingBody is Graph's organizationalBranding (and
// organizationalBrandingLocalization) as guestgate serves it: the
// properties it implements, unset ones null. bannerLogoRelativeUrl is
// relative to the one cdnList entry, guestgate's public URL, where the
// logo is served to browsers and mail clients.
type brandingBody struct {
	ODataContext          string   `json:"@odata.context,omitempty"`
	ID                    string   `json:"id"`
	BackgroundColor       *string  `json:"backgroundColor"`
	SignInPageText        *string  `json:"signInPageText"`
	UsernameHintText      *string  `json:"usernameHintText"`
	PrivacyURL            *string  `json:"customPrivacyAndCookiesUrl"`
	BannerLogoRelativeURL *string  `json:"bannerLogoRelativeUrl"`
	CDNList               []string `json:"cdnList"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// brandingContext is the @odata.context of the tenant's branding (the
// collection of localizations when localization is set).
func brandingContext(tenantID string, localization bool) string {
	if localization {
		return "https://graph.microsoft.com/v1.0/$metadata#organization('" + tenantID + "')/branding/localizations"
	}
	return "https://graph.microsoft.com/v1.0/$metadata#organization('" + tenantID + "')/branding"
}

// brandingOut is b as Graph answers it; the id of the default branding is "0".
func (a *API) brandingOut(b branding.Branding) brandingBody {
	id, ctx := "0", brandingContext(b.TenantID, false)+"/$entity"
	if b.Lang != "" {
		id, ctx = b.Lang, brandingContext(b.TenantID, true)+"/$entity"
	}
	out := brandingBody{
		ODataContext: ctx, ID: id, BackgroundColor: orNull(b.BackgroundColor), SignInPageText: orNull(b.SignInPageText),
		UsernameHintText: orNull(b.UsernameHintText), PrivacyURL: orNull(b.PrivacyURL), CDNList: []string{a.deps.BaseURL},
	}
	if b.LogoType != "" {
		out.BannerLogoRelativeURL = orNull(strings.TrimPrefix(branding.LogoPath(b), "/"))
	}
	return out
}

// brandingPatch is a PATCH body; null clears a property. The other
// properties of the resource are refused by name, never ignored.
type brandingPatch struct {
	ODataContext    *string     `json:"@odata.context"`
	ODataType       *string     `json:"@odata.type"`
	ID              *string     `json:"id"`
	BackgroundColor opt[string] `json:"backgroundColor"`
	SignInPageText  opt[string] `json:"signInPageText"`
	UsernameHint    opt[string] `json:"usernameHintText"`
	PrivacyURL      opt[string] `json:"customPrivacyAndCookiesUrl"`
}

func (p brandingPatch) patch() branding.Patch {
	return branding.Patch{
		BackgroundColor: p.BackgroundColor.ptr(""), SignInPageText: p.SignInPageText.ptr(""),
		UsernameHintText: p.UsernameHint.ptr(""), PrivacyURL: p.PrivacyURL.ptr(""),
	}
}

func (p opt[T]) ptr(zero T) *T {
	if !p.Set {
		return nil
	}
	if p.Null {
		return &zero
	}
	return &p.V
}

// brandingScope checks the caller, the organization id of the path and the
// language of a localization ("" for the default branding).
func (a *API) brandingScope(r *http.Request, c Caller, perms []string) (string, error) {
	if err := require(c, perms...); err != nil {
		return "", err
	}
	if a.deps.Branding == nil {
		return "", notFound("Branding is not available.")
	}
	if !strings.EqualFold(r.PathValue("id"), c.TenantID) {
		return "", notFound("Resource '" + r.PathValue("id") + "' does not exist or one of its queried reference-property objects are not present.")
	}
	lang, err := branding.LocaleID(r.PathValue("lang"))
	if err != nil {
		return "", badRequest(err.Error() + ".")
	}
	return lang, nil
}

func (a *API) getBranding(w http.ResponseWriter, r *http.Request, c Caller) error {
	lang, err := a.brandingScope(r, c, permBrandingRead)
	if err != nil {
		return err
	}
	b, err := a.deps.Branding.Get(r.Context(), c.TenantID, lang)
	if errors.Is(err, branding.ErrNotFound) {
		return notFound("No branding is set for this organization in this language.")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.brandingOut(b))
	return nil
}

func (a *API) patchBranding(w http.ResponseWriter, r *http.Request, c Caller) error {
	lang, err := a.brandingScope(r, c, permBrandingWrite)
	if err != nil {
		return err
	}
	var p brandingPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	if p.ID != nil && lang != "" && !strings.EqualFold(*p.ID, lang) {
		return badRequest("Invalid value for property 'id': the id of a localization cannot change.")
	}
	if _, err = a.deps.Branding.Update(r.Context(), c.TenantID, lang, p.patch()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listLocalizations is GET …/branding/localizations: every localization,
// the default branding (id "0") first, as Graph lists them; $select as Graph.
func (a *API) listLocalizations(w http.ResponseWriter, r *http.Request, c Caller) error {
	if _, err := a.brandingScope(r, c, permBrandingRead); err != nil {
		return err
	}
	sel, err := structSelect(otherResources, brandingBody{}, "microsoft.graph.organizationalBrandingLocalization", routeQuery(r).Select)
	if err != nil {
		return err
	}
	list, err := a.deps.Branding.List(r.Context(), c.TenantID)
	if err != nil {
		return err
	}
	page := struct {
		ODataContext string `json:"@odata.context"`
		Value        []any  `json:"value"`
	}{ODataContext: selectContext(brandingContext(c.TenantID, true), sel), Value: []any{}}
	for _, b := range list {
		out := a.brandingOut(b)
		out.ODataContext = ""
		if sel != nil {
			page.Value = append(page.Value, selectObject(out, sel, ""))
			continue
		}
		page.Value = append(page.Value, out)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// createLocalization is POST …/branding/localizations with the id (a
// culture name, kept as sent) and the string properties: 201 with the
// localization; the default branding is created too if there is none.
func (a *API) createLocalization(w http.ResponseWriter, r *http.Request, c Caller) error {
	if _, err := a.brandingScope(r, c, permBrandingWrite); err != nil {
		return err
	}
	var p brandingPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	if p.ID == nil || strings.TrimSpace(*p.ID) == "" {
		return badRequest("Invalid value for property 'id': a localization needs an id, a culture name such as fr-FR.")
	}
	b, err := a.deps.Branding.Create(r.Context(), c.TenantID, *p.ID, p.patch())
	switch {
	case errors.Is(err, branding.ErrDefaultID):
		return badRequest("Invalid value for property 'id': " + err.Error() + ".")
	case errors.Is(err, branding.ErrExists):
		return directoryBadRequest("A conflicting object with one or more of the specified property values is present in the directory. A localization with the id '" + *p.ID + "' already exists.")
	case err != nil:
		return err
	}
	writeJSON(w, http.StatusCreated, a.brandingOut(b))
	return nil
}

// putBannerLogo takes the logo as the stream Graph uses: the image bytes
// as the body, with their Content-Type.
func (a *API) putBannerLogo(w http.ResponseWriter, r *http.Request, c Caller) error {
	lang, err := a.brandingScope(r, c, permBrandingWrite)
	if err != nil {
		return err
	}
	data, err := readBody(w, r, branding.MaxLogoBytes+1)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return badRequest(fmt.Sprintf("Invalid value for property 'bannerLogo': the image is larger than %d bytes.", branding.MaxLogoBytes))
		}
		return decodeError(err)
	}
	if _, err := a.deps.Branding.SetLogo(r.Context(), c.TenantID, lang, r.Header.Get("Content-Type"), data); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getBannerLogo answers the logo's bytes (the stream).
func (a *API) getBannerLogo(w http.ResponseWriter, r *http.Request, c Caller) error {
	lang, err := a.brandingScope(r, c, permBrandingRead)
	if err != nil {
		return err
	}
	b, err := a.deps.Branding.Get(r.Context(), c.TenantID, lang)
	if errors.Is(err, branding.ErrNotFound) || err == nil && b.LogoType == "" {
		return notFound("No banner logo is set for this organization in this language.")
	}
	if err != nil {
		return err
	}
	branding.WriteLogo(w, b)
	return nil
}
