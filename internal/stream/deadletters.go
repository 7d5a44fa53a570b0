package stream

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
)

// ErrNoSuchEntry reports a dead letter that does not exist (or was replayed).
var ErrNoSuchEntry = errors.New("no such dead letter")

// DeadLetter is one entry of the dead-letter stream.
type DeadLetter struct {
	// ID is the entry id in the dead-letter stream.
	ID      string
	At      time.Time
	OrderID string
	events.DeadLettered
}

// DeadLetterQueue reads and replays the dead-letter stream.
type DeadLetterQueue struct {
	rdb    redis.UniversalClient
	stream string
	maxLen int64
}

// NewDeadLetterQueue returns the queue kept in the given stream; replayed
// messages go back to their streams capped at maxLen.
func NewDeadLetterQueue(rdb redis.UniversalClient, stream string, maxLen int64) *DeadLetterQueue {
	return &DeadLetterQueue{rdb: rdb, stream: stream, maxLen: maxLen}
}

// List returns dead letters newest first, starting after the entry id before
// (empty: from the newest).
func (q *DeadLetterQueue) List(ctx context.Context, before string, limit int) ([]DeadLetter, error) {
	rdb, dlq := q.rdb, q.stream
	end := "+"
	if before != "" {
		end = "(" + before
	}
	xs, err := rdb.XRevRangeN(ctx, dlq, end, "-", int64(limit)).Result()
	if err != nil {
		return nil, fmt.Errorf("reading dead letters: %w", err)
	}
	out := make([]DeadLetter, 0, len(xs))
	for _, x := range xs {
		dl, err := decodeDeadLetter(dlq, x)
		if err != nil {
			continue // not written by a consumer; nothing to show or replay
		}
		out = append(out, dl)
	}
	return out, nil
}

func decodeDeadLetter(dlq string, x redis.XMessage) (DeadLetter, error) {
	m, err := decodeEntry(dlq, x)
	if err != nil {
		return DeadLetter{}, err
	}
	p, err := events.DecodePayload[events.DeadLettered](m.Event)
	if err != nil {
		return DeadLetter{}, err
	}
	return DeadLetter{ID: x.ID, At: m.Event.Time, OrderID: m.Event.OrderID, DeadLettered: p}, nil
}

// Get returns one dead letter, or ErrNoSuchEntry.
func (q *DeadLetterQueue) Get(ctx context.Context, id string) (DeadLetter, error) {
	xs, err := q.rdb.XRangeN(ctx, q.stream, id, id, 1).Result()
	if err != nil {
		if strings.Contains(err.Error(), "Invalid stream ID") {
			return DeadLetter{}, ErrNoSuchEntry
		}
		return DeadLetter{}, fmt.Errorf("reading dead letter %s: %w", id, err)
	}
	if len(xs) == 0 {
		return DeadLetter{}, ErrNoSuchEntry
	}
	dl, err := decodeDeadLetter(q.stream, xs[0])
	if err != nil {
		return DeadLetter{}, fmt.Errorf("dead letter %s: %w", id, err)
	}
	return dl, nil
}

// Replay puts a dead letter's original message back on its stream, where the
// group that gave up on it reads it again, and removes it from the dead-letter
// stream, in one transaction. Other groups of that stream see it again too:
// handlers are idempotent.
func (q *DeadLetterQueue) Replay(ctx context.Context, id string) (DeadLetter, error) {
	rdb, dlq := q.rdb, q.stream
	dl, err := q.Get(ctx, id)
	if err != nil {
		return dl, err
	}
	values := map[string]any{fieldType: dl.Type, fieldOrder: dl.OrderID, fieldEvent: string(dl.Event)}
	pub := Publisher{maxLen: q.maxLen}
	n := &redis.IntCmd{}
	_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAdd(ctx, pub.addArgs(dl.Stream, values))
		n = p.XDel(ctx, dlq, id)
		return nil
	})
	if err != nil {
		return DeadLetter{}, fmt.Errorf("replaying dead letter %s: %w", id, err)
	}
	if n.Val() == 0 {
		// Someone else replayed it between our read and our transaction;
		// the message is on its stream twice, which consumers absorb.
		return dl, ErrNoSuchEntry
	}
	return dl, nil
}
