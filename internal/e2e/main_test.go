package e2e

import (
	"os"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestMain removes the guestgate binary the process tests built.
func TestMain(m *testing.M) {
	os.Exit(e2etest.Main(m))
}
