package validation

import (
	"errors"
	"fmt"
	"testing"
)

// TestError: the text is "property: message", and the reason is reachable
// through a wrapping error.
func TestError(t *testing.T) {
	reason := errors.New("taken")
	err := fmt.Errorf("create: %w", &Error{Property: "mail", Message: "is taken", Resource: ResourceUser, Err: reason})
	var ve *Error
	if !errors.As(err, &ve) || ve.Error() != "mail: is taken" || ve.Resource != ResourceUser {
		t.Fatalf("errors.As = %v", ve)
	}
	if !errors.Is(err, reason) {
		t.Fatal("the reason is not reachable")
	}
	if (&Error{Property: "p"}).Unwrap() != nil {
		t.Fatal("no reason unwraps to something")
	}
}
