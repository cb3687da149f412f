package member

import (
	"strings"
	"testing"
)

// cheap are fast argon2id parameters for tests that hash many times.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashPasswordOWASPParameters(t *testing.T) {
	h, err := HashPassword("tulip-Quarry9")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry the OWASP parameters", h)
	}
	p, salt, key, err := parseHash(h)
	if err != nil || p != DefaultParams || len(salt) != 16 || len(key) != 32 {
		t.Fatalf("parseHash = %+v, %d-byte salt, %d-byte key, %v", p, len(salt), len(key), err)
	}
	if ok, err := VerifyPassword(h, "tulip-Quarry9"); !ok || err != nil {
		t.Fatalf("right password = %v, %v", ok, err)
	}
	if ok, err := VerifyPassword(h, "tulip-quarry9"); ok || err != nil {
		t.Fatalf("wrong password = %v, %v", ok, err)
	}
}

func TestHashPasswordSaltsEachHash(t *testing.T) {
	a, _ := cheap.Hash("tulip-Quarry9")
	b, _ := cheap.Hash("tulip-Quarry9")
	if a == b {
		t.Fatal("two hashes of one password are equal: no random salt")
	}
}

func TestVerifyPasswordReadsParametersFromHash(t *testing.T) {
	h, err := cheap.Hash("tulip-Quarry9")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, "$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	// Verified with the parameters it was made with, not DefaultParams.
	if ok, err := VerifyPassword(h, "tulip-Quarry9"); !ok || err != nil {
		t.Fatalf("verify a hash with other parameters = %v, %v", ok, err)
	}
}

func TestVerifyPasswordRefusesMalformedHashes(t *testing.T) {
	good, _ := cheap.Hash("tulip-Quarry9")
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":            "",
		"bcrypt":           "$2a$10$abcdefghijklmnopqrstuu5Vq0k0b1cQkq7s6yX2o8M7wJ3xGz7y",
		"argon2i":          strings.Replace(good, "$argon2id$", "$argon2i$", 1),
		"old_version":      strings.Replace(good, "$v=19$", "$v=16$", 1),
		"unknown_param":    strings.Replace(good, "p=1", "p=1,x=2", 1),
		"huge_memory":      strings.Replace(good, "m=64", "m=99999999", 1),
		"zero_passes":      strings.Replace(good, "t=1", "t=0", 1),
		"bad_salt_base64":  strings.Join([]string{parts[0], parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"),
		"short_key":        strings.Join([]string{parts[0], parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"too_many_fields":  good + "$x",
		"threads_overflow": strings.Replace(good, "p=1", "p=256", 1),
	} {
		t.Run(name, func(t *testing.T) {
			if ok, err := VerifyPassword(h, "tulip-Quarry9"); ok || err == nil {
				t.Fatalf("VerifyPassword(%q) = %v, %v; want an error", h, ok, err)
			}
		})
	}
}
