package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/testenv"
)

// readmeSection returns the text of the README section with that heading.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	i := strings.Index(s, "\n## "+heading+"\n")
	if i < 0 {
		t.Fatalf("README has no section %q", heading)
	}
	s = s[i+1:]
	if j := strings.Index(s[3:], "\n## "); j >= 0 {
		s = s[:j+3]
	}
	return s
}

var fenceRe = regexp.MustCompile("(?s)```(\\w+)\n(.*?)```")

// codeBlocks returns the section's fenced blocks of a language, in order.
func codeBlocks(section, lang string) []string {
	var out []string
	for _, m := range fenceRe.FindAllStringSubmatch(section, -1) {
		if m[1] == lang {
			out = append(out, m[2])
		}
	}
	return out
}

// shellWords splits a command line as sh would for the README's simple
// commands (double and single quotes, no expansions).
func shellWords(line string) []string {
	var (
		words []string
		cur   strings.Builder
		quote rune
		in    bool
	)
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words, in = append(words, cur.String()), false
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// TestREADMERunningItForReal walks the README's "Running it for real" on a
// clean machine: it builds the binary with the README's command, creates
// the PostgreSQL role and database with its SQL, starts `guestgate serve`
// with exactly the variables it exports (values pointing at this test's
// database and SMTP server), runs its tenant and app commands, takes a
// token and posts its invitation, and redeems the invitation from the mail
// the SMTP server received. Bounded in time; PostgreSQL only.
// readmeAdminPassword is what the walk types at tenant create's prompt.
const readmeAdminPassword = "correct-Horse-Battery-2026"

func TestREADMERunningItForReal(t *testing.T) {
	section := readmeSection(t, "Running it for real")
	base := os.Getenv(testenv.PostgresEnv)
	if base == "" {
		base = testenv.DefaultPostgres
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		testenv.Unavailable(t, "PostgreSQL ("+testenv.PostgresEnv+")")
	}

	// 1. The binary, with the README's build command.
	var build []string
	for _, block := range codeBlocks(section, "sh") {
		for _, line := range strings.Split(block, "\n") {
			if strings.Contains(line, "go build") {
				build = shellWords(line)
			}
		}
	}
	if len(build) < 3 || build[0] != "CGO_ENABLED=0" || !slices.Contains(build, "-o") {
		t.Fatalf("README: no build command: %q", build)
	}
	bin := filepath.Join(t.TempDir(), "guestgate")
	args := slices.Clone(build[2:])
	args[slices.Index(args, "-o")+1] = bin
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README build %v: %v\n%s", args, err, out)
	}

	// 2. The role and the database, with the README's SQL (names made unique).
	sqlBlocks := codeBlocks(section, "sql")
	if len(sqlBlocks) != 1 {
		t.Fatalf("README: want one SQL block, got %d", len(sqlBlocks))
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "guestgate_readme_" + hex.EncodeToString(b[:])
	ident := regexp.MustCompile(`\bguestgate\b`)
	for _, stmt := range strings.Split(sqlBlocks[0], ";") {
		if stmt = strings.TrimSpace(stmt); stmt == "" {
			continue
		}
		if _, err := admin.ExecContext(ctx, ident.ReplaceAllString(stmt, name)); err != nil {
			t.Fatalf("README SQL %q: %v", stmt, err)
		}
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(c, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_, _ = admin.ExecContext(c, "DROP ROLE IF EXISTS "+name)
	})

	// 3. The variables: exactly those the README exports, pointing here.
	smtp := mailtest.Start(t, mailtest.WithAuth("relay-user", "relay-pass"))
	addr := freeAddr(t)
	pg, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	exportRe := regexp.MustCompile(`(?m)^export (GUESTGATE_\w+)=(.*)$`)
	readmeVars := map[string]string{}
	for _, block := range codeBlocks(section, "sh") {
		for _, m := range exportRe.FindAllStringSubmatch(block, -1) {
			readmeVars[m[1]] = strings.Trim(m[2], `'"`)
		}
	}
	var env []string
	for k, v := range readmeVars {
		switch k {
		case "GUESTGATE_DATABASE_URL":
			u, err := url.Parse(v)
			if err != nil {
				t.Fatalf("README database URL %q: %v", v, err)
			}
			pass, _ := u.User.Password()
			u.User, u.Host, u.Path = url.UserPassword(name, pass), pg.Host, "/"+name
			v = u.String()
		case "GUESTGATE_PUBLIC_URL":
			v = "http://" + addr // a loopback URL may be plain http
		case "GUESTGATE_LISTEN":
			v = addr
		case "GUESTGATE_SMTP_URL":
			v = smtp.URL()
		case "GUESTGATE_SECRET":
			var s [48]byte
			_, _ = rand.Read(s[:])
			v = base64.StdEncoding.EncodeToString(s[:])
		case "GUESTGATE_MAIL_FROM":
		default:
			t.Fatalf("README exports %s, which this walk does not know", k)
		}
		env = append(env, k+"="+v)
	}
	for _, want := range []string{"GUESTGATE_DATABASE_URL", "GUESTGATE_PUBLIC_URL", "GUESTGATE_LISTEN", "GUESTGATE_SMTP_URL", "GUESTGATE_MAIL_FROM", "GUESTGATE_SECRET"} {
		if _, ok := readmeVars[want]; !ok {
			t.Fatalf("README does not export %s", want)
		}
	}
	clean := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GUESTGATE_") })
	env = append(clean, env...)

	// 4. serve, which checks SMTP at start.
	srv := exec.Command(bin, "serve")
	srv.Env = env
	var logBuf bytes.Buffer
	logs := &syncWriter{w: &logBuf}
	logText := func() string { bufMu.Lock(); defer bufMu.Unlock(); return logBuf.String() }
	srv.Stdout, srv.Stderr = logs, logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	public := "http://" + addr
	for deadline := time.Now().Add(60 * time.Second); ; {
		if resp, err := http.Get(public + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not become ready:\n%s", logText())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(logText(), "SMTP check passed") {
		t.Fatalf("serve did not report its SMTP check:\n%s", logText())
	}

	// 5. The README's admin commands, with the same variables.
	var outs []string
	for _, block := range codeBlocks(section, "sh") {
		for _, line := range strings.Split(block, "\n") {
			if !strings.HasPrefix(line, "guestgate ") {
				continue
			}
			words := shellWords(line)
			c := exec.CommandContext(ctx, bin, words[1:]...)
			c.Env = env
			if slices.Contains(words, "--admin-email") {
				c.Stdin = strings.NewReader(readmeAdminPassword + "\n") // what the prompt would read
			}
			var stderr strings.Builder
			c.Stderr = &stderr
			out, err := c.Output()
			if err != nil || stderr.Len() > 0 {
				t.Fatalf("README %q: %v\nstdout %s\nstderr %s", line, err, out, stderr.String())
			}
			outs = append(outs, string(out))
		}
	}
	if len(outs) != 2 {
		t.Fatalf("README: want the tenant and app commands, ran %d", len(outs))
	}
	var tn struct{ ID, AdminID string }
	var app struct{ AppID, ClientSecret string }
	if json.Unmarshal([]byte(outs[0]), &tn) != nil || json.Unmarshal([]byte(outs[1]), &app) != nil || tn.ID == "" || app.AppID == "" {
		t.Fatalf("tenant and app create printed %q", outs)
	}
	if tn.AdminID == "" {
		t.Fatalf("README: tenant create made no administrator (--admin-email): %s", outs[0])
	}
	// The administrator signs in to the console the README names.
	if !strings.Contains(section, "https://login.example.com/fabrikam.example/admin/") {
		t.Fatal("README: the console URL changed; update this walk")
	}
	adminBase := "/" + tn.ID + "/admin" // the form posts to the tenant's id
	cb := newBrowser(t)
	sp := cb.get(public + "/fabrikam.example/admin/signin")
	if done := cb.submit(public, sp, adminBase+"/signin", map[string]string{"email": "admin@fabrikam.example", "password": readmeAdminPassword}); done.Status != http.StatusSeeOther || done.Location != adminBase+"/" {
		t.Fatalf("console sign-in as the README's administrator = %d → %q\n%s", done.Status, done.Location, done.Body)
	}

	// 6. A token and the README's invitation.
	if !strings.Contains(section, "/fabrikam.example/oauth2/v2.0/token") || !strings.Contains(section, "grant_type=client_credentials") ||
		!strings.Contains(section, "scope=https://graph.microsoft.com/.default") {
		t.Fatal("README: the token request changed; update this walk")
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {app.AppID}, "client_secret": {app.ClientSecret},
		"scope": {"https://graph.microsoft.com/.default"}}
	resp, err := http.PostForm(public+"/fabrikam.example/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token = %d", resp.StatusCode)
	}
	body := regexp.MustCompile(`-d '(\{"invitedUserEmailAddress".*\})'`).FindStringSubmatch(section)
	if body == nil {
		t.Fatal("README: no invitation body")
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, public+"/v1.0/invitations", strings.NewReader(body[1]))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("README invitation = %d", resp.StatusCode)
	}

	// The guest redeems from the mail.
	invMail := smtp.WaitFor(t, mailtest.To("teri@gmail.example"))
	if invMail.User != "relay-user" || !strings.Contains(invMail.Text, "Welcome to the Fabrikam partner portal.") ||
		!strings.Contains(invMail.Header.Get("From"), "noreply@example.com") {
		t.Fatalf("invitation mail: user %q from %q\n%s", invMail.User, invMail.Header.Get("From"), invMail.Text)
	}
	br := newBrowser(t)
	start := br.get(redeemLink(t, invMail))
	sent := br.submit(public, start, "/redeem/send", nil)
	codePage := br.get(public + sent.Location)
	code := passcode(t, smtp.WaitFor(t, func(m mailtest.Received) bool {
		return mailtest.To("teri@gmail.example")(m) && m.MessageID() != invMail.MessageID()
	}))
	proved := br.submit(public, codePage, "/redeem/verify", map[string]string{"code": code})
	if proved.Location != "/"+tn.ID+"/consent" {
		t.Fatalf("after the code: %d → %q\n%s", proved.Status, proved.Location, proved.Body)
	}
	review := br.get(public + proved.Location)
	done := br.submit(public, review, "/"+tn.ID+"/consent/accept", nil)
	if done.Status != http.StatusSeeOther || done.Location != "https://apps.fabrikam.example" {
		t.Fatalf("the guest was not redeemed: %d → %q\n%s", done.Status, done.Location, done.Body)
	}
}
