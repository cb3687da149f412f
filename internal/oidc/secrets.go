package oidc

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// Secret rotation. Config.CryptoKey is the current key, derived from the
// first of the deployment's secrets; Config.OldCryptoKeys come from the
// others, newest first. The current key encrypts and seals everything new;
// every key opens what it once sealed, so a secret is rotated by putting
// the new one first and keeping the old one second until what it sealed
// has expired (codes: minutes; access tokens: an hour; signing keys and
// subject salts are re-sealed or stored at start, see below).

// allKeys is the current crypto key followed by the old ones.
func (c Config) allKeys() [][32]byte {
	return append([][32]byte{c.CryptoKey}, c.OldCryptoKeys...)
}

// rotatingCrypto is the library's op.Crypto over several keys: codes and
// opaque access tokens are encrypted with the current key and opened with
// any.
type rotatingCrypto struct{ keys []op.Crypto }

func newRotatingCrypto(keys [][32]byte) *rotatingCrypto {
	c := &rotatingCrypto{}
	for _, k := range keys {
		c.keys = append(c.keys, op.NewAES256GCMCrypto(k, ""))
	}
	return c
}

func (c *rotatingCrypto) Encrypt(s string) (string, error) { return c.keys[0].Encrypt(s) }

func (c *rotatingCrypto) Decrypt(s string) (string, error) {
	var first error
	for _, k := range c.keys {
		plain, err := k.Decrypt(s)
		if err == nil {
			return plain, nil
		}
		if first == nil {
			first = err
		}
	}
	return "", first
}

// Signing keys at rest. A stored private key is sealed with AES-256-GCM
// under a key derived from the crypto key, the key id as additional data,
// behind a marker: sealedKeyMagic, nonce, ciphertext. A stored key without
// the marker is a plaintext PKCS#8 key from before sealing existed; it is
// still read, and NewProvider re-seals it (and keys sealed under an old
// secret) with the current key at start.

var sealedKeyMagic = []byte("gg-sealed-key-v1:")

// keySealer seals signing keys with the current key and opens them with any.
type keySealer struct{ aeads []cipher.AEAD }

func newKeySealer(keys [][32]byte) (*keySealer, error) {
	s := &keySealer{}
	for _, k := range keys {
		block, err := aes.NewCipher(deriveKey(k, "guestgate signing key at rest"))
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// seal seals a key's PKCS#8 bytes with the current key.
func (s *keySealer) seal(kid string, der []byte) ([]byte, error) {
	a := s.aeads[0]
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal signing key: %w", err)
	}
	out := append(append([]byte(nil), sealedKeyMagic...), nonce...)
	return a.Seal(out, nonce, der, []byte(kid)), nil
}

// open returns a stored key's PKCS#8 bytes and whether it is sealed with
// the current key (false: plaintext, or an old secret's).
func (s *keySealer) open(kid string, stored []byte) ([]byte, bool, error) {
	rest, ok := bytes.CutPrefix(stored, sealedKeyMagic)
	if !ok {
		return stored, false, nil
	}
	for i, a := range s.aeads {
		n := a.NonceSize()
		if len(rest) < n+a.Overhead() {
			break
		}
		if der, err := a.Open(nil, rest[:n], rest[n:], []byte(kid)); err == nil {
			return der, i == 0, nil
		}
	}
	return nil, false, errors.New("signing key sealed with a secret not in the configured list")
}

// Pairwise subjects. A subject is HMAC(salt, tenant|app|user) with a
// random salt per tenant, kept in the tenant's record (created with the
// tenant), so changing the deployment's secret never changes a subject.
// Before salts existed the key was derived from the secret; tenants from
// then have no salt ("") and get that derived key stored as their salt
// (FillTenantSubjectSalts at start; SetTenantSubjectSalt for a tenant an
// older process created meanwhile), so their subjects do not change.
// It is derived from the oldest secret in the list: the one in use before
// the upgrade, also when the upgrade and a first rotation happen at once.

// subjectSalts caches tenants' salts (they never change once set).
type subjectSalts struct {
	m sync.Map // tenant id → []byte
}

// legacySalt is the salt of tenants from before salts: the key that keyed
// their subjects then.
func (c Config) legacySalt() string {
	keys := c.allKeys()
	return base64.RawURLEncoding.EncodeToString(deriveKey(keys[len(keys)-1], "guestgate pairwise subject"))
}

// subjectKey returns the tenant's salt, storing the legacy one first if
// the tenant has none.
func (p *Provider) subjectKey(ctx context.Context, tenantID string) ([]byte, error) {
	if v, ok := p.salts.m.Load(tenantID); ok {
		return v.([]byte), nil
	}
	salt := ""
	if t, ok := TenantFromContext(ctx); ok && t.ID == tenantID {
		salt = t.SubjectSalt
	}
	if salt == "" {
		t, err := p.deps.Directory.GetTenant(ctx, tenantID)
		if err != nil {
			return nil, fmt.Errorf("subject salt: %w", err)
		}
		salt = t.SubjectSalt
	}
	if salt == "" {
		if p.cfg.AdminOnly {
			return nil, errors.New("subject salt: tenant has none and this process holds no secret")
		}
		var err error
		if salt, err = p.deps.Salts.SetTenantSubjectSalt(ctx, tenantID, p.cfg.legacySalt()); err != nil {
			return nil, fmt.Errorf("subject salt: %w", err)
		}
	}
	key, err := base64.RawURLEncoding.DecodeString(salt)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("subject salt of tenant %s is malformed", tenantID)
	}
	p.salts.m.Store(tenantID, key)
	return key, nil
}
