package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Enqueue implements warehouse.Store in one transaction: the requests of
// orders that have no reservation yet, as the transaction's snapshot shows,
// are inserted all or none, so a partial insert cannot leave reservations
// that the caller never hears of. The order id is the _id, and only that
// makes a request count as stored: a duplicate key on _id (an order stored
// meanwhile) or on seq (a number already taken, which only a second writer
// under the same token could cause) aborts the transaction, and the next
// attempt reads again and numbers afresh.
func (s *Store) Enqueue(ctx context.Context, tok warehouse.Token, reqs []warehouse.Request) ([]warehouse.Reservation, error) {
	const attempts = 4
	var docs []reservationDoc // the last attempt's
	var err error
	for attempt := 1; attempt <= attempts; attempt++ {
		err = s.inTx(ctx, func(ctx context.Context) error {
			docs = nil
			if err := s.fence(ctx, tok, laneConsumer); err != nil {
				return err
			}
			fresh, err := s.notStored(ctx, reqs)
			if err != nil || len(fresh) == 0 {
				return err
			}
			first := s.keys(tok, len(fresh))
			docs = make([]reservationDoc, len(fresh))
			batch := make([]any, len(fresh))
			for i, r := range fresh {
				docs[i] = reservationDocOf(r, first+int64(i))
				batch[i] = docs[i]
			}
			if _, err := s.reservations.InsertMany(ctx, batch); err != nil {
				return fmt.Errorf("storing %d reservations: %w", len(batch), err)
			}
			return nil
		})
		if err == nil || !mongodrv.IsDuplicateKeyError(err) {
			break
		}
	}
	if err == nil {
		return reservationsOf(docs), nil
	}
	// A commit whose answer was lost may have stored the last attempt:
	// what holds its numbers is this call's, and the caller must hear of
	// it, since a redelivery would find it stored and create nothing.
	return s.landed(ctx, docs), err
}

// landed returns the documents of docs that the store holds as they are
// (same order, same sequence number).
func (s *Store) landed(ctx context.Context, docs []reservationDoc) []warehouse.Reservation {
	if len(docs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	ids := make([]string, len(docs))
	seqs := make([]int64, len(docs))
	for i, d := range docs {
		ids[i], seqs[i] = d.OrderID, d.Seq
	}
	found, err := s.findReservations(ctx, bson.M{"_id": bson.M{"$in": ids}, "seq": bson.M{"$in": seqs}}, majorityRead)
	if err != nil {
		return nil // nothing known: the error the caller gets says why
	}
	mine := make(map[string]int64, len(docs))
	for _, d := range docs {
		mine[d.OrderID] = d.Seq
	}
	var out []warehouse.Reservation
	for _, r := range found {
		if mine[r.OrderID] == r.Seq {
			out = append(out, r)
		}
	}
	return out
}

func reservationsOf(docs []reservationDoc) []warehouse.Reservation {
	out := make([]warehouse.Reservation, len(docs))
	for i, d := range docs {
		out[i] = d.reservation()
	}
	return out
}

// notStored returns the first request of every order that has no
// reservation yet, in the order given.
func (s *Store) notStored(ctx context.Context, reqs []warehouse.Request) ([]warehouse.Request, error) {
	seen := make(map[string]bool, len(reqs))
	ids := make([]string, 0, len(reqs))
	for _, r := range reqs {
		if !seen[r.OrderID] {
			seen[r.OrderID] = true
			ids = append(ids, r.OrderID)
		}
	}
	cur, err := s.reservations.Find(ctx, bson.M{"_id": bson.M{"$in": ids}}, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return nil, fmt.Errorf("reading reservations: %w", err)
	}
	var existing []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &existing); err != nil {
		return nil, fmt.Errorf("reading reservations: %w", err)
	}
	stored := make(map[string]bool, len(existing))
	for _, e := range existing {
		stored[e.ID] = true
	}
	var fresh []warehouse.Request
	for _, r := range reqs {
		if !stored[r.OrderID] {
			stored[r.OrderID] = true // the first request of an order wins
			fresh = append(fresh, r)
		}
	}
	return fresh, nil
}

// Waiting implements warehouse.Store.
func (s *Store) Waiting(ctx context.Context) ([]warehouse.Reservation, error) {
	out, err := s.findReservations(ctx, bson.M{"status": string(warehouse.Waiting)})
	if err != nil {
		return nil, fmt.Errorf("reading waiting reservations: %w", err)
	}
	return out, nil
}

