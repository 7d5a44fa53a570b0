package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/comanda-dev/comanda/internal/events"
)

// leaseTTL bounds how long a crashed relay keeps others from publishing.
const leaseTTL = 30 * time.Second

// insertOutbox stores events inside the caller's transaction. Their
// sequence comes from a counter that every such transaction increments, so
// they commit one after another and the relay sees them in sequence order.
func (s *Store) insertOutbox(ctx context.Context, envs []events.Envelope) error {
	if len(envs) == 0 {
		return nil
	}
	first, err := s.next(ctx, counterOutbox, len(envs))
	if err != nil {
		return err
	}
	docs := make([]any, len(envs))
	for i, e := range envs {
		docs[i] = outboxDoc{Seq: first + int64(i), Event: e.Encode()}
	}
	if _, err := s.outbox.InsertMany(ctx, docs); err != nil {
		return fmt.Errorf("storing %d events: %w", len(envs), err)
	}
	return nil
}

// PublishPending implements outbox.Store. A lease document keeps relays of
// other processes away while this one publishes; it expires, so a crashed
// relay blocks the others for leaseTTL at most.
func (s *Store) PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error) {
	s.publishing.Lock()
	defer s.publishing.Unlock()
	held, err := s.takeLease(ctx)
	if err != nil || !held {
		return 0, err
	}
	defer s.dropLease(ctx)

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

// takeLease takes or renews the relay lease. When another process holds
// it, the filter matches nothing and the upsert collides with the existing
// document: a duplicate key, which means "not ours".
func (s *Store) takeLease(ctx context.Context) (bool, error) {
	now := time.Now()
	_, err := s.locks.UpdateOne(ctx,
		bson.M{"_id": "outbox", "$or": bson.A{bson.M{"until": bson.M{"$lt": now}}, bson.M{"owner": s.owner}}},
		bson.M{"$set": bson.M{"owner": s.owner, "until": now.Add(leaseTTL)}},
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
