package stream

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/retry"
)

// TailOptions configure Tail.
type TailOptions struct {
	// From maps each stream to the id after which to start reading; "$" or a
	// missing stream means only new entries.
	From map[string]string
	// Count bounds each read per stream (default 512).
	Count int
	// Poll is how long Tail waits before looking again when every stream
	// was read to its end (default 20ms).
	Poll   time.Duration
	Logger *slog.Logger
}

// Tail reads streams without a consumer group, so every caller sees every
// entry, and passes each batch to fn until ctx ends or fn fails. Events that
// do not decode are skipped. fn receives messages in stream order per stream.
//
// It reads with ranges (XRANGE after the last id, one pipeline for all
// streams) rather than a blocking XREAD, and idle it looks again every Poll.
// On Redis a range finds its start by search; the embedded run's in-process
// Redis walks the stream to it, which streams trimmed as they are consumed
// keep short.
func Tail(ctx context.Context, rdb redis.UniversalClient, streams []string, opt TailOptions, fn func([]Message) error) error {
	if opt.Count <= 0 {
		opt.Count = 512
	}
	if opt.Poll <= 0 {
		opt.Poll = 20 * time.Millisecond
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
	// "$" means "after the newest entry now": resolve it once.
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
	cmds := make([]*redis.XMessageSliceCmd, len(streams))
	for ctx.Err() == nil {
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, s := range streams {
				start := "-"
				if last[i] != "0-0" {
					start = "(" + last[i]
				}
				cmds[i] = p.XRangeN(ctx, s, start, "+", int64(opt.Count))
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			if ctx.Err() != nil {
				return nil
			}
			failures++
			log.Warn("tailing streams", "err", err, "failures", failures)
			retry.Sleep(ctx, retry.Backoff(failures, 50*time.Millisecond, 2*time.Second))
			continue
		}
		failures = 0
		var batch []Message
		full := false
		for i, cmd := range cmds {
			xs := cmd.Val()
			full = full || len(xs) == opt.Count
			for _, x := range xs {
				last[i] = x.ID
				batch = decodeMessages(streams[i], x, batch)
			}
		}
		if len(batch) > 0 {
			if err := fn(batch); err != nil {
				return err
			}
		}
		if !full {
			retry.Sleep(ctx, opt.Poll)
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
			batch = decodeMessages(stream, x, batch)
		}
		if err := fn(batch); err != nil {
			return last, err
		}
		if len(xs) < count {
			return last, nil
		}
	}
}
