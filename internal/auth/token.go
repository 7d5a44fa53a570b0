package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// CookieName is the browser's session cookie.
const CookieName = "comanda_session"

const (
	issuer = "comanda"
	// Audience is who a token is for: the gateway and the services.
	Audience = "comanda-services"
	// MaxTTL is the longest a session may last; SESSION_TTL may not exceed
	// it, and a token that claims more is refused.
	MaxTTL = 24 * time.Hour
	// clockSkew is how far ahead of a checker's clock a token's issue time
	// may be.
	clockSkew = time.Minute
)

// ErrInvalidToken is any token that is not a live session's.
var ErrInvalidToken = errors.New("invalid or expired session")

// Session is what a valid token says.
type Session struct {
	User      string
	ID        string // the token's jti: the session in the registry
	IssuedAt  time.Time
	ExpiresAt time.Time
}

type claims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
}

// Signer issues tokens: the gateway's private key, named by its kid.
type Signer struct {
	kid string
	key ed25519.PrivateKey
}

// NewSigner returns a signer of key named kid.
func NewSigner(kid string, key ed25519.PrivateKey) (*Signer, error) {
	if !keyIDPattern.MatchString(kid) {
		return nil, fmt.Errorf("AUTH_KEY_ID %q must be 1–64 letters, digits, '.', '_' or '-'", kid)
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("not an Ed25519 private key")
	}
	return &Signer{kid: kid, key: key}, nil
}

// Issue signs a new session of user lasting ttl (at most MaxTTL).
func (s *Signer) Issue(user string, ttl time.Duration, now time.Time) (string, Session, error) {
	if ttl <= 0 || ttl > MaxTTL {
		return "", Session{}, fmt.Errorf("a session lasts at most %s", MaxTTL)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	now = now.Truncate(time.Second)
	sess := Session{User: user, ID: hex.EncodeToString(id), IssuedAt: now, ExpiresAt: now.Add(ttl)}
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Subject: user, ID: sess.ID, Audience: jwt.ClaimStrings{Audience},
			IssuedAt: jwt.NewNumericDate(sess.IssuedAt), NotBefore: jwt.NewNumericDate(sess.IssuedAt),
			ExpiresAt: jwt.NewNumericDate(sess.ExpiresAt),
		},
		Role: "manager",
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = s.kid
	tok, err := t.SignedString(s.key)
	if err != nil {
		return "", Session{}, fmt.Errorf("signing session: %w", err)
	}
	return tok, sess, nil
}

// Verifier checks tokens with public keys only.
type Verifier struct {
	keys map[string]ed25519.PublicKey
}

// NewVerifier returns a verifier of the tokens signed by any of keys.
func NewVerifier(keys map[string]ed25519.PublicKey) (*Verifier, error) {
	if len(keys) == 0 {
		return nil, errors.New("no public key to check tokens with")
	}
	return &Verifier{keys: keys}, nil
}

// Verify returns the session a token names, if its signature, audience and
// times hold at now. Whether the session is still live is the registry's
// answer (Checker).
func (v *Verifier) Verify(token string, now time.Time) (Session, error) {
	if token == "" || len(token) > 4096 {
		return Session{}, ErrInvalidToken
	}
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, ok := v.keys[kid]
		if !ok {
			return nil, errors.New("unknown key")
		}
		return k, nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(clockSkew),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil || c.Subject == "" || c.ID == "" || c.Role != "manager" || c.IssuedAt == nil {
		return Session{}, ErrInvalidToken
	}
	iat, exp := c.IssuedAt.Time, c.ExpiresAt.Time
	// The leeway above forgives clocks; these bounds do not: a token that
	// claims to last longer than any session may, or that comes from the
	// future, was not issued by a gateway.
	if iat.After(now.Add(clockSkew)) || exp.Sub(iat) > MaxTTL || !exp.After(now) {
		return Session{}, ErrInvalidToken
	}
	return Session{User: c.Subject, ID: c.ID, IssuedAt: iat, ExpiresAt: exp}, nil
}
