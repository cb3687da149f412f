package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/demoapp"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/server"
)

func newDemoCommand(f *configFlags) *cobra.Command {
	var appListen string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a self-contained demo: embedded SQLite, the dev mailbox, a tenant, a sample app and an invitation",
		Long: `Start guestgate on an embedded SQLite file in a temporary directory with the built-in dev
mailbox (no SMTP), create the demo tenant "Fabrikam" (verified domain fabrikam.example), a sample app
("Fabrikam shared resource", an OpenID Connect client served on its own address, --demo-app-listen),
an invitation for teri@gmail.example, a Global Administrator (admin@fabrikam.example, with a
password made for this run) and an app allowed to invite ("Invite bot"), and print the redeem link,
the admin console's address with the password, and a curl invitation. Open the redeem link (or the
sample app), press Send code, read the code in the dev mailbox, type it, and you land in the sample app, which
shows your claims. Everything is discarded when the demo stops.

guestgate listens on --listen (default 127.0.0.1:8080) and, unless --public-url is given, its links
use that address: "guestgate demo --listen 127.0.0.1:18100" serves and links http://127.0.0.1:18100.
A --public-url whose port differs from --listen's is refused (its links would be dead).

The banner is printed once both ports are bound. Request logs stay out of the terminal unless
--log-level debug (or info) asks for them. The first "go run" compiles guestgate, which takes about
a minute; a built binary starts at once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd, f, appListen)
		},
	}
	cmd.Flags().StringVar(&appListen, "demo-app-listen", "127.0.0.1:8081", "address the sample app serves on")
	return cmd
}

func runDemo(cmd *cobra.Command, f *configFlags, appListen string) error {
	ctx := cmd.Context()
	cfg, err := f.load(cmd)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "guestgate-demo-")
	if err != nil {
		return fmt.Errorf("demo: temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = filepath.Join(dir, "guestgate-demo.db")
	}
	cfg.SMTPURL, cfg.DevMailbox = "", true
	// A try-out may federate with an identity provider on this machine.
	cfg.FederationAllowHTTP = true
	if cfg.FederationAllowAddresses == "" {
		cfg.FederationAllowAddresses = "127.0.0.0/8,::1"
	}
	if cfg.Secret == "" {
		cfg.Secret = randomSecret()
	}
	log, err := f.logger(cmd, true)
	if err != nil {
		return err
	}
	// Both ports are bound before the banner names them.
	gl, err := listenOn("listen", cfg.Listen)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	given := ""
	if cmd.Flags().Changed("public-url") {
		given = cfg.PublicURL
	}
	if cfg.PublicURL, err = demoPublicURL(given, gl); err != nil {
		gl.Close()
		return fmt.Errorf("demo: %w", err)
	}
	srv, err := server.Open(ctx, cfg, server.Options{Logger: log, Listener: gl})
	if err != nil {
		gl.Close()
		return err
	}
	defer srv.Close()
	ln, err := listenOn("demo-app-listen", appListen)
	if err != nil {
		return fmt.Errorf("demo: sample app: %w", err)
	}
	defer ln.Close()
	appURL := listenerURL(ln)
	ops, err := srv.Base().Operator()
	if err != nil {
		return err
	}
	seed, err := seedDemo(ctx, ops, cfg, appURL)
	if err != nil {
		return err
	}
	app, err := demoapp.New(ctx, demoapp.Config{
		Issuer: cfg.PublicURL + "/" + seed.tenantID + "/v2.0", ClientID: seed.appID, ClientSecret: seed.secret,
		RedirectURL: appURL + "/callback", PostLogoutURL: appURL + "/", TenantName: "Fabrikam",
	})
	if err != nil {
		return fmt.Errorf("demo: sample app: %w", err)
	}
	printDemo(cmd.OutOrStdout(), cfg, appURL, seed)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Run(gctx) })
	g.Go(func() error { return serveDemoApp(gctx, ln, app) })
	return g.Wait()
}

// serveDemoApp serves the sample app on ln until ctx ends.
func serveDemoApp(ctx context.Context, ln net.Listener, h http.Handler) error {
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	stopped := make(chan error, 1)
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopped <- s.Shutdown(shutdownCtx)
	}()
	if err := s.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("demo: sample app: serve: %w", err)
	}
	return <-stopped
}

// listenerURL is the http URL of a loopback or specific listener; an
// unspecified address (":8081", "0.0.0.0:8081") is reached at 127.0.0.1.
func listenerURL(ln net.Listener) string {
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return "http://" + ln.Addr().String()
	}
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
}

// demoAdmin is the demo tenant's Global Administrator.
const demoAdmin = "admin@fabrikam.example"

// demoSeed is what seedDemo created.
type demoSeed struct {
	tenantID, appID, secret string
	redeemURL               string
	// adminPassword is the Global Administrator's password, generated for
	// this run and printed once.
	adminPassword string
	// botID and botSecret are the invite bot's credentials (an app holding
	// User.Invite.All, for the banner's curl invitation).
	botID, botSecret string
}

// seedDemo creates the demo tenant with its Global Administrator, the
// sample app's registration (served at appURL), an invite bot app and an
// invitation that leads to the sample app.
func seedDemo(ctx context.Context, ops *admin.Operator, cfg server.Config, appURL string) (demoSeed, error) {
	password, err := demoPassword()
	if err != nil {
		return demoSeed{}, fmt.Errorf("demo: administrator password: %w", err)
	}
	t, _, err := ops.CreateTenantWithAdmin(ctx, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}},
		member.NewMember{UserPrincipalName: demoAdmin, DisplayName: "Fabrikam Admin", Password: password, AccountEnabled: true})
	if err != nil {
		return demoSeed{}, fmt.Errorf("demo: create tenant: %w", err)
	}
	app, secret, err := ops.CreateApp(ctx, t.ID, "Fabrikam shared resource", nil, []string{appURL + "/callback"}, []string{appURL + "/"}, false)
	if err != nil {
		return demoSeed{}, fmt.Errorf("demo: create app: %w", err)
	}
	bot, botSecret, err := ops.CreateApp(ctx, t.ID, "Invite bot", []string{"User.Invite.All"}, nil, nil, false)
	if err != nil {
		return demoSeed{}, fmt.Errorf("demo: create invite bot: %w", err)
	}
	res, err := ops.Invite(ctx, t, invitation.Request{
		Email: "teri@gmail.example", DisplayName: "Teri", RedirectURL: appURL, SendMessage: true,
		CustomMessage: "Welcome to Fabrikam's shared resources!",
	})
	if err != nil {
		return demoSeed{}, fmt.Errorf("demo: invite: %w", err)
	}
	return demoSeed{tenantID: t.ID, appID: app.AppID, secret: secret, redeemURL: res.RedeemURL,
		adminPassword: password, botID: bot.AppID, botSecret: botSecret}, nil
}

// demoPassword is a random password the member rules accept: 20 letters
// and digits from an alphabet without look-alikes (about 110 bits), in
// groups of five to make it easy to type.
func demoPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for {
		var b [20]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		var p []byte
		for i, c := range b {
			if i > 0 && i%5 == 0 {
				p = append(p, '-')
			}
			p = append(p, alphabet[int(c)%len(alphabet)])
		}
		if member.CheckPassword(string(p), demoAdmin) == nil {
			return string(p), nil
		}
	}
}

// printDemo prints how to walk through the demo, sign in to the console
// and invite through the API.
func printDemo(w io.Writer, cfg server.Config, appURL string, s demoSeed) {
	fmt.Fprintf(w, `
guestgate demo is running at %[1]s

  tenant      Fabrikam  id %[2]s  domain fabrikam.example
  app         Fabrikam shared resource  %[3]s  (client id %[4]s)
  invitation  teri@gmail.example

A guest's sign-in:
  1. Open the redeem link:  %[5]s
     (or open the sample app directly:  %[3]s  and sign in as teri@gmail.example)
  2. Press "Send code".
  3. Read the code in the dev mailbox:  %[1]s/dev/mailbox  and type it.
  4. You land in the sample app, signed in, seeing your claims (email, idp "mail", tid, oid, ...).

The admin console:  %[1]s/fabrikam.example/admin/
  sign in as %[6]s (Global Administrator) with the password  %[7]s
  (made for this run and shown only here)

An invitation through the API (as the app "Invite bot", which holds User.Invite.All; needs jq):
  TOKEN=$(curl -s %[1]s/fabrikam.example/oauth2/v2.0/token \
    -d grant_type=client_credentials -d client_id=%[8]s -d client_secret='%[9]s' \
    -d scope=https://graph.microsoft.com/.default | jq -r .access_token)
  curl -s %[1]s/v1.0/invitations -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"invitedUserEmailAddress":"kim@contoso.example","inviteRedirectUrl":"%[3]s","sendInvitationMessage":true}'
  (the mail arrives in the dev mailbox)

Press Ctrl+C to stop (the demo database is discarded).

`, cfg.PublicURL, s.tenantID, appURL, s.appID, s.redeemURL, demoAdmin, s.adminPassword, s.botID, s.botSecret)
}

func randomSecret() string {
	var b [48]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
