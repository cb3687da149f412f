package graph

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/store"
)

const (
	signInsContext = "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns"
	// signInTime is Graph's createdDateTime format for sign-ins (UTC, seconds).
	signInTime = "2006-01-02T15:04:05Z"
)

// signInBody is Graph's signIn. Properties guestgate has no data for
// (risk, conditional access, device, location) carry Graph's values for
// "nothing applied": none, notApplied, empty objects.
type signInBody struct {
	ODataContext                     string         `json:"@odata.context,omitempty"`
	ID                               string         `json:"id"`
	CreatedDateTime                  string         `json:"createdDateTime"`
	UserDisplayName                  *string        `json:"userDisplayName"`
	UserPrincipalName                string         `json:"userPrincipalName"`
	UserID                           *string        `json:"userId"`
	UserType                         *string        `json:"userType"`
	AppID                            *string        `json:"appId"`
	AppDisplayName                   *string        `json:"appDisplayName"`
	ResourceID                       *string        `json:"resourceId"`
	ResourceDisplayName              *string        `json:"resourceDisplayName"`
	ResourceTenantID                 string         `json:"resourceTenantId"`
	HomeTenantID                     *string        `json:"homeTenantId"`
	IPAddress                        string         `json:"ipAddress"`
	ClientAppUsed                    string         `json:"clientAppUsed"`
	UserAgent                        string         `json:"userAgent"`
	CorrelationID                    string         `json:"correlationId"`
	ConditionalAccessStatus          string         `json:"conditionalAccessStatus"`
	IsInteractive                    bool           `json:"isInteractive"`
	CrossTenantAccessType            string         `json:"crossTenantAccessType"`
	TokenIssuerType                  string         `json:"tokenIssuerType"`
	TokenIssuerName                  *string        `json:"tokenIssuerName"`
	AuthenticationRequirement        string         `json:"authenticationRequirement"`
	AuthenticationMethodsUsed        []string       `json:"authenticationMethodsUsed"`
	SignInEventTypes                 []string       `json:"signInEventTypes"`
	RiskDetail                       string         `json:"riskDetail"`
	RiskLevelAggregated              string         `json:"riskLevelAggregated"`
	RiskLevelDuringSignIn            string         `json:"riskLevelDuringSignIn"`
	RiskState                        string         `json:"riskState"`
	RiskEventTypes                   []string       `json:"riskEventTypes"`
	RiskEventTypesV2                 []string       `json:"riskEventTypes_v2"`
	Status                           signInStatus   `json:"status"`
	DeviceDetail                     deviceDetail   `json:"deviceDetail"`
	Location                         signInLocation `json:"location"`
	AppliedConditionalAccessPolicies []struct{}     `json:"appliedConditionalAccessPolicies"`
}

type signInStatus struct {
	ErrorCode         int     `json:"errorCode"`
	FailureReason     string  `json:"failureReason"`
	AdditionalDetails *string `json:"additionalDetails"`
}

type deviceDetail struct {
	DeviceID        string `json:"deviceId"`
	DisplayName     string `json:"displayName"`
	OperatingSystem string `json:"operatingSystem"`
	Browser         string `json:"browser"`
	IsCompliant     bool   `json:"isCompliant"`
	IsManaged       bool   `json:"isManaged"`
	TrustType       string `json:"trustType"`
}

type signInLocation struct {
	City            *string `json:"city"`
	State           *string `json:"state"`
	CountryOrRegion *string `json:"countryOrRegion"`
}

