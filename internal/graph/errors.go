package graph

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/validation"
)

// Error is an API error with its Graph code. Handlers return it (or a
// domain error writeError knows) and writeError picks the status.
type Error struct {
	Status  int
	Code    string
	Message string
	// RetryAfter, when set, is sent as Retry-After (429).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func badRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: msg}
}

// directoryBadRequest is a 400 about a directory object, with the code
// Graph uses for them.
func directoryBadRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "Request_BadRequest", Message: msg}
}

// invalidUserProperty is Graph's 400 for a missing or unusable user property.
func invalidUserProperty(property string) *Error {
	return directoryBadRequest("Invalid value specified for property '" + property + "' of resource 'User'.")
}

func notFound(msg string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "Request_ResourceNotFound", Message: msg}
}

var (
	errUnauthenticated = &Error{Status: http.StatusUnauthorized, Code: "InvalidAuthenticationToken", Message: "Access token is missing or invalid."}
	errForbidden       = &Error{Status: http.StatusForbidden, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."}
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code       string     `json:"code"`
	Message    string     `json:"message"`
	InnerError innerError `json:"innerError"`
}

type innerError struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

// unavailableRetry is the Retry-After of a 503 while the database is down.
const unavailableRetry = 5 * time.Second

// writeError is the only mapper from errors to Graph's error envelope.
// Unknown errors become a generic 500; their detail goes only to the log.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		e  *Error
		ve *validation.Error
		pw *member.PasswordError
		de *collab.DomainError
	)
	switch {
	case errors.As(err, &e):
	case errors.As(err, &pw):
		e = directoryBadRequest("The specified password does not comply with password complexity requirements. Please provide a different password. Reason: " + pw.Reason + ".")
	case errors.Is(err, member.ErrUnverifiedDomain):
		e = directoryBadRequest("The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.")
	case errors.As(err, &ve):
		e = invalidValue(ve)
	case errors.Is(err, lifecycle.ErrRestoreConflict):
		e = directoryBadRequest("A conflicting object with one or more of the specified property values is present in the directory.")
	case errors.Is(err, invitation.ErrOwnDomain):
		e = badRequest("This user cannot be invited because the domain of the user's email address is a verified domain of this directory.")
	case errors.Is(err, invitation.ErrMemberExists):
		e = badRequest(err.Error())
	case errors.Is(err, invitation.ErrNotAdministered):
		e = &Error{Status: errForbidden.Status, Code: errForbidden.Code, Message: "This directory has no administrator, so it cannot invite guests."}
	case errors.Is(err, federation.ErrWSFedUnsupported), errors.Is(err, federation.ErrBuiltIn):
		e = badRequest(err.Error() + ".")
	case errors.Is(err, federation.ErrMetadataUnavailable):
		// Never the cause (a port, a status, the answer): the log has it.
		e = badRequest("The federation metadata could not be fetched from the metadata URL, so nothing was saved. Check that the URL is the partner's https metadata address.")
	case errors.As(err, &de):
		e = badRequest(de.Error())
	case errors.Is(err, roles.ErrUnknownRole):
		e = badRequest("Invalid value for property 'roleDefinitionId': " + roles.ErrUnknownRole.Error() + ".")
	case errors.Is(err, roles.ErrNotMember):
		e = badRequest("Invalid value for property 'principalId': " + roles.ErrNotMember.Error() + ".")
	case errors.Is(err, roles.ErrPrivilegedTarget):
		// R14: Graph's answer to a change of an admin the caller does not manage.
		e = errForbidden
	case errors.Is(err, roles.ErrLastGlobalAdmin):
		e = directoryBadRequest("The last Global Administrator of the organization cannot be disabled, deleted or removed from the role. Assign the role to another user first.")
	case errors.Is(err, roles.ErrScope):
		e = badRequest("Invalid value for property 'directoryScopeId': " + roles.ErrScope.Error() + ".")
	case errors.Is(err, groups.ErrDisplayName):
		e = directoryBadRequest("Invalid value specified for property 'displayName' of resource 'Group'. " + groups.ErrDisplayName.Error() + ".")
	case errors.Is(err, groups.ErrMailNickname):
		e = directoryBadRequest("Invalid value specified for property 'mailNickname' of resource 'Group'. " + groups.ErrMailNickname.Error() + ".")
	case errors.Is(err, groups.ErrDescription):
		e = directoryBadRequest("Invalid value specified for property 'description' of resource 'Group'. " + groups.ErrDescription.Error() + ".")
	case errors.Is(err, groups.ErrCycle):
		e = directoryBadRequest("The member cannot be added: " + groups.ErrCycle.Error() + ".")
	case errors.Is(err, groups.ErrTooManyMembers):
		e = directoryBadRequest(groups.ErrTooManyMembers.Error() + ".")
	case errors.Is(err, groups.ErrTooDeep):
		e = directoryBadRequest(groups.ErrTooDeep.Error() + ".")
	case errors.Is(err, store.ErrAlreadyExists):
		e = directoryBadRequest("A conflicting object with one or more of the specified property values is present in the directory.")
	case errors.Is(err, store.ErrNotFound):
		e = notFound("Resource does not exist or one of its queried reference-property objects are not present.")
	case errors.Is(err, store.ErrTimeout):
		a.log.WarnContext(r.Context(), "admin API request stopped: a query ran past the query timeout", "method", r.Method, "path", r.URL.Path, "err", err, "request_id", httpx.RequestID(r.Context()))
		e = &Error{Status: http.StatusServiceUnavailable, Code: "serviceNotAvailable", RetryAfter: unavailableRetry,
			Message: "The query took longer than the service allows and was stopped. Narrow it ($filter, $search, $top) or retry after the interval in the Retry-After header."}
	case errors.Is(err, store.ErrUnavailable):
		a.log.WarnContext(r.Context(), "admin API request failed: database unavailable", "method", r.Method, "path", r.URL.Path, "err", err, "request_id", httpx.RequestID(r.Context()))
		e = &Error{Status: http.StatusServiceUnavailable, Code: "serviceNotAvailable", RetryAfter: unavailableRetry,
			Message: "The service is temporarily unavailable. Retry after the interval in the Retry-After header."}
	default:
		a.log.ErrorContext(r.Context(), "admin API request failed", "method", r.Method, "path", r.URL.Path, "err", err, "request_id", httpx.RequestID(r.Context()))
		e = &Error{Status: http.StatusInternalServerError, Code: "generalException", Message: "An internal error occurred. Quote the request-id when you report it."}
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", itoa(int(e.RetryAfter.Round(time.Second)/time.Second)))
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="guestgate", error="invalid_token"`)
	}
	ctx := r.Context()
	writeJSON(w, e.Status, errorBody{Error: errorDetail{
		Code: e.Code, Message: e.Message,
		InnerError: innerError{
			Date:      a.clock.Now().UTC().Format("2006-01-02T15:04:05"),
			RequestID: httpx.RequestID(ctx), ClientRequestID: httpx.ClientRequestID(ctx),
		},
	}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// invalidValue is Graph's answer to a value the caller must correct, worded
// as Graph words it for the resource: a user's property is a directory
// error (one already taken by another user says so), an invitation's is
// the bare "property: message", a setting's names the property.
func invalidValue(ve *validation.Error) *Error {
	switch ve.Resource {
	case validation.ResourceUser:
		if errors.Is(ve.Err, member.ErrAddressTaken) || errors.Is(ve.Err, lifecycle.ErrAddressTaken) {
			return directoryBadRequest("Another object with the same value for property " + ve.Property + " already exists.")
		}
		return directoryBadRequest("Invalid value specified for property '" + ve.Property + "' of resource 'User'. " + ve.Message)
	case validation.ResourceInvitation:
		return badRequest(ve.Error())
	}
	return badRequest("Invalid value for property '" + ve.Property + "': " + ve.Message + ".")
}
