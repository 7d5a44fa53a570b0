package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
)

// Trimmer trims the work streams by consumption: an entry goes once every
// consumer group of its stream has acknowledged it, never earlier, so a group
// that falls behind loses nothing. Groups the contract names but that do
// not exist yet (their service never started) are created first, reading
// from the start, so they too find their work. Every service runs one;
// trimming is idempotent, so several at once do no harm.
type Trimmer struct {
	rdb     redis.UniversalClient
	streams events.Streams
	every   time.Duration
	log     *slog.Logger
	metrics *Metrics
}

// NewTrimmer returns a trimmer of streams' work streams, run every every
// (default 1s).
func NewTrimmer(rdb redis.UniversalClient, streams events.Streams, every time.Duration, m *Metrics, log *slog.Logger) *Trimmer {
	if every <= 0 {
		every = time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	return &Trimmer{rdb: rdb, streams: streams, every: every, log: log, metrics: m}
}

// Run trims until ctx ends. Redis that does not answer only delays it.
func (t *Trimmer) Run(ctx context.Context) error {
	tick := time.NewTicker(t.every)
	defer tick.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		var errs []error
		for _, s := range t.streams.Work() {
			if _, err := t.Trim(ctx, s); err != nil {
				errs = append(errs, err)
			}
		}
		if err := errors.Join(errs...); err != nil && ctx.Err() == nil {
			failures++
			if failures == 1 || failures%30 == 0 {
				t.log.Warn("trimming streams", "err", err, "failures", failures)
			}
			continue
		}
		failures = 0
	}
}

// Trim removes the entries of stream that every group has acknowledged and
// returns how many went.
func (t *Trimmer) Trim(ctx context.Context, stream string) (int64, error) {
	floor, ok, err := ConsumedFloor(ctx, t.rdb, stream, t.streams.Readers(stream))
	if err != nil || !ok {
		return 0, err
	}
	// Approximate trimming removes whole nodes of the stream below the
	// floor, never an entry at or above it.
	n, err := t.rdb.XTrimMinIDApprox(ctx, stream, floor, 0).Result()
	if err != nil {
		return 0, fmt.Errorf("trimming %s below %s: %w", stream, floor, err)
	}
	t.metrics.trim(stream, n)
	return n, nil
}

// ConsumedFloor returns the id below which every entry of stream has been
// acknowledged by every group (tails aside, see Tail): the oldest entry some group has pending, or
// else the entry after the one the slowest group read last. ok is false when
// there is nothing to trim yet: no stream, or a group of readers that does
// not exist (it is created, reading from the start).
func ConsumedFloor(ctx context.Context, rdb redis.UniversalClient, stream string, readers []string) (floor string, ok bool, err error) {
	groups, err := rdb.XInfoGroups(ctx, stream).Result()
	if err != nil {
		if strings.Contains(err.Error(), "no such key") {
			return "", false, nil
		}
		return "", false, fmt.Errorf("reading groups of %s: %w", stream, err)
	}
	have := make(map[string]bool, len(groups))
	for _, g := range groups {
		have[g.Name] = true
	}
	var missing []string
	for _, r := range readers {
		if !have[r] {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		for _, g := range missing {
			if err := EnsureGroups(ctx, rdb, g, stream); err != nil {
				return "", false, err
			}
		}
		return "", false, nil
	}
	if len(groups) == 0 {
		return "", false, nil
	}
	for _, g := range groups {
		if strings.HasPrefix(g.Name, TailGroupPrefix) {
			continue // a tail keeps its place only: nothing waits for it
		}
		candidate := nextID(g.LastDeliveredID)
		if g.Pending > 0 {
			p, err := rdb.XPending(ctx, stream, g.Name).Result()
			if err != nil {
				return "", false, fmt.Errorf("reading pending entries of %s/%s: %w", stream, g.Name, err)
			}
			if p.Count > 0 && compareIDs(p.Lower, candidate) < 0 {
				candidate = p.Lower
			}
		}
		if floor == "" || compareIDs(candidate, floor) < 0 {
			floor = candidate
		}
	}
	return floor, floor != "", nil
}

// compareIDs orders stream entry ids.
func compareIDs(a, b string) int {
	am, as := splitID(a)
	bm, bs := splitID(b)
	switch {
	case am != bm:
		if am < bm {
			return -1
		}
		return 1
	case as != bs:
		if as < bs {
			return -1
		}
		return 1
	}
	return 0
}

func splitID(id string) (ms, seq uint64) {
	m, s, _ := strings.Cut(id, "-")
	ms, _ = strconv.ParseUint(m, 10, 64)
	seq, _ = strconv.ParseUint(s, 10, 64)
	return ms, seq
}
