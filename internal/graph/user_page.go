package graph

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/guestgate/guestgate/internal/directory"
)

// userPage is one page of GET /v1.0/users: Graph's collection with
// @odata.context, @odata.count (advanced queries with $count), and
// @odata.nextLink, in that order.
type userPage struct {
	context       string
	count         *int
	nextLink      string
	users         []directory.User
	initialDomain string
	fields        userFields
}

// pageBuffers are reused between pages: a page of 100 users with every
// property is 200–300 KB of JSON.
var pageBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// flushAt is how much of a page is buffered before it is written out.
const flushAt = 32 << 10

// write answers the page (200), writing users as they are encoded rather
// than building the document first; the bytes are those writeJSON wrote
// for the same page.
func (p userPage) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	bp := pageBuffers.Get().(*[]byte)
	defer pageBuffers.Put(bp)
	b := append((*bp)[:0], `{"@odata.context":`...)
	b = appendJSONString(b, p.context)
	if p.count != nil {
		b = append(b, `,"@odata.count":`...)
		b = strconv.AppendInt(b, int64(*p.count), 10)
	}
	if p.nextLink != "" {
		b = append(b, `,"@odata.nextLink":`...)
		b = appendJSONString(b, p.nextLink)
	}
	b = append(b, `,"value":[`...)
	for i, u := range p.users {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendUser(b, u, p.initialDomain, p.fields)
		if len(b) >= flushAt {
			if _, err := w.Write(b); err != nil {
				*bp = b[:0]
				return // the client went away
			}
			b = b[:0]
		}
	}
	b = append(b, "]}\n"...)
	_, _ = w.Write(b)
	*bp = b[:0]
}
