package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// loginLimits slow password guessing down, in Redis so that every gateway
// behind the load balancer counts the same attempts: each client address
// may try Attempts logins a minute, and a user name that keeps failing
// waits longer before each next try (per-user backoff: the guesses of many
// addresses against one account add up).
type loginLimits struct {
	rdb    redis.UniversalClient
	prefix string
	// attempts per client address per minute.
	attempts int
	// freeFailures a user may have before backing off; then each failure
	// doubles the wait from backoffBase, up to backoffMax. A success
	// clears it.
	freeFailures int
	backoffBase  time.Duration
	backoffMax   time.Duration
}

func newLoginLimits(rdb redis.UniversalClient, prefix string, attempts int) *loginLimits {
	return &loginLimits{rdb: rdb, prefix: prefix, attempts: attempts, freeFailures: 3, backoffBase: time.Second, backoffMax: 30 * time.Second}
}

// countScript counts one attempt in a window that starts with the first.
var countScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`)

// admit counts an attempt of client for user; a positive wait means refuse
// it and say when to come back.
func (l *loginLimits) admit(ctx context.Context, client, user string) (time.Duration, error) {
	res, err := countScript.Run(ctx, l.rdb, []string{l.key("client", client)}, time.Minute.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, fmt.Errorf("counting login attempts: %w", err)
	}
	if res[0] > int64(l.attempts) {
		return max(time.Duration(res[1])*time.Millisecond, time.Second), nil
	}
	wait, err := l.rdb.PTTL(ctx, l.key("wait", user)).Result()
	if err != nil {
		return 0, fmt.Errorf("reading the login backoff: %w", err)
	}
	if wait > 0 {
		return wait, nil
	}
	return 0, nil
}

// failed records a wrong password for user.
func (l *loginLimits) failed(ctx context.Context, user string) error {
	res, err := countScript.Run(ctx, l.rdb, []string{l.key("failures", user)}, (15 * time.Minute).Milliseconds()).Int64Slice()
	if err != nil {
		return fmt.Errorf("counting login failures: %w", err)
	}
	if over := int(res[0]) - l.freeFailures; over > 0 {
		wait := min(l.backoffBase<<min(over-1, 20), l.backoffMax)
		return l.rdb.Set(ctx, l.key("wait", user), "", wait).Err()
	}
	return nil
}

// succeeded clears user's failures.
func (l *loginLimits) succeeded(ctx context.Context, user string) error {
	return l.rdb.Del(ctx, l.key("failures", user), l.key("wait", user)).Err()
}

// key names a counter; user names are hashed, so that whatever a client
// sends as one makes a key of a bounded size.
func (l *loginLimits) key(kind, who string) string {
	if kind != "client" {
		sum := sha256.Sum256([]byte(strings.ToLower(who)))
		who = hex.EncodeToString(sum[:12])
	}
	return l.prefix + ":login:" + kind + ":" + who
}
