package stream

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
)

// Record is an envelope bound for a stream.
type Record struct {
	Stream string
	Event  events.Envelope
}

// Publisher appends events to streams.
type Publisher struct {
	rdb    redis.UniversalClient
	maxLen int64
}

// NewPublisher returns a publisher that keeps every stream it writes to at
// about maxLen entries (0: no cap). The cap must stay well above the largest
// backlog a consumer group may have, or unread entries are trimmed.
func NewPublisher(rdb redis.UniversalClient, maxLen int64) *Publisher {
	return &Publisher{rdb: rdb, maxLen: maxLen}
}

// Publish appends records in one pipeline, in order, and returns their entry
// ids. On error some records may have been appended: the caller retries the
// whole batch and consumers deduplicate.
func (p *Publisher) Publish(ctx context.Context, recs ...Record) ([]string, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.StringCmd, len(recs))
	_, err := p.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, r := range recs {
			cmds[i] = pipe.XAdd(ctx, p.addArgs(r.Stream, entryValues(r.Event)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("publishing %d events: %w", len(recs), err)
	}
	ids := make([]string, len(cmds))
	for i, c := range cmds {
		ids[i] = c.Val()
	}
	return ids, nil
}

func (p *Publisher) addArgs(stream string, values map[string]any) *redis.XAddArgs {
	a := &redis.XAddArgs{Stream: stream, Values: values}
	if p.maxLen > 0 {
		a.MaxLen = p.maxLen
		a.Approx = true
	}
	return a
}
