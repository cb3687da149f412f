package graph

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/odata"
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
	ODataContext  string `json:"@odata.context"`
	ODataNextLink string `json:"@odata.nextLink,omitempty"`
	Value         []any  `json:"value"`
}

// signInProps are the filterable properties of signIn (Graph's operators
// for each; the store compares userPrincipalName and appDisplayName, and
// every startsWith, in any case).
var signInProps = func() map[string]logProp {
	m := map[string]logProp{}
	for _, p := range []logProp{
		{name: string(audit.SignInFieldCreatedDateTime), time: true, ops: ops("eq", "ge", "gt", "le", "lt")},
		{name: string(audit.SignInFieldUserPrincipalName), ops: ops("eq", "startsWith")},
		{name: string(audit.SignInFieldUserDisplayName), ops: ops("eq", "startsWith")},
		{name: string(audit.SignInFieldUserID), ops: ops("eq")},
		{name: string(audit.SignInFieldUserType), ops: ops("eq")},
		{name: string(audit.SignInFieldAppID), ops: ops("eq")},
		{name: string(audit.SignInFieldAppDisplayName), ops: ops("eq", "startsWith")},
		{name: string(audit.SignInFieldIPAddress), ops: ops("eq", "startsWith")},
		{name: string(audit.SignInFieldCorrelationID), ops: ops("eq")},
		{name: string(audit.SignInFieldErrorCode), int: true, ops: ops("eq")},
		{name: string(audit.SignInFieldCrossTenantAccessType), ops: ops("eq")},
	} {
		m[strings.ToLower(p.name)] = p
	}
	return m
}()

// mapSignInQuery maps the OData options of GET /v1.0/auditLogs/signIns
// to a store query (its Limit one past the page, to tell whether another
// follows) and the page size.
func mapSignInQuery(q odata.Query) (audit.SignInQuery, int, error) {
	lq, err := mapLogQueryOr(q, signInProps, string(audit.SignInFieldCreatedDateTime), true)
	if err != nil {
		return audit.SignInQuery{}, 0, err
	}
	sq := audit.SignInQuery{Ascending: lq.ascending, Limit: lq.top + 1}
	if lq.skipToken != "" {
		if sq.After, err = parseSignInToken(lq.skipToken); err != nil {
			return audit.SignInQuery{}, 0, err
		}
	}
	for _, c := range lq.conditions {
		if c.Prop == string(audit.SignInFieldCreatedDateTime) {
			sq.Conditions = append(sq.Conditions, signInTimeConditions(audit.Op(c.Op), c.Time)...)
			continue
		}
		sq.Conditions = append(sq.Conditions, signInCondition(c))
	}
	for _, g := range lq.anyOf {
		var group []audit.SignInCondition
		for _, c := range g {
			if c.Prop == string(audit.SignInFieldCreatedDateTime) {
				return audit.SignInQuery{}, 0, unsupportedLogFilter("'or' is not supported on createdDateTime; give a range with 'and'.")
			}
			group = append(group, signInCondition(c))
		}
		sq.AnyOf = append(sq.AnyOf, group)
	}
	return sq, lq.top, nil
}

func signInCondition(c logCondition) audit.SignInCondition {
	return audit.SignInCondition{Field: audit.SignInField(c.Prop), Op: audit.Op(c.Op), Value: c.Text, Number: int(c.Int)}
}

// signInTimeConditions compares createdDateTime as clients read it: to
// the second (signInTime), so "eq" a time copied from an entry finds it,
// and "gt" it does not. A time with a fraction compares exactly.
func signInTimeConditions(op audit.Op, t time.Time) []audit.SignInCondition {
	at := func(op audit.Op, t time.Time) audit.SignInCondition {
		return audit.SignInCondition{Field: audit.SignInFieldCreatedDateTime, Op: op, Time: t}
	}
	if t.Nanosecond() != 0 {
		return []audit.SignInCondition{at(op, t)}
	}
	next := t.Add(time.Second)
	switch op {
	case audit.OpEq:
		return []audit.SignInCondition{at(audit.OpGe, t), at(audit.OpLt, next)}
	case audit.OpGt:
		return []audit.SignInCondition{at(audit.OpGe, next)}
	case audit.OpLe:
		return []audit.SignInCondition{at(audit.OpLt, next)}
	}
	return []audit.SignInCondition{at(op, t)}
}

// listSignIns is GET /v1.0/auditLogs/signIns: newest first (or
// $orderby=createdDateTime asc), with $filter, $select, $top (1–999,
// default 100) and $skiptoken; @odata.nextLink keeps the query.
func (a *API) listSignIns(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAuditRead...); err != nil {
		return err
	}
	q := routeQuery(r)
	sel, err := structSelect(otherResources, signInBody{}, "microsoft.graph.signIn", q.Select)
	if err != nil {
		return err
	}
	sq, top, err := mapSignInQuery(q)
	if err != nil {
		return err
	}
	list, err := a.deps.SignIns.QuerySignIns(r.Context(), c.TenantID, sq)
	if err != nil {
		return err
	}
	page := signInPage{ODataContext: selectContext(signInsContext, sel), Value: []any{}}
	if len(list) > top {
		list = list[:top]
		page.ODataNextLink = a.nextLink(r, signInToken(list[len(list)-1]))
	}
	for _, s := range list {
		if sel != nil {
			page.Value = append(page.Value, selectObject(signInOut(s), sel, ""))
			continue
		}
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
	sel, err := structSelect(otherResources, signInBody{}, "microsoft.graph.signIn", routeQuery(r).Select)
	if err != nil {
		return err
	}
	s, err := a.deps.SignIns.GetSignIn(r.Context(), c.TenantID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return notFound("Resource '" + r.PathValue("id") + "' does not exist or one of its queried reference-property objects are not present.")
	}
	if err != nil {
		return err
	}
	if sel != nil {
		writeJSON(w, http.StatusOK, selectObject(signInOut(s), sel, selectContext(signInsContext, sel)+"/$entity"))
		return nil
	}
	out := signInOut(s)
	out.ODataContext = signInsContext + "/$entity"
	writeJSON(w, http.StatusOK, out)
	return nil
}

// signInToken is the $skiptoken after s: its time and id, opaque to
// clients; the next page continues past s in the query's order.
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
