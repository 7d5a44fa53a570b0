package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Enqueue implements warehouse.Store. The order id is the document's _id,
// so a request delivered again fails with a duplicate key and creates
// nothing; its sequence number is simply never used.
func (s *Store) Enqueue(ctx context.Context, reqs []warehouse.Request) ([]warehouse.Reservation, error) {
	fresh, err := s.notStored(ctx, reqs)
	if err != nil || len(fresh) == 0 {
		return nil, err
	}
	first, err := s.next(ctx, counterReservations, len(fresh))
	if err != nil {
		return nil, err
	}
	docs := make([]any, len(fresh))
	for i, r := range fresh {
		docs[i] = reservationDocOf(r, first+int64(i))
	}
	_, err = s.reservations.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	failed, dup := onlyDuplicates(err)
	if err != nil && !dup {
		return nil, fmt.Errorf("storing %d reservations: %w", len(docs), err)
	}
	created := make([]warehouse.Reservation, 0, len(docs))
	for i, d := range docs {
		if !failed[i] {
			created = append(created, d.(reservationDoc).reservation())
		}
	}
	return created, nil
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

func (s *Store) findReservations(ctx context.Context, filter bson.M) ([]warehouse.Reservation, error) {
	cur, err := s.reservations.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}))
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
func (s *Store) NoteShort(ctx context.Context, notes []warehouse.ShortNote) (int, error) {
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
		return s.insertOutbox(ctx, envs)
	})
	if err != nil {
		return 0, err
	}
	return noted, nil
}
