package oidc

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/store"
)

// rsaKeyBits is the size of generated signing keys.
const rsaKeyBits = 2048

// algRS256 is the only signing algorithm guestgate uses.
const algRS256 = "RS256"

// errNoSigningKey: the key store holds no current key (NewProvider creates one).
var errNoSigningKey = errors.New("no current signing key")

// keyring caches the deployment's signing keys in memory. Keys live in the
// KeyStore, shared by every process: the newest current (not retired) key
// signs; every key not yet past its publication window is published in the
// JWKS and accepted when verifying. The cache is re-read every refresh
// interval, and at once (at most once per second) when a token names an
// unknown key id, so a rotation by another process is seen quickly.
type keyring struct {
	store   KeyStore
	sealer  *keySealer
	tx      store.Transactor
	clock   clock.Clock
	log     *slog.Logger
	refresh time.Duration
	// publish is how long a retired key stays published: the longest token
	// lifetime plus the refresh interval and a margin for clock skew.
	publish time.Duration

	reload sync.Mutex // one reload at a time

	mu         sync.RWMutex
	loadedAt   time.Time // monotonic, for the cache only
	forcedAt   time.Time
	signing    *signingKey
	public     map[string]*publicKey
	publicList []op.Key
	parsed     map[string]*rsa.PrivateKey // by id; keys never change
}

// signingKey implements op.SigningKey.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey implements op.Key.
type publicKey struct {
	id  string
	key *rsa.PublicKey
}

func (k *publicKey) ID() string                         { return k.id }
func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return k.key }

func newKeyring(ks KeyStore, tx store.Transactor, c clock.Clock, log *slog.Logger, sealer *keySealer, refresh, publish time.Duration) *keyring {
	return &keyring{store: ks, sealer: sealer, tx: tx, clock: c, log: log, refresh: refresh, publish: publish, parsed: map[string]*rsa.PrivateKey{}}
}

// generate makes a new key sealed for the store.
func (kr *keyring) generate(now time.Time) (SigningKey, error) {
	k, err := generateKey(now)
	if err != nil {
		return k, err
	}
	if k.PrivateDER, err = kr.sealer.seal(k.ID, k.PrivateDER); err != nil {
		return k, err
	}
	return k, nil
}

// reseal seals every stored key that is plaintext (from before sealing) or
// sealed under an old secret with the current one, so the old secret can
// leave the list. A key sealed under no configured secret is left alone
// (and skipped by load, with an error logged).
func (kr *keyring) reseal(ctx context.Context) error {
	keys, err := kr.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("list signing keys: %w", err)
	}
	n := 0
	for _, k := range keys {
		der, current, err := kr.sealer.open(k.ID, k.PrivateDER)
		if err != nil || current {
			continue
		}
		sealed, err := kr.sealer.seal(k.ID, der)
		if err != nil {
			return err
		}
		did, err := kr.store.ReplaceSigningKeyPrivate(ctx, k.ID, k.PrivateDER, sealed)
		if err != nil {
			return err
		}
		if did {
			n++
		}
	}
	if n > 0 {
		kr.log.InfoContext(ctx, "sealed signing keys with the current secret", "keys", n)
	}
	return nil
}

// ensure loads the keys and creates the first one if there is none. Two
// processes starting at once on one database may both create a key; both
// then sign with the newest and the other is retired.
func (kr *keyring) ensure(ctx context.Context) error {
	if err := kr.load(ctx); err != nil {
		return err
	}
	kr.mu.RLock()
	have := kr.signing != nil
	kr.mu.RUnlock()
	if have {
		return nil
	}
	k, err := kr.generate(kr.clock.Now())
	if err != nil {
		return err
	}
	err = kr.tx.InTx(ctx, func(ctx context.Context) error {
		keys, err := kr.store.ListSigningKeys(ctx)
		if err != nil {
			return err
		}
		for _, sk := range keys {
			if sk.RetiredAt.IsZero() {
				return nil // another process was first
			}
		}
		return kr.store.CreateSigningKey(ctx, k)
	})
	if err != nil {
		return fmt.Errorf("create first signing key: %w", err)
	}
	if err := kr.load(ctx); err != nil {
		return err
	}
	return kr.retireOlderCurrent(ctx)
}

// retireOlderCurrent retires current keys other than the newest, left by
// processes that created a first key at the same moment.
func (kr *keyring) retireOlderCurrent(ctx context.Context) error {
	keys, err := kr.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("list signing keys: %w", err)
	}
	current := currentKeys(keys)
	if len(current) < 2 {
		return nil
	}
	if err := kr.store.RetireSigningKeys(ctx, current[0].ID, kr.clock.Now()); err != nil {
		return fmt.Errorf("retire duplicate signing keys: %w", err)
	}
	kr.log.InfoContext(ctx, "retired duplicate signing keys", "kept", current[0].ID, "retired", len(current)-1)
	return kr.load(ctx)
}

// rotate creates a new signing key, retires the others and deletes keys
// retired longer ago than the publication window, in one transaction.
func (kr *keyring) rotate(ctx context.Context) (string, error) {
	now := kr.clock.Now()
	k, err := kr.generate(now)
	if err != nil {
		return "", err
	}
	err = kr.tx.InTx(ctx, func(ctx context.Context) error {
		if err := kr.store.CreateSigningKey(ctx, k); err != nil {
			return err
		}
		if err := kr.store.RetireSigningKeys(ctx, k.ID, now); err != nil {
			return err
		}
		return kr.store.DeleteSigningKeysRetiredBefore(ctx, now.Add(-kr.publish))
	})
	if err != nil {
		return "", fmt.Errorf("rotate signing keys: %w", err)
	}
	kr.log.InfoContext(ctx, "rotated signing keys", "kid", k.ID)
	return k.ID, kr.load(ctx)
}

