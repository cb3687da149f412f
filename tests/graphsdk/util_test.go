package graphsdk

import (
	"errors"
	"fmt"

	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

type graphClient = *msgraphsdk.GraphServiceClient

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// describe spells out a Graph error the SDK returns: status, code, message.
func describe(err error) error {
	var o *odataerrors.ODataError
	if errors.As(err, &o) {
		if e := o.GetErrorEscaped(); e != nil {
			return fmt.Errorf("%d %s: %s", o.ResponseStatusCode, deref(e.GetCode()), deref(e.GetMessage()))
		}
		return fmt.Errorf("%d: %w", o.ResponseStatusCode, err)
	}
	return err
}
