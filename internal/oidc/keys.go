package oidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/store"
)

// rsaKeyBits is the size of generated RSA signing keys.
const rsaKeyBits = 2048

// The signing algorithms: RS256 signs every app's tokens unless the app
// chose ES256 (ECDSA with P-256 and SHA-256).
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
)

// signingAlgs are the algorithms the keyring keeps a current key for.
var signingAlgs = []string{AlgRS256, AlgES256}

// errNoSigningKey: the key store holds no current key (NewProvider creates one).
var errNoSigningKey = errors.New("no current signing key")

// keyring caches the deployment's signing keys in memory. Keys live in the
// KeyStore, shared by every process: for each algorithm, the newest current
// (not retired) key signs; every key not yet past its publication window is
// published in the JWKS and accepted when verifying. The cache is re-read
// every refresh interval, and at once (at most once per second) when a
// token names an unknown key id, so a rotation by another process is seen
// quickly.
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
	signing    map[string]*signingKey // by algorithm
	public     map[string]*publicKey
	publicList []op.Key
	parsed     map[string]crypto.Signer // by id; keys never change
}

// signingKey implements op.SigningKey.
type signingKey struct {
	id  string
	alg jose.SignatureAlgorithm
	key crypto.Signer // *rsa.PrivateKey or *ecdsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey implements op.Key.
type publicKey struct {
	id  string
	alg jose.SignatureAlgorithm
	key crypto.PublicKey // *rsa.PublicKey or *ecdsa.PublicKey
}

func (k *publicKey) ID() string                         { return k.id }
func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return k.alg }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return k.key }

func newKeyring(ks KeyStore, tx store.Transactor, c clock.Clock, log *slog.Logger, sealer *keySealer, refresh, publish time.Duration) *keyring {
	return &keyring{store: ks, sealer: sealer, tx: tx, clock: c, log: log, refresh: refresh, publish: publish,
		parsed: map[string]crypto.Signer{}, signing: map[string]*signingKey{}}
}

