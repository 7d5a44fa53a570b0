package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// realStores is one run's share of the machine's Redis and PostgreSQL: a
// stream prefix and two schemas of its own, removed when it ends. Both
// servers are shared with everyone working here: a run creates and removes
// only what carries its tag, and never stops or reconfigures them.
type realStores struct {
	RedisURL, DatabaseURL string
	Prefix                string
	OrdersSchema          string
	KitchenSchema         string
}

func newRealStores() realStores {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	tag := hex.EncodeToString(b)
	return realStores{
		RedisURL:    envOr("REDIS_URL", "redis://127.0.0.1:6379/0"),
		DatabaseURL: envOr("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		Prefix:      "bench-" + tag, OrdersSchema: "bench_" + tag + "_orders", KitchenSchema: "bench_" + tag + "_kitchen",
	}
}

// env points the services at these stores.
func (r realStores) env() []string {
	return []string{
		"REDIS_URL=" + r.RedisURL, "STREAM_PREFIX=" + r.Prefix, "DATABASE_URL=" + r.DatabaseURL,
		"ORDERS_DB_SCHEMA=" + r.OrdersSchema, "KITCHEN_DB_SCHEMA=" + r.KitchenSchema,
	}
}

func (r realStores) redis() (*redis.Client, error) {
	opts, err := redis.ParseURL(r.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("parsing REDIS_URL: %w", err)
	}
	return redis.NewClient(opts), nil
}

// keys lists this run's keys.
func (r realStores) keys(ctx context.Context, rdb *redis.Client) ([]string, error) {
	var keys []string
	iter := rdb.Scan(ctx, 0, r.Prefix+":*", 500).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	slices.Sort(keys)
	return keys, iter.Err()
}

// redisUsage is what this run's keys hold in Redis once a burst is done.
type redisUsage struct {
	Bytes   int64            `json:"bytes"`
	Entries map[string]int64 `json:"streamEntries"`
}

func (r realStores) usage(ctx context.Context) (redisUsage, error) {
	rdb, err := r.redis()
	if err != nil {
		return redisUsage{}, err
	}
	defer rdb.Close()
	keys, err := r.keys(ctx, rdb)
	if err != nil {
		return redisUsage{}, fmt.Errorf("listing this run's keys: %w", err)
	}
	u := redisUsage{Entries: map[string]int64{}}
	for _, k := range keys {
		n, err := rdb.MemoryUsage(ctx, k).Result()
		if err != nil {
			return u, fmt.Errorf("measuring %s: %w", k, err)
		}
		u.Bytes += n
		if t, _ := rdb.Type(ctx, k).Result(); t == "stream" {
			u.Entries[k], _ = rdb.XLen(ctx, k).Result()
		}
	}
	return u, nil
}

// remove deletes this run's keys and drops its schemas.
func (r realStores) remove() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if rdb, err := r.redis(); err != nil {
		errs = append(errs, err)
	} else {
		keys, err := r.keys(ctx, rdb)
		if err == nil && len(keys) > 0 {
			err = rdb.Del(ctx, keys...).Err()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("deleting the keys under %s: %w", r.Prefix, err))
		}
		rdb.Close()
	}
	conn, err := pgx.Connect(ctx, r.DatabaseURL)
	if err != nil {
		errs = append(errs, fmt.Errorf("dropping the schemas: %w", err))
		return errors.Join(errs...)
	}
	defer conn.Close(ctx)
	for _, s := range []string{r.OrdersSchema, r.KitchenSchema} {
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{s}.Sanitize()+" CASCADE"); err != nil {
			errs = append(errs, fmt.Errorf("dropping schema %s: %w", s, err))
		}
	}
	return errors.Join(errs...)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
