package federation

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// secrets seals client secrets at rest with a key derived from the
// deployment secret (AES-256-GCM, the federation's tenant and id as
// additional data), so a copy of the database alone does not reveal them.
type secrets struct{ aead cipher.AEAD }

func newSecrets(key []byte) (*secrets, error) {
	if len(key) < 32 {
		return nil, errors.New("federation: the secret key must be at least 32 bytes")
	}
	k := sha256.Sum256(append([]byte("guestgate federation client secret\x00"), key...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, fmt.Errorf("federation: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("federation: %w", err)
	}
	return &secrets{aead: aead}, nil
}

func (s *secrets) seal(tenantID, id, plain string) string {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), []byte(tenantID+"/"+id)))
}

func (s *secrets) open(tenantID, id, sealed string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	n := s.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", errors.New("federation: the stored client secret is unreadable")
	}
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(tenantID+"/"+id))
	if err != nil {
		return "", errors.New("federation: the stored client secret is unreadable (was the deployment secret changed?)")
	}
	return string(plain), nil
}
