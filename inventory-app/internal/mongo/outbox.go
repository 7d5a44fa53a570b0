package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// leaseTTL bounds how long a crashed relay keeps others from publishing.
const leaseTTL = 30 * time.Second

// insertOutbox stores events inside the caller's transaction, under keys
// that order them after everything the leader stored before (see keys).
// Transactions that run at once may commit out of key order; the relay
// reads the oldest keys first on every pass, so a late commit is published
// on a later pass, never lost.
func (s *Store) insertOutbox(ctx context.Context, tok warehouse.Token, envs []events.Envelope) error {
	if len(envs) == 0 {
		return nil
	}
	tracing.Stamp(ctx, envs)
	first := s.keys(tok, len(envs))
	docs := make([]any, len(envs))
	for i, e := range envs {
		docs[i] = outboxDoc{Seq: first + int64(i), Event: e.Encode()}
	}
	if _, err := s.outbox.InsertMany(ctx, docs); err != nil {
		return fmt.Errorf("storing %d events: %w", len(envs), err)
	}
	return nil
}

// PublishPending implements warehouse.Store. A lease document keeps relays
// of other processes away while this one publishes; it expires, so a crashed
// relay blocks the others for leaseTTL at most. The events are read as a
// majority of the replica set holds them (the collection's read concern): an
// event only the primary had could be rolled back by a failover after Redis
// took it. The fence is checked before the batch goes to Redis; the delete
// that follows removes only what was just published, whoever leads.
func (s *Store) PublishPending(ctx context.Context, tok warehouse.Token, limit int, publish func(context.Context, []events.Envelope) error) (int, error) {
	s.publishing.Lock()
	defer s.publishing.Unlock()
	held, err := s.takeLease(ctx)
	if err != nil || !held {
		return 0, err
	}
	defer s.dropLease(ctx)
	if l, err := s.readLease(ctx); err != nil {
		return 0, err
	} else if l.Token != int64(tok) {
		return 0, fmt.Errorf("publishing under token %d, the lease is at %d: %w", tok, l.Token, warehouse.ErrFenced)
	}

	cur, err := s.outbox.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return 0, fmt.Errorf("reading outbox: %w", err)
	}
	var docs []outboxDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, fmt.Errorf("reading outbox: %w", err)
	}
	if len(docs) == 0 {
		return 0, nil
	}
	envs := make([]events.Envelope, len(docs))
	seqs := make([]int64, len(docs))
	for i, d := range docs {
		env, err := events.Decode(d.Event)
		if err != nil {
			return 0, fmt.Errorf("outbox entry %d: %w", d.Seq, err)
		}
		envs[i], seqs[i] = env, d.Seq
	}
	if err := publish(ctx, envs); err != nil {
		return 0, err
	}
	if _, err := s.outbox.DeleteMany(ctx, bson.M{"_id": bson.M{"$in": seqs}}); err != nil {
		return 0, fmt.Errorf("deleting published events: %w", err)
	}
	return len(envs), nil
}

// takeLease takes or renews the relay lease, judging expiry by the
// server's clock. When another process holds it, the filter matches nothing
// and the upsert collides with the existing document: a duplicate key, which
// means "not ours".
func (s *Store) takeLease(ctx context.Context) (bool, error) {
	_, err := s.locks.UpdateOne(ctx,
		bson.M{"_id": "outbox", "$expr": bson.M{"$or": bson.A{
			bson.M{"$lt": bson.A{"$until", "$$NOW"}}, bson.M{"$eq": bson.A{"$owner", s.owner}},
		}}},
		mongodrv.Pipeline{{{Key: "$set", Value: bson.M{"owner": s.owner, "until": bson.M{"$add": bson.A{"$$NOW", leaseTTL.Milliseconds()}}}}}},
		options.UpdateOne().SetUpsert(true))
	if mongodrv.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("taking the outbox lease: %w", err)
	}
	return true, nil
}

func (s *Store) dropLease(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = s.locks.UpdateOne(ctx, bson.M{"_id": "outbox", "owner": s.owner}, bson.M{"$set": bson.M{"until": time.Unix(0, 0)}})
}

// OutboxLen implements outbox.Store.
func (s *Store) OutboxLen(ctx context.Context) (int, error) {
	n, err := s.outbox.CountDocuments(ctx, bson.M{})
	if err != nil {
		return 0, fmt.Errorf("counting outbox: %w", err)
	}
	return int(n), nil
}
