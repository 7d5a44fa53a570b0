package stream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
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
	// Poll is how long one read waits for new entries (default 20ms).
	Poll time.Duration
	// StaleAfter is how long a tail's group stays after its tail's last
	// sign of life before another tail takes it for one whose process
	// died, and removes it (default 1m). A tail renews its mark four times
	// as often.
	StaleAfter time.Duration
	Logger     *slog.Logger
}

// TailGroupPrefix starts the names of the groups Tail reads with. They are
// no consumer's work: the trimmer does not wait for them.
const TailGroupPrefix = "tail:"

// Tail reads streams so that every caller sees every entry, and passes each
// batch to fn until ctx ends or fn fails. Events that do not decode are
// skipped. fn receives messages in stream order per stream.
//
// It reads with a consumer group of its own, without acknowledgements
// (XREADGROUP … NOACK): the group only keeps its place, so that each read
// starts where the last ended — on Redis and on the embedded run's
// in-process Redis alike, a read costs what it returns, never a walk of the
// stream. The group is removed when Tail returns; one left by a process that
// died is removed by the next tail once its mark (a key renewed while the
// tail reads) expired, StaleAfter after the process's last sign of life. The
// trimmer does not wait for tails: entries trimmed before a tail read them
// are skipped, as a reader that was away would skip them.
func Tail(ctx context.Context, rdb redis.UniversalClient, streams []string, opt TailOptions, fn func([]Message) error) error {
	if opt.Count <= 0 {
		opt.Count = 512
	}
	if opt.Poll <= 0 {
		opt.Poll = 20 * time.Millisecond
	}
	if opt.StaleAfter <= 0 {
		opt.StaleAfter = time.Minute
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	group := TailGroupPrefix + hex.EncodeToString(b)
	last := make(map[string]string, len(streams))
	for _, s := range streams {
		last[s] = "$"
		if id, ok := opt.From[s]; ok && id != "" {
			last[s] = id
		}
	}
	for _, s := range streams {
		removeStaleTails(ctx, rdb, s, log)
		if err := createTailGroup(ctx, rdb, s, group, last[s], opt.StaleAfter); err != nil {
			return err
		}
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		for _, s := range streams {
			_ = rdb.XGroupDestroy(dctx, s, group).Err()
			_ = rdb.Del(dctx, tailMark(s, group)).Err()
		}
	}()
	args := &redis.XReadGroupArgs{Group: group, Consumer: tailConsumer, Count: int64(opt.Count), Block: opt.Poll, NoAck: true}
	args.Streams = append(args.Streams, streams...)
	for range streams {
		args.Streams = append(args.Streams, ">")
	}
	failures := 0
	marked := time.Now()
	for ctx.Err() == nil {
		if time.Since(marked) > opt.StaleAfter/4 {
			_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, s := range streams {
					p.Set(ctx, tailMark(s, group), "", opt.StaleAfter)
				}
				return nil
			})
			if err == nil {
				marked = time.Now()
			}
		}
		res, err := rdb.XReadGroup(ctx, args).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			if ctx.Err() != nil {
				return nil
			}
			failures++
			log.Warn("tailing streams", "err", err, "failures", failures)
			if strings.HasPrefix(err.Error(), "NOGROUP") {
				// Redis lost the group (a restart without persistence):
				// take it up again where this tail was.
				for _, s := range streams {
					_ = createTailGroup(ctx, rdb, s, group, last[s], opt.StaleAfter)
				}
			}
			retry.Sleep(ctx, retry.Backoff(failures, 50*time.Millisecond, 2*time.Second))
			continue
		}
		failures = 0
		var batch []Message
		for _, xs := range res {
			for _, x := range xs.Messages {
				last[xs.Stream] = x.ID
				batch = decodeMessages(xs.Stream, x, batch)
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

// createTailGroup makes a tail's group on stream, reading after id ("$":
// only what comes next), and the stream if there is none yet. The tail's
// mark goes first, so that no other tail takes the group for a dead one.
func createTailGroup(ctx context.Context, rdb redis.UniversalClient, stream, group, after string, staleAfter time.Duration) error {
	if err := rdb.Set(ctx, tailMark(stream, group), "", staleAfter).Err(); err != nil {
		return fmt.Errorf("marking the tail on %s: %w", stream, err)
	}
	return createGroup(ctx, rdb, stream, group, after)
}

// tailMark is the key that says a tail's group on stream is read: it
// expires StaleAfter after the tail's last sign of life.
func tailMark(stream, group string) string { return stream + "|" + group }

const tailConsumer = "tail"

// removeStaleTails removes the tails' groups on stream whose mark expired:
// left by processes that died. Best effort: one left now goes at the next
// start of a tail.
func removeStaleTails(ctx context.Context, rdb redis.UniversalClient, stream string, log *slog.Logger) {
	groups, err := rdb.XInfoGroups(ctx, stream).Result()
	if err != nil {
		return
	}
	for _, g := range groups {
		if !strings.HasPrefix(g.Name, TailGroupPrefix) {
			continue
		}
		n, err := rdb.Exists(ctx, tailMark(stream, g.Name)).Result()
		if err != nil || n > 0 {
			continue
		}
		if rdb.XGroupDestroy(ctx, stream, g.Name).Err() == nil {
			log.Info("removed the group of a tail nobody reads", "stream", stream, "group", g.Name)
		}
	}
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
