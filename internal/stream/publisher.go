package stream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/fault"
)

// Record is an envelope bound for a stream.
type Record struct {
	Stream string
	Event  events.Envelope
}

// PublisherOptions configure a Publisher.
type PublisherOptions struct {
	// WaitReplicas, when above zero, makes every publish wait (WAIT) until
	// that many replicas have the entries, so that a failover of Redis
	// cannot drop what the caller then forgets (default 0: Redis's answer
	// suffices, as on a single node).
	WaitReplicas int
	// WaitTimeout bounds that wait (default 1s).
	WaitTimeout time.Duration
	// Pack is the most events of one type one entry carries (default 1:
	// an entry per event). Readers take both forms.
	Pack int
}

// ErrNotReplicated reports entries that Redis took but fewer replicas than
// asked for confirmed in time. They may be lost in a failover, so the caller
// keeps its copy; publishing again only adds duplicates, which consumers
// absorb.
var ErrNotReplicated = errors.New("entries not confirmed by enough replicas")

// Publisher appends events to streams. Streams are not capped here: they
// are trimmed as their groups consume them (Trimmer), and a backlog is held
// back by the outbox relays instead (see internal/outbox).
type Publisher struct {
	rdb redis.UniversalClient
	opt PublisherOptions
}

// NewPublisher returns a publisher.
func NewPublisher(rdb redis.UniversalClient, opt PublisherOptions) *Publisher {
	if opt.WaitTimeout <= 0 {
		opt.WaitTimeout = time.Second
	}
	if opt.Pack <= 0 {
		opt.Pack = 1
	}
	return &Publisher{rdb: rdb, opt: opt}
}

// Publish appends records in one pipeline, in order, and returns the id of
// the entry each landed in: consecutive records of one stream and type
// share entries, up to Pack each. On error
// some records may have been appended: the caller retries the whole batch
// and consumers deduplicate. With WaitReplicas set, it returns
// ErrNotReplicated (an infrastructure fault) when the replicas did not
// confirm in time.
func (p *Publisher) Publish(ctx context.Context, recs ...Record) ([]string, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	packs := p.pack(recs)
	cmds := make([]*redis.StringCmd, len(packs))
	var wait *redis.IntCmd
	// One pipeline is one connection, and WAIT counts the replicas that
	// have every write made on its connection before it.
	_, err := p.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, k := range packs {
			envs := make([]events.Envelope, len(k.recs))
			for j, r := range k.recs {
				envs[j] = recs[r].Event
			}
			cmds[i] = pipe.XAdd(ctx, p.addArgs(k.stream, packValues(envs)))
		}
		if p.opt.WaitReplicas > 0 {
			// Pipeliner has no Wait method; the command is built by hand.
			wait = redis.NewIntCmd(ctx, "wait", p.opt.WaitReplicas, p.opt.WaitTimeout.Milliseconds())
			_ = pipe.Process(ctx, wait)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("publishing %d events: %w", len(recs), err)
	}
	ids := make([]string, len(recs))
	for i, k := range packs {
		for _, r := range k.recs {
			ids[r] = cmds[i].Val()
		}
	}
	if wait != nil && wait.Val() < int64(p.opt.WaitReplicas) {
		return ids, fault.Unavailable(fmt.Errorf("publishing %d events: %w (%d of %d in %s)",
			len(recs), ErrNotReplicated, wait.Val(), p.opt.WaitReplicas, p.opt.WaitTimeout))
	}
	return ids, nil
}

// entryPack is the records (indexes into a Publish call's) of one entry.
type entryPack struct {
	stream string
	recs   []int
}

// pack cuts each stream's records into entries: a run of records of one
// type, in the order given, at most Pack to an entry. Every stream's
// entries therefore hold its records in the order given.
func (p *Publisher) pack(recs []Record) []entryPack {
	open := map[string]int{} // each stream's last entry
	var out []entryPack
	for i, r := range recs {
		j, ok := open[r.Stream]
		if !ok || len(out[j].recs) == p.opt.Pack || recs[out[j].recs[0]].Event.Type != r.Event.Type {
			j = len(out)
			open[r.Stream] = j
			out = append(out, entryPack{stream: r.Stream})
		}
		out[j].recs = append(out[j].recs, i)
	}
	return out
}

func (p *Publisher) addArgs(stream string, values map[string]any) *redis.XAddArgs {
	return &redis.XAddArgs{Stream: stream, Values: values}
}
