package federation_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// expiries is the real store, noting the expiry each used assertion is
// kept until.
type expiries struct {
	*sqlstore.DB

	mu   sync.Mutex
	kept []time.Duration // expiry minus the time of use
}

func (e *expiries) ConsumeAssertion(ctx context.Context, tenantID, key string, now, expires time.Time) error {
	e.mu.Lock()
	e.kept = append(e.kept, expires.Sub(now))
	e.mu.Unlock()
	return e.DB.ConsumeAssertion(ctx, tenantID, key, now, expires)
}

// TestSAMLReplayCacheOnTheStore (issue 21, tests for the wiring): on each
// engine's store, the SAML provider keeps a used assertion for as long as
// the assertion is valid (not less: another sign-in in between, which
// drops expired records, must not forget it; not for ever: the records
// expire), so a replay a minute later, after another assertion was used,
// is refused.
func TestSAMLReplayCacheOnTheStore(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			db, err := sqlstore.Open(ctx, e.DSN(t), sqlstore.Options{Logger: log})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			c := clock.NewFake(time.Now())
			tn, err := directory.NewTenant(directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}}, "guestgate.local", c.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := db.CreateTenant(ctx, tn); err != nil {
				t.Fatal(err)
			}
			st := &expiries{DB: db}
			svc, err := federation.NewService(
				federation.Config{PublicURL: "https://id.guestgate.example", Key: []byte("federation-key-0123456789abcdef-0123")},
				federation.Deps{Store: st, Directory: db, Audit: db, Tx: db, Clock: c, Log: log})
			if err != nil {
				t.Fatal(err)
			}
			partner := newSAMLPartner(t)
			f := federation.Federation{TenantID: tn.ID, ID: "saml-1", Kind: federation.KindSAML, Issuer: partner.idp.MetadataURL.String(),
				Domains: []string{"partner.example"}, Settings: federation.Settings{PassiveSignInURI: partner.idp.SSOURL.String(),
					SigningCertificates: []string{partner.cert}}}
			spMeta, err := svc.SAMLMetadata(tn.ID)
			if err != nil {
				t.Fatal(err)
			}
			finish := func(s federation.State, response string) error {
				p, err := svc.Provider(f)
				if err != nil {
					t.Fatal(err)
				}
				_, err = p.Finish(ctx, s, acs(response))
				return err
			}
			first := federation.NewState("sam@partner.example")
			replayed := partner.answer(t, spMeta, first, "sam@partner.example")
			if err := finish(first, replayed); err != nil {
				t.Fatalf("first use: %v", err)
			}
			c.Advance(time.Minute)
			second := federation.NewState("kai@partner.example")
			if err := finish(second, partner.answer(t, spMeta, second, "kai@partner.example")); err != nil {
				t.Fatalf("another assertion a minute later: %v", err)
			}
			var pe *federation.PartnerError
			if err := finish(first, replayed); !errors.As(err, &pe) || pe.Problem != federation.ProblemReplay {
				t.Fatalf("the first assertion replayed after another sign-in: %v, want a replay refusal", err)
			}
			st.mu.Lock()
			defer st.mu.Unlock()
			for _, d := range st.kept {
				if d <= 0 || d > 24*time.Hour {
					t.Fatalf("a used assertion is kept %s after its use; want as long as it is valid (minutes), and not for ever", d)
				}
			}
		})
	}
}
