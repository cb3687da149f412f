package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
)

// sampleKey returns a current key created at createdAt. The DER bytes are
// opaque to the store, so they need not be a real key.
func sampleKey(createdAt time.Time) oidc.SigningKey {
	id := uuid.NewString()
	return oidc.SigningKey{ID: id, Algorithm: "RS256", PrivateDER: []byte("der of " + id), CreatedAt: createdAt}
}

// seedKey creates sampleKey(createdAt) in s.
func seedKey(t *testing.T, s Store, createdAt time.Time) oidc.SigningKey {
	t.Helper()
	k := sampleKey(createdAt)
	must(t, "create signing key", s.CreateSigningKey(t.Context(), k))
	return k
}

// listKeys lists the signing keys, failing the test on error.
func listKeys(t *testing.T, s Store) []oidc.SigningKey {
	t.Helper()
	ks, err := s.ListSigningKeys(t.Context())
	must(t, "list signing keys", err)
	return ks
}

// pick orders two keys created at the same instant as ListSigningKeys
// does: id descending.
func pick(a, b oidc.SigningKey) []oidc.SigningKey {
	if a.ID > b.ID {
		return []oidc.SigningKey{a, b}
	}
	return []oidc.SigningKey{b, a}
}

func testKeys(t *testing.T, open Open) {
	t.Run("create_list_newest_first", func(t *testing.T) {
		s := open(t)
		if ks := listKeys(t, s); len(ks) != 0 {
			t.Fatalf("a new store has %d signing keys", len(ks))
		}
		middle := seedKey(t, s, at(time.Hour))
		oldest := seedKey(t, s, at(0))
		newest := seedKey(t, s, at(2*time.Hour))
		wantEqual(t, "keys", listKeys(t, s), []oidc.SigningKey{newest, middle, oldest})
		dup := sampleKey(at(3 * time.Hour))
		dup.ID = oldest.ID
		wantErr(t, "create key with a taken id", s.CreateSigningKey(t.Context(), dup), store.ErrAlreadyExists)
	})
	t.Run("retire_all_but_current", func(t *testing.T) {
		s := open(t)
		old := seedKey(t, s, at(0))
		older := seedKey(t, s, at(-time.Hour))
		must(t, "retire older", s.RetireSigningKeys(t.Context(), old.ID, at(time.Minute)))
		current := seedKey(t, s, at(time.Hour))
		must(t, "retire old", s.RetireSigningKeys(t.Context(), current.ID, at(2*time.Hour)))
		old.RetiredAt, older.RetiredAt = at(2*time.Hour), at(time.Minute)
		wantEqual(t, "keys", listKeys(t, s), []oidc.SigningKey{current, old, older})
	})
	t.Run("retire_only_same_algorithm", func(t *testing.T) {
		s := open(t)
		rsa := seedKey(t, s, at(0))
		ec := sampleKey(at(0))
		ec.Algorithm = oidc.AlgES256
		must(t, "create EC key", s.CreateSigningKey(t.Context(), ec))
		newRSA := seedKey(t, s, at(time.Hour))
		must(t, "retire RSA keys", s.RetireSigningKeys(t.Context(), newRSA.ID, at(2*time.Hour)))
		rsa.RetiredAt = at(2 * time.Hour)
		wantEqual(t, "keys", listKeys(t, s), []oidc.SigningKey{newRSA, pick(rsa, ec)[0], pick(rsa, ec)[1]})
		newEC := sampleKey(at(3 * time.Hour))
		newEC.Algorithm = oidc.AlgES256
		must(t, "create new EC key", s.CreateSigningKey(t.Context(), newEC))
		must(t, "retire EC keys", s.RetireSigningKeys(t.Context(), newEC.ID, at(4*time.Hour)))
		ec.RetiredAt = at(4 * time.Hour)
		wantEqual(t, "keys", listKeys(t, s), []oidc.SigningKey{newEC, newRSA, pick(rsa, ec)[0], pick(rsa, ec)[1]})
	})
	t.Run("delete_retired_before", func(t *testing.T) {
		s := open(t)
		seedKey(t, s, at(0)) // retired at 2h, so deleted below
		kept := seedKey(t, s, at(time.Hour))
		must(t, "retire first", s.RetireSigningKeys(t.Context(), kept.ID, at(2*time.Hour)))
		current := seedKey(t, s, at(3*time.Hour))
		must(t, "retire second", s.RetireSigningKeys(t.Context(), current.ID, at(4*time.Hour)))
		must(t, "delete retired", s.DeleteSigningKeysRetiredBefore(t.Context(), at(3*time.Hour)))
		kept.RetiredAt = at(4 * time.Hour)
		wantEqual(t, "keys", listKeys(t, s), []oidc.SigningKey{current, kept})
		// A current key is never deleted, however old.
		must(t, "delete retired later", s.DeleteSigningKeysRetiredBefore(t.Context(), at(100*time.Hour)))
		wantEqual(t, "keys", listKeys(t, s), []oidc.SigningKey{current})
	})
}
