package sqlstore_test

import (
	"testing"

	"github.com/guestgate/guestgate/internal/store/storetest"
	"github.com/guestgate/guestgate/internal/testenv"
)

// openPostgres opens a store on a fresh schema of the server named by
// GUESTGATE_TEST_POSTGRES; without it the test skips (fails under CI=true).
func openPostgres(t *testing.T) storetest.Store { return openStore(t, testenv.PostgresDSN(t)) }

func TestPostgres(t *testing.T) { storetest.Run(t, openPostgres) }

func TestPostgresConcurrent(t *testing.T) { storetest.RunConcurrent(t, openPostgres) }
