package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// leaseID is the lease's document in the locks collection.
const leaseID = "warehouse"

type leaseDoc struct {
	ID      string    `bson:"_id"`
	Holder  string    `bson:"holder"`
	Token   int64     `bson:"token"`
	Expires time.Time `bson:"expires"`
}

func (d leaseDoc) lease() warehouse.Lease {
	if d.Token == 0 && d.Holder == "" {
		return warehouse.Lease{} // nobody ever led
	}
	return warehouse.Lease{Holder: d.Holder, Token: warehouse.Token(d.Token), Expires: d.Expires.UTC()}
}

// Fence lanes: every goroutine of a leader that writes has its own document
// in the fences collection, which each of its transactions updates under
// the leader's token. A new leader stamps every lane with its token, in the
// same breath as it takes the lease, before it loads anything; a stale
// transaction still in flight then writes a document the new leader wrote
// after the transaction's snapshot, so the server refuses one of the two
// (a write conflict), and the one that runs again sees the new token.
// Reading the lease alone would not do: snapshot reads never conflict. One
// lane per writer keeps the leader's own transactions from conflicting with
// each other over a fence; sharing a lane costs retries, never correctness.
const (
	laneConsumer = "consumer" // Enqueue: the stream consumer
	laneClerk    = "clerk"    // Reserve and NoteShort: the clerk
	laneBooker   = "booker"   // RecordPurchases: the one goroutine that books the market's answers
)

func lanes() []string { return []string{laneConsumer, laneClerk, laneBooker} }

// AcquireLease implements warehouse.Store. Expiry is judged by the server's
// clock ($$NOW), the one clock every replica shares.
func (s *Store) AcquireLease(ctx context.Context, holder string, ttl time.Duration) (warehouse.Lease, error) {
	takeable := bson.M{"$or": bson.A{
		bson.M{"$lte": bson.A{"$expires", "$$NOW"}},
		bson.M{"$eq": bson.A{"$holder", ""}},
		bson.M{"$eq": bson.A{"$holder", holder}},
	}}
	take := func(mine, theirs any) bson.M { return bson.M{"$cond": bson.A{takeable, mine, theirs}} }
	update := mongodrv.Pipeline{{{Key: "$set", Value: bson.M{
		"holder":  take(holder, "$holder"),
		"token":   take(bson.M{"$add": bson.A{"$token", 1}}, "$token"),
		"expires": take(bson.M{"$add": bson.A{"$$NOW", ttl.Milliseconds()}}, "$expires"),
	}}}}
	var d leaseDoc
	err := s.locks.FindOneAndUpdate(ctx, bson.M{"_id": leaseID}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err != nil {
		return warehouse.Lease{}, fmt.Errorf("acquiring the warehouse lease: %w", err)
	}
	l := d.lease()
	if !l.HeldBy(holder) {
		return l, nil
	}
	// $max: a stamp of an older term that arrives late never lowers a lane.
	if _, err := s.fences.UpdateMany(ctx, bson.M{"_id": bson.M{"$in": lanes()}}, bson.M{"$max": bson.M{"token": d.Token}}); err != nil {
		// The lease is taken but not yet fenced: this replica must not
		// lead on it. Asking again takes a new term and stamps again.
		return warehouse.Lease{}, fmt.Errorf("fencing the lanes of token %d: %w", d.Token, err)
	}
	return l, nil
}

// RenewLease implements warehouse.Store.
func (s *Store) RenewLease(ctx context.Context, holder string, tok warehouse.Token, ttl time.Duration) error {
	res, err := s.locks.UpdateOne(ctx, bson.M{"_id": leaseID, "holder": holder, "token": int64(tok)},
		mongodrv.Pipeline{{{Key: "$set", Value: bson.M{"expires": bson.M{"$add": bson.A{"$$NOW", ttl.Milliseconds()}}}}}})
	if err != nil {
		return fmt.Errorf("renewing the warehouse lease: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("renewing the warehouse lease of token %d: %w", tok, warehouse.ErrFenced)
	}
	return nil
}

// ReleaseLease implements warehouse.Store.
func (s *Store) ReleaseLease(ctx context.Context, holder string, tok warehouse.Token) error {
	_, err := s.locks.UpdateOne(ctx, bson.M{"_id": leaseID, "holder": holder, "token": int64(tok)},
		bson.M{"$set": bson.M{"holder": "", "expires": time.Unix(0, 0)}})
	if err != nil {
		return fmt.Errorf("releasing the warehouse lease: %w", err)
	}
	return nil
}

// Lease implements warehouse.Store.
func (s *Store) Lease(ctx context.Context) (warehouse.Lease, error) {
	d, err := s.readLease(ctx)
	if err != nil {
		return warehouse.Lease{}, err
	}
	return d.lease(), nil
}

func (s *Store) readLease(ctx context.Context) (leaseDoc, error) {
	var d leaseDoc
	err := s.locks.FindOne(ctx, bson.M{"_id": leaseID}).Decode(&d)
	if err != nil && !errors.Is(err, mongodrv.ErrNoDocuments) {
		return d, fmt.Errorf("reading the warehouse lease: %w", err)
	}
	return d, nil
}

// fence refuses a write transaction of any token but the lease's newest,
// and writes the transaction's lane so that a new leader's stamp conflicts
// with it (see lanes). It runs inside the transaction.
func (s *Store) fence(ctx context.Context, tok warehouse.Token, lane string) error {
	d, err := s.readLease(ctx)
	if err != nil {
		return err
	}
	if d.Token != int64(tok) {
		return fmt.Errorf("writing under token %d, the lease is at %d: %w", tok, d.Token, warehouse.ErrFenced)
	}
	res, err := s.fences.UpdateOne(ctx, bson.M{"_id": lane, "token": int64(tok)}, bson.M{"$inc": bson.M{"writes": int64(1)}})
	if err != nil {
		return fmt.Errorf("fencing lane %s: %w", lane, err)
	}
	if res.MatchedCount == 0 {
		if n, err := s.fences.CountDocuments(ctx, bson.M{"_id": lane}); err == nil && n == 0 {
			return fmt.Errorf("no fence lane %s (an ingredient the warehouse does not stock?)", lane)
		}
		return fmt.Errorf("writing under token %d: lane %s is fenced: %w", tok, lane, warehouse.ErrFenced)
	}
	return nil
}
