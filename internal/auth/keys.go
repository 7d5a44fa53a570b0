package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// A key id names a public key in AUTH_PUBLIC_KEYS and the token's kid.
var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ParsePrivateKey reads an Ed25519 private key: PKCS #8, as PEM (what
// `openssl genpkey -algorithm ed25519` writes) or as the base64 of its DER,
// on one line, which is easier to pass in an environment variable.
func ParsePrivateKey(text string) (ed25519.PrivateKey, error) {
	der, err := derOf(text, "PRIVATE KEY")
	if err != nil {
		return nil, fmt.Errorf("AUTH_PRIVATE_KEY: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("AUTH_PRIVATE_KEY is not a PKCS #8 key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("AUTH_PRIVATE_KEY is not an Ed25519 key")
	}
	return priv, nil
}

// ParsePublicKeys reads AUTH_PUBLIC_KEYS: comma-separated KID=KEY pairs, KEY
// an Ed25519 public key as the base64 of its DER (SubjectPublicKeyInfo, the
// body of `openssl pkey -pubout`'s PEM).
func ParsePublicKeys(list string) (map[string]ed25519.PublicKey, error) {
	keys := map[string]ed25519.PublicKey{}
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		kid, text, ok := strings.Cut(item, "=")
		if !ok || !keyIDPattern.MatchString(kid) {
			return nil, fmt.Errorf("AUTH_PUBLIC_KEYS: %q is not KID=KEY (a kid of letters, digits, '.', '_' or '-')", short(item))
		}
		der, err := derOf(text, "PUBLIC KEY")
		if err != nil {
			return nil, fmt.Errorf("AUTH_PUBLIC_KEYS: key %s: %w", kid, err)
		}
		k, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			return nil, fmt.Errorf("AUTH_PUBLIC_KEYS: key %s is not a public key: %w", kid, err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("AUTH_PUBLIC_KEYS: key %s is not an Ed25519 key", kid)
		}
		if had, dup := keys[kid]; dup && !had.Equal(pub) {
			return nil, fmt.Errorf("AUTH_PUBLIC_KEYS: kid %s names two keys", kid)
		}
		keys[kid] = pub
	}
	if len(keys) == 0 {
		return nil, errors.New("AUTH_PUBLIC_KEYS holds no key")
	}
	return keys, nil
}

// derOf decodes a PEM block of the given type, or base64 of DER (with or
// without padding, standard or URL alphabet).
func derOf(text, blockType string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "-----BEGIN") {
		b, _ := pem.Decode([]byte(text))
		if b == nil || b.Type != blockType {
			return nil, fmt.Errorf("not a PEM %s block", blockType)
		}
		return b.Bytes, nil
	}
	text = strings.TrimRight(text, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if der, err := enc.DecodeString(text); err == nil {
			return der, nil
		}
	}
	return nil, errors.New("neither PEM nor base64")
}

func short(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

// KeyPair is a new signing key and what the services need to check it.
type KeyPair struct {
	ID string
	// Private is the PKCS #8 DER in base64 (AUTH_PRIVATE_KEY).
	Private string
	// Public is the KID=KEY entry of AUTH_PUBLIC_KEYS.
	Public string
}

// GenerateKeyPair makes an Ed25519 key pair named kid.
func GenerateKeyPair(kid string) (KeyPair, error) {
	if !keyIDPattern.MatchString(kid) {
		return KeyPair{}, fmt.Errorf("%q is not a key id", kid)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return KeyPair{}, err
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return KeyPair{}, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return KeyPair{}, err
	}
	return KeyPair{
		ID:      kid,
		Private: base64.StdEncoding.EncodeToString(privDER),
		Public:  kid + "=" + base64.StdEncoding.EncodeToString(pubDER),
	}, nil
}

// PublicEntry is the AUTH_PUBLIC_KEYS entry of a private key.
func PublicEntry(kid string, priv ed25519.PrivateKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return "", err
	}
	return kid + "=" + base64.StdEncoding.EncodeToString(der), nil
}
