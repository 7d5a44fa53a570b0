package stream

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Connect opens a Redis client for url (redis://host:port/db) tuned for
// stream work, and checks that the server answers.
func Connect(ctx context.Context, url string, poolSize int) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parsing redis url: %w", err)
	}
	// Without this, a blocking XREADGROUP ignores context cancellation.
	opts.ContextTimeoutEnabled = true
	if poolSize > 0 {
		opts.PoolSize = poolSize
	}
	opts.DialTimeout = 5 * time.Second
	rdb := redis.NewClient(opts)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("pinging redis at %s: %w", opts.Addr, err)
	}
	return rdb, nil
}
