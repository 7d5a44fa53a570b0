package gateway

import (
	"sync"
	"time"

	"github.com/comanda-dev/comanda/internal/auth"
)

// Sessions checks tokens and remembers the ones revoked by a logout until
// they would have expired anyway: a token is stateless, so logging out must
// be remembered where tokens are checked.
type Sessions struct {
	keys     *auth.Keys // nil: checks are off (AUTH_DISABLED)
	ttl      time.Duration
	now      func() time.Time
	mu       sync.Mutex
	revoked  map[string]time.Time
	lastTrim time.Time
}

// NewSessions returns sessions signed with keys (nil turns checks off).
func NewSessions(keys *auth.Keys, ttl time.Duration) *Sessions {
	return &Sessions{keys: keys, ttl: ttl, now: time.Now, revoked: map[string]time.Time{}}
}

// Disabled reports whether checks are off.
func (s *Sessions) Disabled() bool { return s.keys == nil }

// Open issues a token for user.
func (s *Sessions) Open(user string) (string, auth.Session, error) {
	return s.keys.Issue(user, s.ttl, s.now())
}

// Check returns the session of a valid, unrevoked token.
func (s *Sessions) Check(token string) (auth.Session, error) {
	if s.keys == nil {
		return auth.Session{User: "anonymous"}, nil
	}
	sess, err := s.keys.Verify(token, s.now())
	if err != nil {
		return sess, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, gone := s.revoked[sess.ID]; gone {
		return auth.Session{}, auth.ErrInvalidToken
	}
	return sess, nil
}

// Revoke ends a session before its expiry.
func (s *Sessions) Revoke(sess auth.Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.revoked[sess.ID] = sess.ExpiresAt
	if now.Sub(s.lastTrim) > time.Minute {
		for id, exp := range s.revoked {
			if now.After(exp) {
				delete(s.revoked, id)
			}
		}
		s.lastTrim = now
	}
}
