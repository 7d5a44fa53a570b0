package stream

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/fault"
)

// ErrNoSuchEntry reports a dead letter that does not exist (or was replayed).
var ErrNoSuchEntry = errors.New("no such dead letter")

// ErrBadCursor reports a cursor that is no dead letter's id.
var ErrBadCursor = errors.New("not a dead letter's id")

// ErrUnreplayable reports a dead letter that names no stream to put its
// message back on.
var ErrUnreplayable = errors.New("dead letter names no stream to replay to")

// DeadLetter is one entry of the dead-letter stream.
type DeadLetter struct {
	// ID is the entry id in the dead-letter stream.
	ID string
	// EventID is the id of the stream.dead-lettered event itself, which
	// the consumers of the dead-letter stream record.
	EventID string
	At      time.Time
	OrderID string
	events.DeadLettered
}

// DeadLetterQueue reads and replays the dead-letter stream.
type DeadLetterQueue struct {
	rdb    redis.UniversalClient
	stream string
	wait   PublisherOptions
}

// NewDeadLetterQueue returns the queue kept in the given stream. A replay
// waits for the replicas wait names, as a publish does, before it reports
// the message back on its stream.
func NewDeadLetterQueue(rdb redis.UniversalClient, stream string, wait PublisherOptions) *DeadLetterQueue {
	if wait.WaitTimeout <= 0 {
		wait.WaitTimeout = time.Second
	}
	return &DeadLetterQueue{rdb: rdb, stream: stream, wait: wait}
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
	if err != nil && isInvalidID(err) {
		return nil, ErrBadCursor
	}
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
	// Dead letters are written one an entry.
	parts := decodeEntry(dlq, x)
	if parts[0].err != nil {
		return DeadLetter{}, parts[0].err
	}
	m := parts[0].m
	p, err := events.DecodePayload[events.DeadLettered](m.Event)
	if err != nil {
		return DeadLetter{}, err
	}
	return DeadLetter{ID: x.ID, EventID: m.Event.ID, At: m.Event.Time, OrderID: m.Event.OrderID, DeadLettered: p}, nil
}