// majorityRead reads what a majority of the replica set holds.
var majorityRead = options.Collection().SetReadConcern(readconcern.Majority())

func (s *Store) findReservations(ctx context.Context, filter bson.M, opts ...options.Lister[options.CollectionOptions]) ([]warehouse.Reservation, error) {
	coll := s.reservations
	if len(opts) > 0 {
		coll = s.reservations.Clone(opts...)
	}
	cur, err := coll.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []reservationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]warehouse.Reservation, len(docs))
	for i, d := range docs {
		out[i] = d.reservation()
	}
	return out, nil
}

// Backlog implements warehouse.Store.
func (s *Store) Backlog(ctx context.Context) (int, []warehouse.Item, error) {
	waiting := bson.M{"status": string(warehouse.Waiting)}
	n, err := s.reservations.CountDocuments(ctx, waiting)
	if err != nil {
		return 0, nil, fmt.Errorf("counting waiting reservations: %w", err)
	}
	cur, err := s.reservations.Aggregate(ctx, mongodrv.Pipeline{
		{{Key: "$match", Value: waiting}},
		{{Key: "$unwind", Value: "$items"}},
		{{Key: "$group", Value: bson.M{"_id": "$items.ingredient", "units": bson.M{"$sum": "$items.quantity"}}}},
	})
	if err != nil {
		return 0, nil, fmt.Errorf("summing waiting reservations: %w", err)
	}
	var rows []struct {
		Ingredient string `bson:"_id"`
		Units      int    `bson:"units"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return 0, nil, fmt.Errorf("summing waiting reservations: %w", err)
	}
	needs := make([]warehouse.Item, len(rows))
	for i, r := range rows {
		needs[i] = warehouse.Item{Ingredient: r.Ingredient, Quantity: r.Units}
	}
	return int(n), needs, nil
}

// Reservation implements warehouse.Store.
func (s *Store) Reservation(ctx context.Context, orderID string) (warehouse.Reservation, error) {
	var d reservationDoc
	err := s.reservations.FindOne(ctx, bson.M{"_id": orderID}).Decode(&d)
	if errors.Is(err, mongodrv.ErrNoDocuments) {
		return warehouse.Reservation{}, warehouse.ErrNotFound
	}
	if err != nil {
		return warehouse.Reservation{}, fmt.Errorf("reading reservation of %s: %w", orderID, err)
	}
	return d.reservation(), nil
}

// NoteShort implements warehouse.Store.
func (s *Store) NoteShort(ctx context.Context, tok warehouse.Token, notes []warehouse.ShortNote) (int, error) {
	if len(notes) == 0 {
		return 0, nil
	}
	ids := make([]string, len(notes))
	for i, n := range notes {
		ids[i] = n.OrderID
	}
	noted := 0
	err := s.inTx(ctx, func(ctx context.Context) error {
		noted = 0
		if err := s.fence(ctx, tok, laneClerk); err != nil {
			return err
		}
		filter := bson.M{"_id": bson.M{"$in": ids}, "status": string(warehouse.Waiting), "shortNoted": false}
		cur, err := s.reservations.Find(ctx, filter, options.Find().SetProjection(bson.M{"_id": 1}))
		if err != nil {
			return fmt.Errorf("reading short orders: %w", err)
		}
		var rows []struct {
			ID string `bson:"_id"`
		}
		if err := cur.All(ctx, &rows); err != nil {
			return fmt.Errorf("reading short orders: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		eligible := make(map[string]bool, len(rows))
		for _, r := range rows {
			eligible[r.ID] = true
		}
		res, err := s.reservations.UpdateMany(ctx, filter, bson.M{"$set": bson.M{"shortNoted": true}})
		if err != nil {
			return fmt.Errorf("noting short orders: %w", err)
		}
		if res.ModifiedCount != int64(len(rows)) {
			// The snapshot and the update disagree: another writer got in
			// between. Refuse, so that no event is stored twice or lost.
			return fmt.Errorf("noting short orders: %d of %d changed meanwhile", int64(len(rows))-res.ModifiedCount, len(rows))
		}
		var envs []events.Envelope
		for _, n := range notes {
			if eligible[n.OrderID] {
				envs = append(envs, n.Event)
				delete(eligible, n.OrderID) // an order noted twice in one call gets one event
			}
		}
		noted = len(envs)
		return s.insertOutbox(ctx, tok, envs)
	})
	if err != nil {
		return 0, err
	}
	return noted, nil
}
