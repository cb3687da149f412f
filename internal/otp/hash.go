package otp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Hasher computes the keyed hash under which codes are stored.
type Hasher struct {
	key []byte
	old [][]byte // earlier secrets' keys: codes in flight still match
}

// NewHasher returns a Hasher keyed with the server secret (at least 32
// bytes). Keys of earlier secrets (old) still match codes hashed under
// them, so a code sent before a secret rotation can be used after it.
func NewHasher(key []byte, old ...[]byte) (Hasher, error) {
	for _, k := range append([][]byte{key}, old...) {
		if len(k) < 32 {
			return Hasher{}, errors.New("passcode hash key must be at least 32 bytes")
		}
	}
	h := Hasher{key: append([]byte(nil), key...)}
	for _, k := range old {
		h.old = append(h.old, append([]byte(nil), k...))
	}
	return h, nil
}

// Hash returns HMAC-SHA256(key, tenant | address | code). Binding the tenant
// and address means a code is worth nothing anywhere else.
func (h Hasher) Hash(tenantID, address, code string) []byte {
	return hashWith(h.key, tenantID, address, code)
}

func hashWith(key []byte, tenantID, address, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tenantID))
	m.Write([]byte{0})
	m.Write([]byte(strings.ToLower(address)))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// Matches reports in constant time whether code hashes to stored, under
// the current key or an earlier secret's (every key is tried).
func (h Hasher) Matches(tenantID, address, code string, stored []byte) bool {
	ok := hmac.Equal(h.Hash(tenantID, address, code), stored)
	for _, k := range h.old {
		ok = hmac.Equal(hashWith(k, tenantID, address, code), stored) || ok
	}
	return ok
}

// Generate returns a uniformly random code of n decimal digits from crypto/rand.
func Generate(n int) (string, error) {
	var b strings.Builder
	ten := big.NewInt(10)
	for i := 0; i < n; i++ {
		d, err := rand.Int(rand.Reader, ten)
		if err != nil {
			return "", fmt.Errorf("generate passcode: %w", err)
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String(), nil
}

// NormalizeInput strips what people type around a code: spaces and dashes.
func NormalizeInput(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}
