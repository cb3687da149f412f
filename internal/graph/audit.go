package graph

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/store"
)

// directoryAuditBody is Graph's directoryAudit.
type directoryAuditBody struct {
	ID                  string           `json:"id"`
	Category            string           `json:"category"`
	CorrelationID       string           `json:"correlationId"`
	Result              string           `json:"result"`
	ResultReason        string           `json:"resultReason"`
	ActivityDisplayName string           `json:"activityDisplayName"`
	ActivityDateTime    string           `json:"activityDateTime"`
	LoggedByService     string           `json:"loggedByService"`
	OperationType       string           `json:"operationType"`
	InitiatedBy         auditInitiator   `json:"initiatedBy"`
	TargetResources     []targetResource `json:"targetResources"`
	AdditionalDetails   []keyValue       `json:"additionalDetails"`
}

// auditInitiator is Graph's auditActivityInitiator: an app or a user.
type auditInitiator struct {
	App  *appIdentity  `json:"app"`
	User *userIdentity `json:"user"`
}

type appIdentity struct {
	AppID                *string `json:"appId"`
	DisplayName          *string `json:"displayName"`
	ServicePrincipalID   *string `json:"servicePrincipalId"`
	ServicePrincipalName *string `json:"servicePrincipalName"`
}

type userIdentity struct {
	ID                *string `json:"id"`
	DisplayName       *string `json:"displayName"`
	UserPrincipalName *string `json:"userPrincipalName"`
	IPAddress         *string `json:"ipAddress"`
}

type targetResource struct {
	ID                 string             `json:"id"`
	DisplayName        *string            `json:"displayName"`
	Type               string             `json:"type"`
	UserPrincipalName  *string            `json:"userPrincipalName"`
	GroupType          *string            `json:"groupType"`
	ModifiedProperties []modifiedProperty `json:"modifiedProperties"`
}

type modifiedProperty struct {
	DisplayName string  `json:"displayName"`
	OldValue    *string `json:"oldValue"`
	NewValue    *string `json:"newValue"`
}

type keyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// auditTime is Graph's activityDateTime format (UTC, seven fraction digits).
const auditTime = "2006-01-02T15:04:05.0000000Z"

func directoryAuditOut(r audit.Record) directoryAuditBody {
	out := directoryAuditBody{
		ID: r.ID, Category: r.Category, CorrelationID: r.CorrelationID, Result: r.Result,
		ResultReason: r.ResultReason, ActivityDisplayName: r.Activity,
		ActivityDateTime: r.ActivityAt.UTC().Format(auditTime), LoggedByService: r.LoggedByService,
		OperationType: r.OperationType, TargetResources: []targetResource{}, AdditionalDetails: []keyValue{},
	}
	if by := r.InitiatedBy; by.IsUser() {
		out.InitiatedBy.User = &userIdentity{ID: nilIfEmpty(by.UserID), DisplayName: nilIfEmpty(by.UserName), UserPrincipalName: nilIfEmpty(by.UserPrincipalName)}
	} else {
		out.InitiatedBy.App = &appIdentity{AppID: nilIfEmpty(by.AppID), DisplayName: nilIfEmpty(by.AppName), ServicePrincipalName: nilIfEmpty(by.AppName)}
	}
	for _, t := range r.Targets {
		tr := targetResource{ID: t.ID, DisplayName: nilIfEmpty(t.DisplayName), Type: t.Type, UserPrincipalName: nilIfEmpty(t.UserPrincipalName), ModifiedProperties: []modifiedProperty{}}
		for _, m := range t.Modified {
			tr.ModifiedProperties = append(tr.ModifiedProperties, modifiedProperty{DisplayName: m.Property, OldValue: nilIfEmpty(m.Old), NewValue: nilIfEmpty(m.New)})
		}
		out.TargetResources = append(out.TargetResources, tr)
	}
	for _, kv := range r.AdditionalDetails {
		out.AdditionalDetails = append(out.AdditionalDetails, keyValue(kv))
	}
	return out
}

type auditPage struct {
	ODataContext  string               `json:"@odata.context"`
	ODataNextLink string               `json:"@odata.nextLink,omitempty"`
	Value         []directoryAuditBody `json:"value"`
}

// listDirectoryAudits is GET /v1.0/auditLogs/directoryAudits, newest
// first, with $top (1–999, default 100) and $skiptoken.
func (a *API) listDirectoryAudits(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAuditRead...); err != nil {
		return err
	}
	q := r.URL.Query()
	top, err := parseTop(q.Get("$top"))
	if err != nil {
		return err
	}
	var before int64
	if tok := q.Get("$skiptoken"); tok != "" {
		if before, err = strconv.ParseInt(tok, 10, 64); err != nil || before <= 0 {
			return badRequest("Invalid $skiptoken.")
		}
	}
	recs, err := a.deps.Audit.ListAudits(r.Context(), c.TenantID, before, top+1)
	if err != nil {
		return err
	}
	page := auditPage{ODataContext: "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits", Value: []directoryAuditBody{}}
	if len(recs) > top {
		recs = recs[:top]
		next := url.Values{"$top": {strconv.Itoa(top)}, "$skiptoken": {strconv.FormatInt(recs[len(recs)-1].Seq, 10)}}
		page.ODataNextLink = a.deps.BaseURL + "/v1.0/auditLogs/directoryAudits?" + next.Encode()
	}
	for _, rec := range recs {
		page.Value = append(page.Value, directoryAuditOut(rec))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// getDirectoryAudit is GET /v1.0/auditLogs/directoryAudits/{id}.
func (a *API) getDirectoryAudit(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permAuditRead...); err != nil {
		return err
	}
	rec, err := a.deps.Audit.GetAudit(r.Context(), c.TenantID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return notFound("Resource '" + r.PathValue("id") + "' does not exist or one of its queried reference-property objects are not present.")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, directoryAuditEntity{
		ODataContext: "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits/$entity", directoryAuditBody: directoryAuditOut(rec),
	})
	return nil
}

// directoryAuditEntity is one directoryAudit answered by itself.
type directoryAuditEntity struct {
	ODataContext string `json:"@odata.context"`
	directoryAuditBody
}