// Get returns one dead letter, or ErrNoSuchEntry.
func (q *DeadLetterQueue) Get(ctx context.Context, id string) (DeadLetter, error) {
	xs, err := q.rdb.XRangeN(ctx, q.stream, id, id, 1).Result()
	if err != nil {
		if isInvalidID(err) {
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

func isInvalidID(err error) bool { return strings.Contains(err.Error(), "Invalid stream ID") }

// groupScanBudget bounds how many dead letters one OfGroup call reads, so
// that a request never walks an arbitrarily long stream.
const groupScanBudget = 10_000

// OfGroup returns up to limit dead letters that the given consumer group
// gave up on, oldest first. more reports that others may remain: the limit
// was reached, or the scan stopped at its budget before the stream's end.
func (q *DeadLetterQueue) OfGroup(ctx context.Context, group string, limit int) (_ []DeadLetter, more bool, _ error) {
	var out []DeadLetter
	start := "-"
	for scanned := 0; scanned < groupScanBudget; {
		chunk := min(500, groupScanBudget-scanned)
		xs, err := q.rdb.XRangeN(ctx, q.stream, start, "+", int64(chunk)).Result()
		if err != nil {
			return nil, false, fmt.Errorf("reading dead letters: %w", err)
		}
		scanned += len(xs)
		for i, x := range xs {
			dl, err := decodeDeadLetter(q.stream, x)
			if err != nil || dl.Group != group {
				continue
			}
			out = append(out, dl)
			if len(out) == limit {
				return out, i < len(xs)-1 || len(xs) == chunk, nil
			}
		}
		if len(xs) < chunk {
			return out, false, nil
		}
		start = "(" + xs[len(xs)-1].ID
	}
	return out, true, nil
}

// Replayed is the outcome of replaying one dead letter.
type Replayed struct {
	// ID is the dead letter's entry id, as asked.
	ID string
	// DeadLetter is what was read, when it was found.
	DeadLetter DeadLetter
	// Err is nil when the message is back on its stream. ErrNoSuchEntry
	// and ErrUnreplayable say why nothing was done; any other error is an
	// infrastructure fault, after which the message may or may not be
	// back: listing the dead letters tells.
	Err error
}

// replayScript moves a dead letter's message back to its stream: it deletes
// the dead letter and appends the message only if the delete found it, so
// that replays racing each other put the message back once. Both keys must
// live on one node (no Redis Cluster across slots).
//
//	KEYS[1] dead-letter stream, KEYS[2] the message's stream;
//	ARGV dead letter id, type, order id, event.
var replayScript = redis.NewScript(`
if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('XADD', KEYS[2], '*', '` + fieldType + `', ARGV[2], '` + fieldOrder + `', ARGV[3], '` + fieldEvent + `', ARGV[4])
return 1
`)

// Replay puts a dead letter's original message back on its stream, where the
// group that gave up on it reads it again, and removes it from the dead-letter
// stream, atomically. Other groups of that stream see it again too: handlers
// are idempotent.
func (q *DeadLetterQueue) Replay(ctx context.Context, id string) (DeadLetter, error) {
	rs, err := q.ReplayAll(ctx, []string{id})
	if err != nil {
		return DeadLetter{}, err
	}
	return rs[0].DeadLetter, rs[0].Err
}

// ReplayAll replays the dead letters with the given ids, in two round trips
// whatever their number (one to read them, one to move them), and reports
// the outcome of each, in the order asked. It returns an error, having done
// nothing, only when they could not be read.
func (q *DeadLetterQueue) ReplayAll(ctx context.Context, ids []string) ([]Replayed, error) {
	out := make([]Replayed, len(ids))
	reads := make([]*redis.XMessageSliceCmd, len(ids))
	_, err := q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			out[i].ID = id
			reads[i] = p.XRangeN(ctx, q.stream, id, id, 1)
		}
		return nil
	})
	if err != nil && !allInvalidIDs(reads, err) {
		return nil, fmt.Errorf("reading %d dead letters: %w", len(ids), err)
	}
	moves := make([]*redis.Cmd, len(ids))
	var wait *redis.IntCmd
	// Each command carries its own outcome, read below; the pipeline's error
	// is only the first of them. WAIT, on the same connection, confirms the
	// moves reached the replicas: the caller reopens orders only then.
	_, _ = q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		defer func() {
			if q.wait.WaitReplicas > 0 {
				wait = redis.NewIntCmd(ctx, "wait", q.wait.WaitReplicas, q.wait.WaitTimeout.Milliseconds())
				_ = p.Process(ctx, wait)
			}
		}()
		for i := range ids {
			xs, err := reads[i].Result()
			if err != nil || len(xs) == 0 {
				out[i].Err = ErrNoSuchEntry
				continue
			}
			dl, err := decodeDeadLetter(q.stream, xs[0])
			if err != nil {
				out[i].Err = fmt.Errorf("%w: %w", ErrUnreplayable, err)
				continue
			}
			out[i].DeadLetter = dl
			if dl.Stream == "" {
				out[i].Err = ErrUnreplayable
				continue
			}
			moves[i] = replayScript.Eval(ctx, p, []string{q.stream, dl.Stream}, ids[i], dl.Type, dl.OrderID, string(dl.Event))
		}
		return nil
	})
	unconfirmed := wait != nil && wait.Val() < int64(q.wait.WaitReplicas)
	for i, m := range moves {
		if m == nil {
			continue
		}
		n, err := m.Int()
		switch {
		case err != nil:
			out[i].Err = fmt.Errorf("replaying dead letter %s: %w", ids[i], err)
		case n == 0:
			// Another replay moved it between our read and our move.
			out[i].Err = ErrNoSuchEntry
		case unconfirmed:
			// Back on its stream, but a failover could still undo it: the
			// order stays failed until the message is handled.
			out[i].Err = fault.Unavailable(fmt.Errorf("replaying dead letter %s: %w", ids[i], ErrNotReplicated))
		}
	}
	return out, nil
}

// allInvalidIDs reports whether a pipeline's error comes only from ids that
// are no stream ids (which name no dead letter) rather than from Redis.
func allInvalidIDs(cmds []*redis.XMessageSliceCmd, err error) bool {
	if !isInvalidID(err) {
		return false
	}
	for _, c := range cmds {
		if c.Err() != nil && !isInvalidID(c.Err()) {
			return false
		}
	}
	return true
}
