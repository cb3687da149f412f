package ha

import (
	"debug/elf"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

func TestMain(m *testing.M) {
	os.Exit(e2etest.Main(m))
}

// TestStaticBinary: the binary deploy/Containerfile copies into an empty
// (scratch) image is static, no interpreter or shared library, and runs
// there: --version and --help need nothing but itself.
func TestStaticBinary(t *testing.T) {
	bin := e2etest.GuestgateBinary(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the binary names a dynamic loader; a scratch image has none")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) != 0 {
		t.Fatalf("the binary needs shared libraries %v", libs)
	}
	// An empty environment and working directory, as in the image.
	for _, args := range [][]string{{"--version"}, {"--help"}, {"serve", "--help"}} {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Dir = []string{}, t.TempDir()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("guestgate %v: %v\n%s", args, err, out)
		}
		if want := map[string]string{"--version": "guestgate", "--help": "Usage:", "serve": "GUESTGATE_SMTP_URL"}[args[0]]; !strings.Contains(string(out), want) {
			t.Fatalf("guestgate %v printed %q, want %q in it", args, out, want)
		}
	}
}
