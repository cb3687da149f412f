package graph

import (
	"context"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/odata"
)

// Every route declares the OData query options it takes (api.go). handle
// parses them, matched in any case, before the token is verified: any
// other $-option, or one given twice, is 400 — Request_UnsupportedQuery
// on directory objects, BadRequest on other resources — on every route,
// those that take no options included, so no option is silently ignored.
// Parameters without "$" are not OData's and are left alone. Handlers
// read the parsed options with routeQuery.

// route is one entry of the route table.
type route struct {
	pattern string     // as ServeMux takes it: "GET /v1.0/users/{id}"
	scope   queryScope // the codes of its query errors
	options []string   // the OData options it takes (odata.Opt…)
}

type routeQueryKey struct{}

func withRouteQuery(ctx context.Context, q odata.Query) context.Context {
	return context.WithValue(ctx, routeQueryKey{}, q)
}

// routeQuery is the request's OData query, as its route took it.
func routeQuery(r *http.Request) odata.Query {
	q, _ := r.Context().Value(routeQueryKey{}).(odata.Query)
	return q
}

// Graph's URLs are case-insensitive in their segment names and entity keys
// (/Users, /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Email);
// Go's ServeMux is not. handle records every literal segment of a route,
// and ServeHTTP rewrites each segment of a request that matches one of
// them, ignoring case, to the route's spelling before routing. Values
// (object ids, user principal names) are never literal segments, so they
// pass unchanged.

func (a *API) learnSegments(pattern string) {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		pattern = path
	}
	for seg := range strings.SplitSeq(pattern, "/") {
		if seg == "" || strings.HasPrefix(seg, "{") {
			continue
		}
		a.segments[strings.ToLower(seg)] = seg
	}
}

// canonicalPath spells the known segments of p as the routes do, without
// a trailing slash (Graph answers ".../localizations/" as ".../localizations",
// and its documentation sends such paths).
func (a *API) canonicalPath(p string) string {
	trimmed := p
	if t := strings.TrimSuffix(p, "/"); strings.Count(t, "/") > 1 {
		trimmed = t // not "/v1.0/" itself
	}
	segs := strings.Split(trimmed, "/")
	changed := trimmed != p
	for i, seg := range segs {
		if c, ok := a.segments[strings.ToLower(seg)]; ok && c != seg {
			segs[i], changed = c, true
		}
	}
	if !changed {
		return p
	}
	return strings.Join(segs, "/")
}

// errVersion answers a path under another API version (/beta/…). Graph
// answers a version segment it does not serve with 400 BadRequest
// "Invalid version"; guestgate serves v1.0 only, so /beta is such a version
// here, in Graph's envelope rather than a plain-text page.
func errVersion(version string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Invalid version: " + version + ". This service implements Microsoft Graph v1.0 only."}
}

// errMethod is Graph's answer to a method a resource does not support.
var errMethod = &Error{Status: http.StatusMethodNotAllowed, Code: "Request_BadRequest", Message: "Specified HTTP method is not allowed for the request target."}

// unrouted answers a request no route took: the mux's own handler says
// whether the path exists with other methods (405, with Allow), needs a
// redirect (a cleaned path), or is unknown; 405 and unknown paths are
// written in Graph's envelope.
func (a *API) unrouted(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := &captureWriter{header: http.Header{}}
	h.ServeHTTP(rec, r)
	switch rec.status {
	case http.StatusMethodNotAllowed:
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		a.writeError(w, r, errMethod)
	case http.StatusNotFound, 0:
		a.writeError(w, r, &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Resource not found for the segment '" + strings.TrimPrefix(r.URL.Path, "/v1.0/") + "'."})
	default:
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body)
	}
}

// captureWriter keeps what the mux's fallback handlers write.
type captureWriter struct {
	header http.Header
	status int
	body   []byte
}

func (c *captureWriter) Header() http.Header { return c.header }

func (c *captureWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body = append(c.body, b...)
	return len(b), nil
}
