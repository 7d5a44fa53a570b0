package gateway

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/auth"
)

// Sessions opens, checks and ends the manager's sessions: tokens signed with
// the gateway's private key, each naming a session kept in Redis
// (auth.Registry), so that a logout holds at every gateway and service.
type Sessions struct {
	signer  *auth.Signer // nil: checks are off (AUTH_DISABLED)
	checker *auth.Checker
	ttl     time.Duration
	now     func() time.Time
}

// NewSessions returns sessions signed by signer and checked by checker
// (both nil turn checks off), lasting ttl.
func NewSessions(signer *auth.Signer, checker *auth.Checker, ttl time.Duration) *Sessions {
	return &Sessions{signer: signer, checker: checker, ttl: ttl, now: time.Now}
}

// Disabled reports whether checks are off.
func (s *Sessions) Disabled() bool { return s.signer == nil }

// Open issues a token for user and records its session.
func (s *Sessions) Open(ctx context.Context, user string) (string, auth.Session, error) {
	token, sess, err := s.signer.Issue(user, s.ttl, s.now())
	if err != nil {
		return "", sess, err
	}
	if err := s.checker.Registry().Open(ctx, sess); err != nil {
		return "", sess, err
	}
	return token, sess, nil
}

// Check returns the live session of token, or the answer a client gets
// (401, or 503 when sessions cannot be checked).
func (s *Sessions) Check(c *fiber.Ctx, token string) (auth.Session, error) {
	if s.signer == nil {
		return auth.Session{User: "anonymous"}, nil
	}
	return s.checker.CheckRequest(c, token)
}

// Revoke ends a session before its expiry, everywhere.
func (s *Sessions) Revoke(ctx context.Context, sess auth.Session) error {
	return s.checker.Registry().End(ctx, sess)
}

// Watch returns true when sess ends (see auth.Registry.Watch).
func (s *Sessions) Watch(ctx context.Context, sess auth.Session) bool {
	if s.signer == nil {
		<-ctx.Done()
		return false
	}
	return s.checker.Registry().Watch(ctx, sess, sessionCheckEvery)
}

// sessionCheckEvery is how often an open WebSocket's session is checked.
const sessionCheckEvery = 2 * time.Second
