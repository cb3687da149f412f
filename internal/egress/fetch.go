package egress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrStatus: the answer's status is not 200 OK.
var ErrStatus = errors.New("egress: the answer is not 200 OK")

// Get fetches a document with c (a Client of NewClient, whose limits
// apply) and returns its body. An answer other than 200 OK is ErrStatus;
// its body is not read, so it can never be shown.
func Get(ctx context.Context, c *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("egress: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s from %s", ErrStatus, resp.Status, url)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("egress: read %s: %w", url, err)
	}
	return body, nil
}
