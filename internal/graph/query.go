package graph

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/guestgate/guestgate/internal/odata"
)

// Query options are parsed by internal/odata; this file turns its errors
// into Graph's 400s. Directory objects (users) answer with the
// Request_* codes, other resources (audit logs) with BadRequest.

// queryScope says which family of codes an endpoint's query errors use.
type queryScope bool

const (
	directoryObjects queryScope = true
	otherResources   queryScope = false
)

// unsupported is the 400 for a query Graph does not support.
func (s queryScope) unsupported(msg string) *Error {
	if s == directoryObjects {
		return &Error{Status: http.StatusBadRequest, Code: "Request_UnsupportedQuery", Message: msg}
	}
	return badRequest(msg)
}

// invalid is the 400 for a query that is malformed.
func (s queryScope) invalid(msg string) *Error {
	if s == directoryObjects {
		return directoryBadRequest(msg)
	}
	return badRequest(msg)
}

// parseQuery parses the request's OData options, allowing only those given.
func (s queryScope) parseQuery(r *http.Request, allowed ...string) (odata.Query, error) {
	return s.parseQueryValues(r.URL.Query(), allowed...)
}

func (s queryScope) parseQueryValues(v url.Values, allowed ...string) (odata.Query, error) {
	q, err := odata.ParseQuery(v, allowed...)
	var (
		oe *odata.OptionError
		se *odata.SyntaxError
		le *odata.LimitError
	)
	switch {
	case errors.As(err, &oe):
		return q, s.unsupported(oe.Msg)
	case errors.As(err, &le):
		return q, s.unsupported(le.Msg)
	case errors.As(err, &se) && se.Option == odata.OptFilter:
		return q, s.invalid("Invalid filter clause: " + se.Error())
	case errors.As(err, &se) && se.Option == odata.OptSearch:
		return q, s.invalid("Invalid $search clause: " + se.Error())
	case errors.As(err, &se):
		return q, s.invalid("Invalid " + se.Option + " value: " + se.Error())
	case err != nil:
		return q, err
	}
	return q, nil
}

// pageSize is $top: 1–999, default 100.
func (s queryScope) pageSize(q odata.Query) (int, error) {
	if !q.HasTop {
		return 100, nil
	}
	if q.Top < 1 || q.Top > 999 {
		return 0, s.invalid("Invalid page size specified: '" + itoa(q.Top) + "'. Must be between 1 and 999 inclusive.")
	}
	return q.Top, nil
}

// eventual reports the ConsistencyLevel: eventual header of Graph's
// advanced queries.
func eventual(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("ConsistencyLevel")), "eventual")
}

// nextLink is the URL of the following page: the request's own query
// with $skiptoken replaced.
func (a *API) nextLink(r *http.Request, token string) string {
	v := url.Values{}
	for k, vs := range r.URL.Query() {
		if !strings.EqualFold(k, odata.OptSkipToken) {
			v[k] = vs
		}
	}
	v.Set(odata.OptSkipToken, token)
	return a.deps.BaseURL + r.URL.Path + "?" + v.Encode()
}