// load re-reads the keys from the store into the cache.
func (kr *keyring) load(ctx context.Context) error {
	kr.reload.Lock()
	defer kr.reload.Unlock()
	keys, err := kr.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("list signing keys: %w", err)
	}
	now := kr.clock.Now()
	kr.mu.RLock()
	parsed := kr.parsed
	kr.mu.RUnlock()

	nextParsed := make(map[string]*rsa.PrivateKey, len(keys))
	public := make(map[string]*publicKey, len(keys))
	var list []op.Key
	var signing *signingKey
	for _, sk := range sortKeys(keys) {
		if !sk.RetiredAt.IsZero() && !sk.RetiredAt.Add(kr.publish).After(now) {
			continue // past its publication window
		}
		if sk.Algorithm != algRS256 {
			kr.log.WarnContext(ctx, "ignoring signing key with unsupported algorithm", "kid", sk.ID, "alg", sk.Algorithm)
			continue
		}
		priv := parsed[sk.ID]
		if priv == nil {
			der, _, err := kr.sealer.open(sk.ID, sk.PrivateDER)
			if err == nil {
				priv, err = parseKey(der)
			}
			if err != nil {
				kr.log.ErrorContext(ctx, "ignoring unreadable signing key", "kid", sk.ID, "err", err)
				continue
			}
		}
		nextParsed[sk.ID] = priv
		pk := &publicKey{id: sk.ID, key: &priv.PublicKey}
		public[sk.ID] = pk
		list = append(list, pk)
		if signing == nil && sk.RetiredAt.IsZero() {
			signing = &signingKey{id: sk.ID, key: priv}
		}
	}
	kr.mu.Lock()
	kr.parsed, kr.public, kr.publicList, kr.signing = nextParsed, public, list, signing
	kr.loadedAt = time.Now()
	kr.mu.Unlock()
	return nil
}

// fresh reloads the cache when it is older than the refresh interval.
func (kr *keyring) fresh(ctx context.Context) error {
	kr.mu.RLock()
	stale := time.Since(kr.loadedAt) > kr.refresh
	have := kr.signing != nil
	kr.mu.RUnlock()
	if !stale {
		return nil
	}
	err := kr.load(ctx)
	if err != nil && have && ctx.Err() == nil {
		// Keep serving the cached keys through a database hiccup; retry in a second.
		kr.log.WarnContext(ctx, "re-reading signing keys failed; using cached keys", "err", err)
		kr.mu.Lock()
		kr.loadedAt = time.Now().Add(time.Second - kr.refresh)
		kr.mu.Unlock()
		return nil
	}
	return err
}

// signer returns the key that signs new tokens.
func (kr *keyring) signer(ctx context.Context) (*signingKey, error) {
	if err := kr.fresh(ctx); err != nil {
		return nil, err
	}
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	if kr.signing == nil {
		return nil, errNoSigningKey
	}
	return kr.signing, nil
}

// published returns the keys of the JWKS.
func (kr *keyring) published(ctx context.Context) ([]op.Key, error) {
	if err := kr.fresh(ctx); err != nil {
		return nil, err
	}
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.publicList, nil
}

// verifier returns the public key with that id. An unknown id makes it
// re-read the keys (at most once a second; callers meanwhile wait for the
// re-read in flight), so a key created by another process is found.
func (kr *keyring) verifier(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if err := kr.fresh(ctx); err != nil {
		return nil, err
	}
	if pk := kr.lookup(kid); pk != nil {
		return pk, nil
	}
	kr.mu.Lock()
	force := time.Since(kr.forcedAt) >= time.Second
	if force {
		kr.forcedAt = time.Now()
	}
	kr.mu.Unlock()
	if force {
		if err := kr.load(ctx); err != nil {
			return nil, err
		}
	} else {
		kr.reload.Lock()
		//lint:ignore SA2001 taking and releasing the lock is how this waits for the re-read in flight
		kr.reload.Unlock()
	}
	if pk := kr.lookup(kid); pk != nil {
		return pk, nil
	}
	return nil, errors.New("unknown key id")
}

func (kr *keyring) lookup(kid string) *rsa.PublicKey {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	if pk := kr.public[kid]; pk != nil {
		return pk.key
	}
	return nil
}

// generateKey makes a new RS256 key; its id is the key's JWK thumbprint.
func generateKey(now time.Time) (SigningKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, rsaKeyBits)
	if err != nil {
		return SigningKey{}, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return SigningKey{}, fmt.Errorf("encode signing key: %w", err)
	}
	tp, err := (&jose.JSONWebKey{Key: &priv.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return SigningKey{}, fmt.Errorf("signing key thumbprint: %w", err)
	}
	return SigningKey{
		ID:         base64.RawURLEncoding.EncodeToString(tp),
		Algorithm:  algRS256,
		PrivateDER: der,
		CreatedAt:  now,
	}, nil
}

func parseKey(der []byte) (*rsa.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse signing key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key is %T, not RSA", k)
	}
	return rk, nil
}

// sortKeys orders keys newest first, ties broken by id, so that every
// process picks the same current key.
func sortKeys(keys []SigningKey) []SigningKey {
	out := append([]SigningKey(nil), keys...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

// currentKeys returns the keys not retired, newest first.
func currentKeys(keys []SigningKey) []SigningKey {
	var out []SigningKey
	for _, k := range sortKeys(keys) {
		if k.RetiredAt.IsZero() {
			out = append(out, k)
		}
	}
	return out
}
