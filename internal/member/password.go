package member

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. A hash records the parameters it
// was made with, so raising DefaultParams later only affects new hashes.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes of random salt
	KeyLen  uint32 // bytes of derived key
}

// DefaultParams are the OWASP Password Storage Cheat Sheet's argon2id
// settings: 19 MiB of memory, 2 passes, 1 thread; a 16-byte salt and a
// 32-byte key.
var DefaultParams = Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// errMalformedHash is a stored hash that is not an argon2id PHC string guestgate can read.
var errMalformedHash = errors.New("malformed argon2id password hash")

// Validate reports parameters that are unsafe or cannot be used. The lower
// bounds are argon2's own; the upper bounds keep a corrupted hash from
// costing gigabytes.
func (p Params) Validate() error {
	switch {
	case p.Threads < 1:
		return fmt.Errorf("argon2id threads must be at least 1, got %d", p.Threads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > 4<<20:
		return fmt.Errorf("argon2id memory must be 8×threads KiB to 4 GiB, got %d KiB", p.Memory)
	case p.Time < 1 || p.Time > 64:
		return fmt.Errorf("argon2id passes must be 1 to 64, got %d", p.Time)
	case p.SaltLen < 8 || p.SaltLen > 64:
		return fmt.Errorf("argon2id salt must be 8 to 64 bytes, got %d", p.SaltLen)
	case p.KeyLen < 16 || p.KeyLen > 128:
		return fmt.Errorf("argon2id key must be 16 to 128 bytes, got %d", p.KeyLen)
	}
	return nil
}

// HashPassword hashes password with DefaultParams.
func HashPassword(password string) (string, error) { return DefaultParams.Hash(password) }

// Hash hashes password with a fresh salt from crypto/rand and returns the
// PHC string $argon2id$v=19$m=…,t=…,p=…$salt$key (unpadded base64).
func (p Params) Hash(password string) (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC string encoded,
// hashing with the parameters and salt encoded carries and comparing in
// constant time. A hash it cannot read is an error, not a mismatch.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, key, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// parseHash splits a PHC string into its parameters, salt and key.
func parseHash(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, fmt.Errorf("%w: not a $argon2id$ string", errMalformedHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, fmt.Errorf("%w: version %q, want v=%d", errMalformedHash, parts[2], argon2.Version)
	}
	var p Params
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return Params{}, nil, nil, fmt.Errorf("%w: parameter %q", errMalformedHash, kv)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return Params{}, nil, nil, fmt.Errorf("%w: parameter %q", errMalformedHash, kv)
			}
			p.Threads = uint8(n)
		default:
			return Params{}, nil, nil, fmt.Errorf("%w: unknown parameter %q", errMalformedHash, k)
		}
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: salt: %v", errMalformedHash, err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: key: %v", errMalformedHash, err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.Validate(); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %v", errMalformedHash, err)
	}
	return p, salt, key, nil
}
