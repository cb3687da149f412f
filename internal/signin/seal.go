package signin

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrExpiredState: a sealed hand-off or proof is malformed, tampered
// with, from another browser or purpose, or past its expiry. Pages ask the
// person to start again.
var ErrExpiredState = errors.New("this sign-in step expired or is not valid; start again")

// sealer seals small values for a browser round trip: AES-256-GCM, the
// purpose as additional data (a hand-off never opens as a proof). It seals
// with the current key and opens with it or an earlier secret's (old), so
// a sign-in in progress survives a secret rotation.
type sealer struct {
	aead cipher.AEAD
	old  []cipher.AEAD
}

func newSealer(key []byte, old ...[]byte) (*sealer, error) {
	var aeads []cipher.AEAD
	for _, k := range append([][]byte{key}, old...) {
		if len(k) < 32 {
			return nil, errors.New("signin: the sealing key must be at least 32 bytes")
		}
		sum := sha256.Sum256(append([]byte("guestgate signin seal\x00"), k...))
		block, err := aes.NewCipher(sum[:])
		if err != nil {
			return nil, fmt.Errorf("signin: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("signin: %w", err)
		}
		aeads = append(aeads, aead)
	}
	return &sealer{aead: aeads[0], old: aeads[1:]}, nil
}

type sealed[T any] struct {
	Exp   int64 `json:"exp"`
	Value T     `json:"v"`
}

func seal[T any](s *sealer, purpose string, v T, exp time.Time) (string, error) {
	plain, err := json.Marshal(sealed[T]{Exp: exp.Unix(), Value: v})
	if err != nil {
		return "", fmt.Errorf("seal %s: %w", purpose, err)
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal %s: %w", purpose, err)
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(purpose))), nil
}

func open[T any](s *sealer, purpose, token string, now time.Time) (T, error) {
	var zero T
	raw, err := base64.RawURLEncoding.DecodeString(token)
	n := s.aead.NonceSize()
	if err != nil || len(raw) < n+s.aead.Overhead() {
		return zero, ErrExpiredState
	}
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(purpose))
	for _, a := range s.old {
		if err == nil {
			break
		}
		plain, err = a.Open(nil, raw[:n], raw[n:], []byte(purpose))
	}
	if err != nil {
		return zero, ErrExpiredState
	}
	var v sealed[T]
	if err := json.Unmarshal(plain, &v); err != nil || now.Unix() > v.Exp {
		return zero, ErrExpiredState
	}
	return v.Value, nil
}