// generate makes a new key of the algorithm sealed for the store.
func (kr *keyring) generate(alg string, now time.Time) (SigningKey, error) {
	k, err := generateKey(alg, now)
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

// missing returns the algorithms without a current key in the cache.
func (kr *keyring) missing() []string {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	var out []string
	for _, alg := range signingAlgs {
		if kr.signing[alg] == nil {
			out = append(out, alg)
		}
	}
	return out
}

// ensure loads the keys and creates a first key for each algorithm that
// has none (a deployment from before ES256 gets its first EC key here).
// Two processes starting at once on one database may both create a key;
// both then sign with the newest and the other is retired.
func (kr *keyring) ensure(ctx context.Context) error {
	if err := kr.load(ctx); err != nil {
		return err
	}
	algs := kr.missing()
	if len(algs) == 0 {
		return nil
	}
	now := kr.clock.Now()
	created := make([]SigningKey, 0, len(algs))
	for _, alg := range algs {
		k, err := kr.generate(alg, now)
		if err != nil {
			return err
		}
		created = append(created, k)
	}
	err := kr.tx.InTx(ctx, func(ctx context.Context) error {
		keys, err := kr.store.ListSigningKeys(ctx)
		if err != nil {
			return err
		}
		for _, k := range created {
			if len(currentKeys(keys, k.Algorithm)) > 0 {
				continue // another process was first
			}
			if err := kr.store.CreateSigningKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create first signing key: %w", err)
	}
	if err := kr.load(ctx); err != nil {
		return err
	}
	return kr.retireOlderCurrent(ctx)
}

// retireOlderCurrent retires, per algorithm, current keys other than the
// newest, left by processes that created a first key at the same moment.
func (kr *keyring) retireOlderCurrent(ctx context.Context) error {
	keys, err := kr.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("list signing keys: %w", err)
	}
	retired := false
	for _, alg := range signingAlgs {
		current := currentKeys(keys, alg)
		if len(current) < 2 {
			continue
		}
		if err := kr.store.RetireSigningKeys(ctx, current[0].ID, kr.clock.Now()); err != nil {
			return fmt.Errorf("retire duplicate signing keys: %w", err)
		}
		kr.log.InfoContext(ctx, "retired duplicate signing keys", "alg", alg, "kept", current[0].ID, "retired", len(current)-1)
		retired = true
	}
	if !retired {
		return nil
	}
	return kr.load(ctx)
}

// KeyIDs names the signing keys a rotation made current, one per algorithm.
type KeyIDs struct {
	RS256, ES256 string
}

// rotate creates a new signing key for each algorithm, retires the others
// (each algorithm's own) and deletes keys retired longer ago than the
// publication window, in one transaction.
func (kr *keyring) rotate(ctx context.Context) (KeyIDs, error) {
	now := kr.clock.Now()
	var ids KeyIDs
	keys := make([]SigningKey, 0, len(signingAlgs))
	for _, alg := range signingAlgs {
		k, err := kr.generate(alg, now)
		if err != nil {
			return ids, err
		}
		keys = append(keys, k)
	}
	err := kr.tx.InTx(ctx, func(ctx context.Context) error {
		for _, k := range keys {
			if err := kr.store.CreateSigningKey(ctx, k); err != nil {
				return err
			}
			if err := kr.store.RetireSigningKeys(ctx, k.ID, now); err != nil {
				return err
			}
		}
		return kr.store.DeleteSigningKeysRetiredBefore(ctx, now.Add(-kr.publish))
	})
	if err != nil {
		return ids, fmt.Errorf("rotate signing keys: %w", err)
	}
	ids.RS256, ids.ES256 = keys[0].ID, keys[1].ID
	kr.log.InfoContext(ctx, "rotated signing keys", "rs256_kid", ids.RS256, "es256_kid", ids.ES256)
	return ids, kr.load(ctx)
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

	nextParsed := make(map[string]crypto.Signer, len(keys))
	public := make(map[string]*publicKey, len(keys))
	var list []op.Key
	signing := make(map[string]*signingKey, len(signingAlgs))
	for _, sk := range sortKeys(keys) {
		if !sk.RetiredAt.IsZero() && !sk.RetiredAt.Add(kr.publish).After(now) {
			continue // past its publication window
		}
		if !slices.Contains(signingAlgs, sk.Algorithm) {
			kr.log.WarnContext(ctx, "ignoring signing key with unsupported algorithm", "kid", sk.ID, "alg", sk.Algorithm)
			continue
		}
		priv := parsed[sk.ID]
		if priv == nil {
			der, _, err := kr.sealer.open(sk.ID, sk.PrivateDER)
			if err == nil {
				priv, err = parseKey(sk.Algorithm, der)
			}
			if err != nil {
				kr.log.ErrorContext(ctx, "ignoring unreadable signing key", "kid", sk.ID, "err", err)
				continue
			}
		}
		nextParsed[sk.ID] = priv
		alg := jose.SignatureAlgorithm(sk.Algorithm)
		pk := &publicKey{id: sk.ID, alg: alg, key: priv.Public()}
		public[sk.ID] = pk
		list = append(list, pk)
		if signing[sk.Algorithm] == nil && sk.RetiredAt.IsZero() {
			signing[sk.Algorithm] = &signingKey{id: sk.ID, alg: alg, key: priv}
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
	have := len(kr.signing) > 0
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

// signer returns the key that signs new tokens with the algorithm.
func (kr *keyring) signer(ctx context.Context, alg string) (*signingKey, error) {
	if err := kr.fresh(ctx); err != nil {
		return nil, err
	}
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	k := kr.signing[alg]
	if k == nil {
		return nil, fmt.Errorf("%w for %s", errNoSigningKey, alg)
	}
	return k, nil
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
func (kr *keyring) verifier(ctx context.Context, kid string) (*publicKey, error) {
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

func (kr *keyring) lookup(kid string) *publicKey {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.public[kid]
}

// generateKey makes a new key for the algorithm (RSA 2048 for RS256, ECDSA
// P-256 for ES256); its id is the key's JWK thumbprint.
func generateKey(alg string, now time.Time) (SigningKey, error) {
	var (
		priv crypto.Signer
		err  error
	)
	switch alg {
	case AlgRS256:
		priv, err = rsa.GenerateKey(rand.Reader, rsaKeyBits)
	case AlgES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		err = fmt.Errorf("unsupported algorithm %q", alg)
	}
	if err != nil {
		return SigningKey{}, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return SigningKey{}, fmt.Errorf("encode signing key: %w", err)
	}
	tp, err := (&jose.JSONWebKey{Key: priv.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return SigningKey{}, fmt.Errorf("signing key thumbprint: %w", err)
	}
	return SigningKey{
		ID:         base64.RawURLEncoding.EncodeToString(tp),
		Algorithm:  alg,
		PrivateDER: der,
		CreatedAt:  now,
	}, nil
}

// parseKey reads a PKCS#8 key and checks it is of the algorithm's kind: a
// key stored under one algorithm never signs for another.
func parseKey(alg string, der []byte) (crypto.Signer, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse signing key: %w", err)
	}
	switch key := k.(type) {
	case *rsa.PrivateKey:
		if alg == AlgRS256 {
			return key, nil
		}
	case *ecdsa.PrivateKey:
		if alg == AlgES256 && key.Curve == elliptic.P256() {
			return key, nil
		}
	}
	return nil, fmt.Errorf("signing key is %T, not a key for %s", k, alg)
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

// currentKeys returns the keys of the algorithm not retired, newest first.
func currentKeys(keys []SigningKey, alg string) []SigningKey {
	var out []SigningKey
	for _, k := range sortKeys(keys) {
		if k.RetiredAt.IsZero() && k.Algorithm == alg {
			out = append(out, k)
		}
	}
	return out
}
