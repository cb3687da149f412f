package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
)

// kratosAddress is Kratos pool identity i's address.
func kratosAddress(i int) string { return fmt.Sprintf("peer%07d@partner%d.example", i, i%97) }

// seedKratos creates an identity for each of the first n pool addresses
// through Kratos's admin API (identity schema "default", the address as
// its email trait, the code credential's identifier). An identity that
// already exists (409, an earlier run's) is kept. Not timed.
func seedKratos(ctx context.Context, c *http.Client, admin string, n int) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				body := map[string]any{"schema_id": "default", "traits": map[string]string{"email": kratosAddress(i)}}
				status, b, err := callJSON(ctx, c, http.MethodPost, admin+"/admin/identities", body)
				if err == nil && status != http.StatusCreated && status != http.StatusConflict {
					err = errors.New(kratosFailure(status, b))
				}
				if err != nil {
					errs <- fmt.Errorf("seed Kratos identity %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs // nil when none failed
}

// kratosVersion asks Kratos's admin API which version it is.
func kratosVersion(ctx context.Context, c *http.Client, admin string) (string, error) {
	status, b, err := callJSON(ctx, c, http.MethodGet, admin+"/admin/version", nil)
	if err != nil {
		return "", fmt.Errorf("kratos version: %w", err)
	}
	var v struct {
		Version string `json:"version"`
	}
	if status != http.StatusOK || json.Unmarshal(b, &v) != nil || v.Version == "" {
		return "", fmt.Errorf("kratos version: HTTP %d", status)
	}
	return v.Version, nil
}
