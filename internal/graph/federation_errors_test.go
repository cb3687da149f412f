package graph

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/federation"
)

// TestWriteErrorMetadataGeneric (issue 20, finding 4): a metadata URL that
// could not be fetched answers a generic 400, whatever the error carries:
// never the port, the status or a byte of the partner's (or an internal
// service's) answer.
func TestWriteErrorMetadataGeneric(t *testing.T) {
	a := mustNew(Deps{Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))})
	for _, err := range []error{
		federation.ErrMetadataUnavailable,
		fmt.Errorf("%w from http://127.0.0.1:6379/: dial tcp 127.0.0.1:6379: connection refused", federation.ErrMetadataUnavailable),
		fmt.Errorf("%w: not SAML metadata: -ERR unknown command 'GET', internal-only", federation.ErrMetadataUnavailable),
	} {
		w := httptest.NewRecorder()
		a.writeError(w, httptest.NewRequest(http.MethodPost, "/v1.0/directory/federationConfigurations/graph.samlOrWsFedExternalDomainFederation", nil), err)
		body := w.Body.String()
		if w.Code != http.StatusBadRequest || !strings.Contains(body, "The federation metadata could not be fetched from the metadata URL, so nothing was saved.") {
			t.Fatalf("%v: %d %s, want 400 with the generic message", err, w.Code, body)
		}
		for _, leak := range []string{"6379", "refused", "internal-only", "ERR"} {
			if strings.Contains(body, leak) {
				t.Fatalf("F4_errors_generic: the answer shows %q: %s", leak, body)
			}
		}
	}
}