func signInOut(s audit.SignIn) signInBody {
	out := signInBody{
		ID: s.ID, CreatedDateTime: s.CreatedAt.UTC().Format(signInTime),
		UserDisplayName: nilIfEmpty(s.UserDisplayName), UserPrincipalName: s.UserPrincipalName,
		UserID: nilIfEmpty(s.UserID), UserType: nilIfEmpty(s.UserType),
		AppID: nilIfEmpty(s.AppID), AppDisplayName: nilIfEmpty(s.AppDisplayName),
		// The resource signed in to is the app itself (an ID token for it).
		ResourceID: nilIfEmpty(s.AppID), ResourceDisplayName: nilIfEmpty(s.AppDisplayName),
		ResourceTenantID: s.TenantID, HomeTenantID: nilIfEmpty(s.HomeTenantID),
		IPAddress: s.IPAddress, ClientAppUsed: s.ClientAppUsed, UserAgent: s.UserAgent,
		CorrelationID: s.CorrelationID, ConditionalAccessStatus: "notApplied", IsInteractive: true,
		CrossTenantAccessType: s.CrossTenantAccessType, TokenIssuerType: "AzureAD", TokenIssuerName: nilIfEmpty(s.IdP),
		AuthenticationRequirement: "singleFactorAuthentication", AuthenticationMethodsUsed: []string{},
		SignInEventTypes: []string{"interactiveUser"},
		RiskDetail:       "none", RiskLevelAggregated: "none", RiskLevelDuringSignIn: "none", RiskState: "none",
		RiskEventTypes: []string{}, RiskEventTypesV2: []string{},
		Status:                           signInStatus{ErrorCode: s.ErrorCode, FailureReason: s.FailureReason, AdditionalDetails: nilIfEmpty(s.AdditionalDetails)},
		DeviceDetail:                     deviceDetail{Browser: s.UserAgent},
		AppliedConditionalAccessPolicies: []struct{}{},
	}
	if s.AuthenticationMethod != "" {
		out.AuthenticationMethodsUsed = []string{s.AuthenticationMethod}
	}
	return out
}

type signInPage struct {
	ODataContext  string       `json:"@odata.context"`
	ODataNextLink string       `json:"@odata.nextLink,omitempty"`
	Value         []signInBody `json:"value"`
}

// listSignIns is GET /v1.0/auditLogs/signIns: newest first, $top (1–999,
// default 100) and $skiptoken. Other query options answer 400 (filters
// come with the OData parser), never a silently ignored option.
func (a *API) listSignIns(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAuditRead...); err != nil {
		return err
	}
	q := r.URL.Query()
	for k := range q {
		if k != "$top" && k != "$skiptoken" {
			return badRequest("Query option '" + k + "' is not supported on auditLogs/signIns.")
		}
	}
	top, err := parseTop(q.Get("$top"))
	if err != nil {
		return err
	}
	var after audit.SignInCursor
	if tok := q.Get("$skiptoken"); tok != "" {
		if after, err = parseSignInToken(tok); err != nil {
			return err
		}
	}
	list, err := a.deps.SignIns.ListSignIns(r.Context(), c.TenantID, after, top+1)
	if err != nil {
		return err
	}
	page := signInPage{ODataContext: signInsContext, Value: []signInBody{}}
	if len(list) > top {
		list = list[:top]
		last := list[len(list)-1]
		next := url.Values{"$top": {strconv.Itoa(top)}, "$skiptoken": {signInToken(last)}}
		page.ODataNextLink = a.deps.BaseURL + "/v1.0/auditLogs/signIns?" + next.Encode()
	}
	for _, s := range list {
		page.Value = append(page.Value, signInOut(s))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// getSignIn is GET /v1.0/auditLogs/signIns/{id}.
func (a *API) getSignIn(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAuditRead...); err != nil {
		return err
	}
	s, err := a.deps.SignIns.GetSignIn(r.Context(), c.TenantID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return notFound("Resource '" + r.PathValue("id") + "' does not exist or one of its queried reference-property objects are not present.")
	}
	if err != nil {
		return err
	}
	out := signInOut(s)
	out.ODataContext = signInsContext + "/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
}

// signInToken is the $skiptoken after s: its time and id, opaque to clients.
func signInToken(s audit.SignIn) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(s.CreatedAt.UnixMicro(), 10) + "." + s.ID))
}

func parseSignInToken(tok string) (audit.SignInCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	micros, id, ok := strings.Cut(string(raw), ".")
	n, perr := strconv.ParseInt(micros, 10, 64)
	if err != nil || !ok || perr != nil || id == "" {
		return audit.SignInCursor{}, badRequest("Invalid $skiptoken.")
	}
	return audit.SignInCursor{CreatedAt: time.UnixMicro(n).UTC(), ID: id}, nil
}
