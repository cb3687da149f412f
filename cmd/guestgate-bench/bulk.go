package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// Bulk is the bulk-invitation figures: n invitations through the API, and
// how long until the SMTP server had received every invitation mail.
type Bulk struct {
	Invitations      int     `json:"invitations"`
	APISeconds       float64 `json:"api_s"`
	AllMailedSeconds float64 `json:"all_mailed_s"`
	APIP50ms         float64 `json:"api_p50_ms"`
	APIP99ms         float64 `json:"api_p99_ms"`
	Errors           int     `json:"errors"`
}

func bulkInvitations(ctx context.Context, base string, f fixture, s *sink, n int) (Bulk, error) {
	cc := clientcredentials.Config{ClientID: f.AppID, ClientSecret: f.Secret,
		TokenURL: base + "/" + f.TenantID + "/oauth2/v2.0/token", Scopes: []string{"https://graph.microsoft.com/.default"}}
	client := cc.Client(ctx)
	_, invites0 := s.counts()
	logf("bulk: %d invitations through POST /v1.0/invitations", n)
	var (
		next    atomic.Int64
		errs    atomic.Int64
		mu      sync.Mutex
		lat     []time.Duration
		wg      sync.WaitGroup
		started = time.Now()
	)
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				body, _ := json.Marshal(map[string]any{
					"invitedUserEmailAddress": fmt.Sprintf("invitee%07d@bulk.example", i),
					"inviteRedirectUrl":       "https://app.bench.example/", "sendInvitationMessage": true,
				})
				t := time.Now()
				resp, err := client.Post(base+"/v1.0/invitations", "application/json", bytes.NewReader(body))
				if err != nil || resp.StatusCode != http.StatusCreated {
					errs.Add(1)
				}
				if resp != nil {
					resp.Body.Close()
				}
				mu.Lock()
				lat = append(lat, time.Since(t))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	api := time.Since(started)
	want := n - int(errs.Load())
	for ctx.Err() == nil {
		if _, inv := s.counts(); inv-invites0 >= want {
			break
		}
		if time.Since(started) > 5*time.Minute {
			return Bulk{}, fmt.Errorf("bulk: only part of the invitation mails arrived within 5 minutes")
		}
		time.Sleep(10 * time.Millisecond) // polling a counter, not waiting instead of a condition: the sink has no per-count signal
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return Bulk{Invitations: n, APISeconds: api.Seconds(), AllMailedSeconds: time.Since(started).Seconds(),
		APIP50ms: ms(pct(lat, 0.5)), APIP99ms: ms(pct(lat, 0.99)), Errors: int(errs.Load())}, nil
}

func printBulk(b Bulk) {
	fmt.Printf("\nbulk: %d invitations: API done in %.1fs (p50 %.1f ms, p99 %.1f ms), all mails received at %.1fs, %d errors\n",
		b.Invitations, b.APISeconds, b.APIP50ms, b.APIP99ms, b.AllMailedSeconds, b.Errors)
}
