package stream

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// TailOptions configure Tail.
type TailOptions struct {
	// From maps each stream to the id after which to start reading; "$" or a
	// missing stream means only new entries.
	From map[string]string
	// Count bounds each read (default 512).
	Count int
	// Block bounds each blocking read (default 1s).
	Block  time.Duration
	Logger *slog.Logger
}

// Tail reads streams without a consumer group, so every caller sees every
// entry, and passes each batch to fn until ctx ends or fn fails. Entries that
// do not decode are skipped. fn receives messages in stream order per stream.
func Tail(ctx context.Context, rdb redis.UniversalClient, streams []string, opt TailOptions, fn func([]Message) error) error {
	if opt.Count <= 0 {
		opt.Count = 512
	}
	if opt.Block <= 0 {
		opt.Block = time.Second
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	last := make([]string, len(streams))
	for i, s := range streams {
		last[i] = "$"
		if id, ok := opt.From[s]; ok && id != "" {
			last[i] = id
		}
	}
	// "$" means "after the newest entry now": resolve it once, so that
	// entries added between two reads are not skipped.
	for i, s := range streams {
		if last[i] != "$" {
			continue
		}
		newest, err := rdb.XRevRangeN(ctx, s, "+", "-", 1).Result()
		if err != nil {
			return err
		}
		last[i] = "0-0"
		if len(newest) > 0 {
			last[i] = newest[0].ID
		}
	}
	failures := 0
	for ctx.Err() == nil {
		args := &redis.XReadArgs{Streams: append(append([]string{}, streams...), last...), Count: int64(opt.Count), Block: opt.Block}
		res, err := rdb.XRead(ctx, args).Result()
		if err != nil {
			if errors.Is(err, redis.Nil) || ctx.Err() != nil {
				continue
			}
			failures++
			log.Warn("tailing streams", "err", err, "failures", failures)
			sleep(ctx, backoff(failures, 50*time.Millisecond, 2*time.Second))
			continue
		}
		failures = 0
		var batch []Message
		for _, s := range res {
			for _, x := range s.Messages {
				for i := range streams {
					if streams[i] == s.Stream {
						last[i] = x.ID
					}
				}
				m, err := decodeEntry(s.Stream, x)
				if err != nil {
					log.Debug("skipping undecodable entry", "stream", s.Stream, "id", x.ID, "err", err)
					continue
				}
				batch = append(batch, m)
			}
		}
		if len(batch) > 0 {
			if err := fn(batch); err != nil {
				return err
			}
		}
	}
	return nil
}

// Range reads the entries of one stream after the id after ("" or "0-0":
// from the start) up to and including until ("+": to the end), in chunks of
// count, and passes the decoded messages to fn. Entries that do not decode
// are skipped. It returns the id of the last entry read, or after when there
// was none.
func Range(ctx context.Context, rdb redis.UniversalClient, stream, after, until string, count int, fn func([]Message) error) (string, error) {
	last := after
	for {
		start := "-"
		if last != "" && last != "0-0" {
			start = "(" + last
		}
		xs, err := rdb.XRangeN(ctx, stream, start, until, int64(count)).Result()
		if err != nil {
			return last, err
		}
		if len(xs) == 0 {
			return last, nil
		}
		batch := make([]Message, 0, len(xs))
		for _, x := range xs {
			last = x.ID
			if m, err := decodeEntry(stream, x); err == nil {
				batch = append(batch, m)
			}
		}
		if err := fn(batch); err != nil {
			return last, err
		}
		if len(xs) < count {
			return last, nil
		}
	}
}
