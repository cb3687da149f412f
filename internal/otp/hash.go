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
type Hasher struct{ key []byte }

// NewHasher returns a Hasher keyed with the server secret (at least 32 bytes).
func NewHasher(key []byte) (Hasher, error) {
	if len(key) < 32 {
		return Hasher{}, errors.New("passcode hash key must be at least 32 bytes")
	}
	return Hasher{key: append([]byte(nil), key...)}, nil
}

// Hash returns HMAC-SHA256(key, tenant | address | code). Binding the tenant
// and address means a code is worth nothing anywhere else.
func (h Hasher) Hash(tenantID, address, code string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(tenantID))
	m.Write([]byte{0})
	m.Write([]byte(strings.ToLower(address)))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// Matches reports in constant time whether code hashes to stored.
func (h Hasher) Matches(tenantID, address, code string, stored []byte) bool {
	return hmac.Equal(h.Hash(tenantID, address, code), stored)
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
