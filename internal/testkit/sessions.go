package testkit

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/auth"
)

// Keys is a gateway's signing key for tests: Private and KeyID are what
// web takes (AUTH_PRIVATE_KEY, AUTH_KEY_ID), Public what the services take
// (AUTH_PUBLIC_KEYS).
type Keys struct {
	KeyID, Private, Public string
	signer                 *auth.Signer
}

// NewKeys makes a key pair.
func NewKeys(t testing.TB) *Keys {
	t.Helper()
	pair, err := auth.GenerateKeyPair("test")
	if err != nil {
		t.Fatal(err)
	}
	priv, err := auth.ParsePrivateKey(pair.Private)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewSigner(pair.ID, priv)
	if err != nil {
		t.Fatal(err)
	}
	return &Keys{KeyID: pair.ID, Private: pair.Private, Public: pair.Public, signer: signer}
}

// Token signs a session of the manager lasting ttl, and opens it in rdb
// under prefix, as a login would: services that check with k.Public accept
// it.
func (k *Keys) Token(t testing.TB, rdb redis.UniversalClient, prefix string, ttl time.Duration) (string, auth.Session) {
	t.Helper()
	token, s, err := k.signer.Issue("manager", ttl, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := auth.NewRegistry(rdb, prefix).Open(ctx, s); err != nil {
		t.Fatal(err)
	}
	return token, s
}

// Signed signs a session without opening it.
func (k *Keys) Signed(t testing.TB, ttl time.Duration) (string, auth.Session) {
	t.Helper()
	token, s, err := k.signer.Issue("manager", ttl, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return token, s
}

// KeysOf is the gateway key kid=private (a running system's), to sign
// sessions it accepts.
func KeysOf(t testing.TB, kid, private string) *Keys {
	t.Helper()
	priv, err := auth.ParsePrivateKey(private)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewSigner(kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := auth.PublicEntry(kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	return &Keys{KeyID: kid, Private: private, Public: pub, signer: signer}
}
