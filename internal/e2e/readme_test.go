package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/testenv"
)

// readmeSectionIn returns the text of the section with that heading of the
// README at path.
func readmeSectionIn(t *testing.T, path, heading string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
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

// readmeAdminPassword is what the walk types at tenant create's prompt.
const readmeAdminPassword = "correct-Horse-Battery-2026"

// freshClone clones the repository's committed state into a temporary
// directory: the walk sees what a new user's `git clone` gets, not files
// left uncommitted in this checkout.
func freshClone(t *testing.T, ctx context.Context) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "guestgate")
	out, err := exec.CommandContext(ctx, "git", "clone", "--quiet", "--no-hardlinks", filepath.Join("..", ".."), dir).CombinedOutput()
	if err != nil {
		testenv.Unavailable(t, "git clone of this checkout: "+err.Error()+": "+string(out))
	}
	return dir
}

// blockWith returns the section's one sh block containing marker.
func blockWith(t *testing.T, section, marker string) string {
	t.Helper()
	var found []string
	for _, b := range codeBlocks(section, "sh") {
		if strings.Contains(b, marker) {
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		t.Fatalf("README: want one sh block with %q, got %d", marker, len(found))
	}
	return found[0]
}

// localize rewrites a README script for this machine: each from→to pair
// is replaced where it occurs, then sudo is dropped.
func localize(script string, pairs ...string) string {
	for i := 0; i < len(pairs); i += 2 {
		script = strings.ReplaceAll(script, pairs[i], pairs[i+1])
	}
	return regexp.MustCompile(`(?m)(^|&& |; )sudo `).ReplaceAllString(script, "$1")
}

// runScript runs a README script with bash (-e, pipefail) in dir and
// returns its standard output; anything on standard error fails the walk.
func runScript(t *testing.T, ctx context.Context, dir string, env []string, stdin, script string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("README script failed: %v\n--- script\n%s\n--- stdout\n%s\n--- stderr\n%s", err, script, out, stderr.String())
	}
	return string(out)
}

// systemdEnv reads an environment file as systemd's EnvironmentFile= does:
// VAR=value lines, nothing run. A line a shell would have to run (export,
// $(…), backquotes) fails the walk.
func systemdEnv(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "export ") || strings.Contains(v, "$(") || strings.Contains(v, "`") || strings.ContainsAny(k, " \t") {
			t.Fatalf("environment file line %q is not one systemd reads as VAR=value", line)
		}
		env = append(env, k+"="+strings.Trim(v, `"'`))
	}
	return env
}

// unitSetting returns the values of a key in the systemd unit, in order.
func unitSetting(unit, key string) []string {
	var out []string
	for _, line := range strings.Split(unit, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			out = append(out, v)
		}
	}
	return out
}

