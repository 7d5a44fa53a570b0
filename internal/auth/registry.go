package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrUnavailable is a session that could not be checked: Redis is not
// answering and this process has not seen the session live lately.
var ErrUnavailable = errors.New("sessions cannot be checked now")

// Registry keeps the live sessions in Redis, each under its own key that
// expires with its token: opened at login, deleted at logout, so every
// gateway and service sees the same answer and a restart forgets nothing.
//
// Answers are cached: a live one for CacheFor, an ended one until the token
// expires. While Redis does not answer, a session seen live within Grace
// stays live (a logout cannot be recorded then, and says so), and Redis is
// asked again at most every CacheFor, so that an outage does not hold every
// request for a timeout.
type Registry struct {
	rdb    redis.UniversalClient
	prefix string
	// CacheFor is how long a live answer is reused (default 1s): a logout
	// reaches every checker within it.
	CacheFor time.Duration
	// Grace is how long a live answer stands while Redis is unreachable
	// (default 2m).
	Grace time.Duration
	now   func() time.Time

	mu       sync.Mutex
	seen     map[string]seen
	downAt   time.Time // the last failed lookup
	lastTrim time.Time
}

type seen struct {
	live      bool
	checked   time.Time
	expiresAt time.Time
}

// NewRegistry keeps sessions under prefix:session:<id> in rdb.
func NewRegistry(rdb redis.UniversalClient, prefix string) *Registry {
	return &Registry{rdb: rdb, prefix: prefix, CacheFor: time.Second, Grace: 2 * time.Minute, now: time.Now, seen: map[string]seen{}}
}

func (r *Registry) key(id string) string { return r.prefix + ":session:" + id }

// Open records s as live until it expires.
func (r *Registry) Open(ctx context.Context, s Session) error {
	ttl := s.ExpiresAt.Sub(r.now())
	if ttl <= 0 {
		return ErrInvalidToken
	}
	if err := r.rdb.Set(ctx, r.key(s.ID), s.User, ttl).Err(); err != nil {
		return fmt.Errorf("%w: opening the session: %v", ErrUnavailable, err)
	}
	r.remember(s, true)
	return nil
}

// End ends s everywhere: every checker refuses it within CacheFor.
func (r *Registry) End(ctx context.Context, s Session) error {
	if err := r.rdb.Del(ctx, r.key(s.ID)).Err(); err != nil {
		return fmt.Errorf("%w: ending the session: %v", ErrUnavailable, err)
	}
	r.remember(s, false)
	return nil
}

// Live reports whether s is still open.
func (r *Registry) Live(ctx context.Context, s Session) (bool, error) {
	now := r.now()
	r.mu.Lock()
	e, known := r.seen[s.ID]
	down := now.Sub(r.downAt) < r.CacheFor
	r.mu.Unlock()
	if known && (!e.live || now.Sub(e.checked) < r.CacheFor) {
		return e.live, nil
	}
	if !down {
		n, err := r.rdb.Exists(ctx, r.key(s.ID)).Result()
		if err == nil {
			r.remember(s, n == 1)
			return n == 1, nil
		}
		if ctx.Err() == nil {
			// Redis failed, not the caller giving up (a client gone, a
			// shutdown): spare the next requests the wait.
			r.mu.Lock()
			r.downAt = now
			r.mu.Unlock()
		}
	}
	if known && e.live && now.Sub(e.checked) < r.Grace {
		return true, nil
	}
	return false, ErrUnavailable
}

func (r *Registry) remember(s Session, live bool) {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[s.ID] = seen{live: live, checked: now, expiresAt: s.ExpiresAt}
	if now.Sub(r.lastTrim) > time.Minute {
		for id, e := range r.seen {
			if now.After(e.expiresAt) {
				delete(r.seen, id)
			}
		}
		r.lastTrim = now
	}
}

// Checker answers whether a token is a live session's: its signature and
// times (Verifier), then the registry.
type Checker struct {
	verifier *Verifier
	registry *Registry
	now      func() time.Time
}

// NewChecker checks tokens with v against the sessions of r.
func NewChecker(v *Verifier, r *Registry) *Checker {
	return &Checker{verifier: v, registry: r, now: time.Now}
}

// Registry is where the checker looks sessions up.
func (c *Checker) Registry() *Registry { return c.registry }

// Check returns the live session of token: ErrInvalidToken when it is not
// one, ErrUnavailable when that cannot be told now.
func (c *Checker) Check(ctx context.Context, token string) (Session, error) {
	s, err := c.verifier.Verify(token, c.now())
	if err != nil {
		return Session{}, err
	}
	live, err := c.registry.Live(ctx, s)
	if err != nil {
		return Session{}, err
	}
	if !live {
		return Session{}, ErrInvalidToken
	}
	return s, nil
}

// Watch returns true when s ends — a logout anywhere, or its expiry — and
// false when ctx ends first. It asks every `every`; while sessions cannot be
// checked, s goes on.
func (r *Registry) Watch(ctx context.Context, s Session, every time.Duration) bool {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
		if !r.now().Before(s.ExpiresAt) {
			return true
		}
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		live, err := r.Live(cctx, s)
		cancel()
		if err == nil && !live {
			return true
		}
	}
}

// SetClock makes the checker and its registry tell time with now (tests).
func (c *Checker) SetClock(now func() time.Time) {
	c.now = now
	c.registry.now = now
}
