package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// CookieName is the session cookie the gateway sets.
const CookieName = "comanda_session"

const issuer = "comanda"

// ErrInvalidToken reports a missing, malformed, forged or expired token.
var ErrInvalidToken = errors.New("invalid or expired session")

// Session is what a valid token says.
type Session struct {
	User      string
	ID        string
	ExpiresAt time.Time
}

type claims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
}

// Keys signs and checks tokens with one secret.
type Keys struct {
	secret []byte
}

// NewKeys returns keys for secret, which must not be empty.
func NewKeys(secret string) (*Keys, error) {
	if secret == "" {
		return nil, errors.New("auth secret is empty")
	}
	return &Keys{secret: []byte(secret)}, nil
}

// Issue returns a token for user valid for ttl from now.
func (k *Keys) Issue(user string, ttl time.Duration, now time.Time) (string, Session, error) {
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	s := Session{User: user, ID: hex.EncodeToString(id), ExpiresAt: now.Add(ttl).Truncate(time.Second)}
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Subject: user, ID: s.ID,
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(s.ExpiresAt),
		},
		Role: "manager",
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(k.secret)
	if err != nil {
		return "", Session{}, fmt.Errorf("signing session: %w", err)
	}
	return tok, s, nil
}

// Verify checks token's signature, issuer and expiry at now.
func (k *Keys) Verify(token string, now time.Time) (Session, error) {
	if token == "" {
		return Session{}, ErrInvalidToken
	}
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return k.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil || c.Subject == "" || c.Role != "manager" {
		return Session{}, ErrInvalidToken
	}
	return Session{User: c.Subject, ID: c.ID, ExpiresAt: c.ExpiresAt.Time}, nil
}