// TestREADMERunningItForReal walks the README's "Running it for real" as
// written, on a fresh clone and a port other than 8080: it runs the build
// block with bash (binary installed on PATH, version stamped), the SQL, the
// block writing the environment file, starts `guestgate serve` as the
// systemd unit would (its Environment= lines, then the file read as
// systemd reads it), runs the admin block (tenant with its administrator,
// app, APP_ID and CLIENT_SECRET with jq) and the curl invitation with bash,
// signs in to the console as the administrator, and redeems the invitation
// from the mail the SMTP server received. /usr/local/bin and /etc/guestgate
// become temporary directories, sudo is dropped, and the deployment's
// values (public URL, database, SMTP relay) point at this test's.
// PostgreSQL only.
func TestREADMERunningItForReal(t *testing.T) {
	base := os.Getenv(testenv.PostgresEnv)
	if base == "" {
		base = testenv.DefaultPostgres
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		testenv.Unavailable(t, "PostgreSQL ("+testenv.PostgresEnv+")")
	}
	clone := freshClone(t, ctx)
	section := readmeSectionIn(t, filepath.Join(clone, "README.md"), "Running it for real")

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

	// This machine's stand-ins for the README's places and values.
	smtp := mailtest.Start(t, mailtest.WithAuth("relay-user", "relay-pass"))
	addr := e2etest.FreeAddr(t)
	if strings.HasSuffix(addr, ":8080") {
		t.Fatal("the walk must run on a port other than the default")
	}
	public := "http://" + addr // a loopback public URL may be plain http
	pg, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	binDir, etcDir := t.TempDir(), t.TempDir()
	dbURL := url.URL{Scheme: "postgres", User: url.UserPassword(name, "change-me"), Host: pg.Host, Path: "/" + name, RawQuery: "sslmode=disable"}
	pairs := []string{
		"postgres://guestgate:change-me@127.0.0.1:5432/guestgate?sslmode=disable", dbURL.String(),
		"smtp://user:pass@smtp.example.com:587?tls=starttls", smtp.URL(),
		"https://login.example.com", public,
		"127.0.0.1:8080", addr,
		"/usr/local/bin", binDir,
		"/etc/guestgate", etcDir,
	}
	clean := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "GUESTGATE_") || strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "GOFLAGS=")
	})
	// PATH as a shell after `install … /usr/local/bin` has it; GOFLAGS as
	// go's default (a machine's go env may turn VCS stamping off).
	shellEnv := append(clean, "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"), "GOFLAGS=-buildvcs=auto")

	// 1. The binary: built and installed on PATH by the README's block.
	build := blockWith(t, section, "go build")
	out := runScript(t, ctx, clone, shellEnv, "", localize(build, pairs...))
	bin := filepath.Join(binDir, "guestgate")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("README build block installed no binary on PATH: %v", err)
	}
	if !strings.HasPrefix(out, "guestgate ") || strings.TrimSpace(out) == "guestgate dev" {
		t.Fatalf("guestgate version of a build from a clone = %q; want the commit it was built from", out)
	}

	// 3. The environment file, written by the README's block.
	runScript(t, ctx, clone, shellEnv, "", localize(blockWith(t, section, "<<EOF"), pairs...))
	envFile := filepath.Join(etcDir, "guestgate.env")
	if fi, err := os.Stat(envFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("environment file: %v (mode %v); want one only its owner reads", err, fi)
	}
	fileEnv := systemdEnv(t, envFile)
	for _, want := range []string{"GUESTGATE_DATABASE_URL", "GUESTGATE_PUBLIC_URL", "GUESTGATE_LISTEN", "GUESTGATE_SMTP_URL", "GUESTGATE_MAIL_FROM", "GUESTGATE_SECRET"} {
		if !slices.ContainsFunc(fileEnv, func(kv string) bool { return strings.HasPrefix(kv, want+"=") }) {
			t.Fatalf("README's environment file does not set %s", want)
		}
	}
	if !slices.Contains(fileEnv, "GUESTGATE_LISTEN="+addr) {
		t.Fatalf("README's environment file does not listen on loopback behind the proxy: %q", fileEnv)
	}

	// 4. serve, as the README's unit starts it: its Environment= lines,
	// then the file it names.
	if !strings.Contains(blockWith(t, section, "systemctl"), "deploy/guestgate.service") {
		t.Fatal("README: the service block no longer installs deploy/guestgate.service; update this walk")
	}
	unitRaw, err := os.ReadFile(filepath.Join(clone, "deploy", "guestgate.service"))
	if err != nil {
		t.Fatal(err)
	}
	unit := string(unitRaw)
	if got := unitSetting(unit, "EnvironmentFile"); !slices.Equal(got, []string{"/etc/guestgate/guestgate.env"}) {
		t.Fatalf("unit EnvironmentFile = %q", got)
	}
	if got := unitSetting(unit, "ExecStart"); !slices.Equal(got, []string{"/usr/local/bin/guestgate serve"}) {
		t.Fatalf("unit ExecStart = %q", got)
	}
	serveEnv := slices.Clone(clean)
	for _, kv := range unitSetting(unit, "Environment") {
		serveEnv = append(serveEnv, localize(kv, pairs...))
	}
	serveEnv = append(serveEnv, fileEnv...)
	srv := exec.Command(bin, "serve")
	srv.Env = serveEnv
	var logBuf bytes.Buffer
	logs := &e2etest.SyncWriter{W: &logBuf}
	logText := func() string { e2etest.BufMu.Lock(); defer e2etest.BufMu.Unlock(); return logBuf.String() }
	srv.Stdout, srv.Stderr = logs, logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
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
	// One line at start: where it listens, the store, the public URL and
	// the SMTP check; migrations and routes only at debug level.
	if l := logText(); !strings.Contains(l, `"msg":"guestgate serving"`) || !strings.Contains(l, `"smtp_check":"passed"`) ||
		!strings.Contains(l, `"store":"postgres"`) || !strings.Contains(l, `"public_url":"`+public+`"`) ||
		strings.Contains(l, "applied migration") || strings.Contains(l, "registered route") {
		t.Fatalf("serve's start line:\n%s", l)
	}

	// 5 and 6. The admin block and the curl invitation, in one shell (the
	// second uses APP_ID and CLIENT_SECRET the first set); the password is
	// what tenant create's prompt reads.
	adminBlock := blockWith(t, section, "tenant create")
	for _, want := range []string{"--admin-email", "APP_ID=", "CLIENT_SECRET=", "jq"} {
		if !strings.Contains(adminBlock, want) {
			t.Fatalf("README admin block lacks %q", want)
		}
	}
	script := localize(adminBlock+"\n"+blockWith(t, section, "v1.0/invitations"), pairs...)
	out = runScript(t, ctx, clone, shellEnv, readmeAdminPassword+"\n", script)
	if !strings.Contains(out, `"inviteRedeemUrl"`) {
		t.Fatalf("the README's curl invitation printed no invitation:\n%s", out)
	}

	// The administrator signs in to the console the README names.
	if !strings.Contains(section, "https://login.example.com/fabrikam.example/admin/") {
		t.Fatal("README: the console URL changed; update this walk")
	}
	cb := e2etest.NewBrowser(t)
	sp := cb.Get(public + "/fabrikam.example/admin/signin")
	action := ""
	for _, m := range e2etest.FormRe.FindAllStringSubmatch(sp.Body, -1) {
		if strings.HasSuffix(m[1], "/admin/signin") {
			action = m[1]
		}
	}
	if sp.Status != http.StatusOK || action == "" {
		t.Fatalf("console sign-in page = %d\n%s", sp.Status, sp.Body)
	}
	adminBase := strings.TrimSuffix(action, "signin")
	if done := cb.Submit(public, sp, action, map[string]string{"email": "admin@fabrikam.example", "password": readmeAdminPassword}); done.Status != http.StatusSeeOther || done.Location != adminBase {
		t.Fatalf("console sign-in as the README's administrator = %d → %q\n%s", done.Status, done.Location, done.Body)
	}
	tenantID := strings.TrimSuffix(strings.TrimPrefix(adminBase, "/"), "/admin/")

	// The guest redeems from the mail.
	invMail := smtp.WaitFor(t, mailtest.To("teri@gmail.example"))
	if invMail.User != "relay-user" || !strings.Contains(invMail.Text, "Welcome to the Fabrikam partner portal.") ||
		!strings.Contains(invMail.Header.Get("From"), "noreply@example.com") {
		t.Fatalf("invitation mail: user %q from %q\n%s", invMail.User, invMail.Header.Get("From"), invMail.Text)
	}
	br := e2etest.NewBrowser(t)
	start := br.Get(e2etest.RedeemLink(t, invMail))
	sent := br.Submit(public, start, "/redeem/send", nil)
	codePage := br.Get(public + sent.Location)
	code := e2etest.Passcode(t, smtp.WaitFor(t, func(m mailtest.Received) bool {
		return mailtest.To("teri@gmail.example")(m) && m.MessageID() != invMail.MessageID()
	}))
	proved := br.Submit(public, codePage, "/redeem/verify", map[string]string{"code": code})
	if proved.Location != "/"+tenantID+"/consent" {
		t.Fatalf("after the code: %d → %q\n%s", proved.Status, proved.Location, proved.Body)
	}
	review := br.Get(public + proved.Location)
	done := br.Submit(public, review, "/"+tenantID+"/consent/accept", nil)
	if done.Status != http.StatusSeeOther || done.Location != "https://apps.fabrikam.example" {
		t.Fatalf("the guest was not redeemed: %d → %q\n%s", done.Status, done.Location, done.Body)
	}
}

// TestREADMETryIt runs the README's first command on a fresh clone, as its
// text says to when port 8080 is taken: `go run ./cmd/guestgate demo` with
// --listen (and --demo-app-listen) on free ports. The banner's links answer
// on that port: the redeem link offers Send code, the console signs in the
// printed Global Administrator, the printed curl invitation (run with bash)
// is accepted and its mail shows in the dev mailbox, and the sample app
// starts a sign-in. The second command, ./scripts/test, runs every test
// (this one among them), so here it is only checked to be the README's
// second command and a valid bash script of the clone.
func TestREADMETryIt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	clone := freshClone(t, ctx)
	block := codeBlocks(readmeSectionIn(t, filepath.Join(clone, "README.md"), "Try it, test it"), "sh")
	if len(block) == 0 {
		t.Fatal("README: Try it has no commands")
	}
	var cmds []string
	for _, line := range strings.Split(block[0], "\n") {
		if c, _, _ := strings.Cut(line, "#"); strings.TrimSpace(c) != "" {
			cmds = append(cmds, strings.TrimSpace(c))
		}
	}
	if len(cmds) != 2 || cmds[0] != "go run ./cmd/guestgate demo" || cmds[1] != "./scripts/test" {
		t.Fatalf("README's first two commands = %q; update this walk", cmds)
	}
	if out, err := exec.CommandContext(ctx, "bash", "-n", filepath.Join(clone, "scripts", "test")).CombinedOutput(); err != nil {
		t.Fatalf("scripts/test: %v\n%s", err, out)
	}
	if fi, err := os.Stat(filepath.Join(clone, "scripts", "test")); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Fatalf("scripts/test is not executable in a clone: %v", err)
	}

	addr, appAddr := e2etest.FreeAddr(t), e2etest.FreeAddr(t)
	public := "http://" + addr
	demo := exec.Command("bash", "-c", "exec "+cmds[0]+" --listen "+addr+" --demo-app-listen "+appAddr)
	demo.Dir = clone
	demo.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GUESTGATE_") }), "GOFLAGS=-buildvcs=auto")
	demo.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // go run's child is in the group
	var outBuf bytes.Buffer
	out := &e2etest.SyncWriter{W: &outBuf}
	text := func() string { e2etest.BufMu.Lock(); defer e2etest.BufMu.Unlock(); return outBuf.String() }
	demo.Stdout, demo.Stderr = out, out
	if err := demo.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-demo.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = demo.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-demo.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	for !strings.Contains(text(), "Press Ctrl+C to stop") {
		if ctx.Err() != nil {
			t.Fatalf("the demo printed no banner:\n%s", text())
		}
		time.Sleep(100 * time.Millisecond)
	}
	banner := text()
	if !strings.Contains(banner, "guestgate demo is running at "+public+"\n") || strings.Contains(banner, "127.0.0.1:8080") {
		t.Fatalf("the banner does not follow --listen:\n%s", banner)
	}

	// The redeem link.
	link := regexp.MustCompile(`Open the redeem link:\s+(\S+)`).FindStringSubmatch(banner)
	if link == nil || !strings.HasPrefix(link[1], public+"/redeem?") {
		t.Fatalf("banner redeem link: %q\n%s", link, banner)
	}
	if p := e2etest.NewBrowser(t).Get(link[1]); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="send-code"`) {
		t.Fatalf("the banner's redeem link = %d\n%s", p.Status, p.Body)
	}

	// The console, with the printed administrator.
	console := regexp.MustCompile(`The admin console:\s+(\S+)\n\s+sign in as (\S+) \(Global Administrator\) with the password\s+(\S+)`).FindStringSubmatch(banner)
	if console == nil || console[1] != public+"/fabrikam.example/admin/" {
		t.Fatalf("banner console lines: %q\n%s", console, banner)
	}
	cb := e2etest.NewBrowser(t)
	sp := cb.Get(console[1] + "signin")
	action := ""
	for _, m := range e2etest.FormRe.FindAllStringSubmatch(sp.Body, -1) {
		if strings.HasSuffix(m[1], "/admin/signin") {
			action = m[1]
		}
	}
	if action == "" {
		t.Fatalf("console sign-in page = %d\n%s", sp.Status, sp.Body)
	}
	if done := cb.Submit(public, sp, action, map[string]string{"email": console[2], "password": console[3]}); done.Status != http.StatusSeeOther || done.Location != strings.TrimSuffix(action, "signin") {
		t.Fatalf("console sign-in as the demo's administrator = %d → %q\n%s", done.Status, done.Location, done.Body)
	}

	// The printed curl invitation, run as printed.
	i := strings.Index(banner, "  TOKEN=$(curl")
	j := strings.Index(banner, "  (the mail arrives")
	if i < 0 || j < i {
		t.Fatalf("banner has no curl invitation:\n%s", banner)
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GUESTGATE_") })
	got := runScript(t, ctx, clone, env, "", banner[i:j])
	if !strings.Contains(got, `"inviteRedeemUrl"`) {
		t.Fatalf("the banner's curl invitation printed:\n%s", got)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		if p := e2etest.NewBrowser(t).Get(public + "/dev/mailbox"); strings.Contains(p.Body, "kim@contoso.example") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the curl invitation's mail is not in the dev mailbox")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The sample app starts a sign-in at guestgate.
	if p := e2etest.NewBrowser(t).Get("http://" + appAddr + "/"); p.Status/100 != 3 || !strings.HasPrefix(p.Location, public+"/") {
		t.Fatalf("the sample app = %d → %q", p.Status, p.Location)
	}
}
