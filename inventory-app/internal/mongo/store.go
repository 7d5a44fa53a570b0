// Package mongo is the MongoDB adapter of warehouse.Store (official driver
// v2), used in production.
//
// Reserving stock and recording a purchase are multi-document transactions
// (stock, reservation or purchase, outbox), so MongoDB must run as a replica
// set; a single-node replica set will do (docker-compose starts one). Open
// refuses a standalone server rather than failing at the first order.
//
// Collections: stock (one document per ingredient, _id the name), reservations
// (_id the order id, so unique per order; seq from the counters collection),
// purchases (_id the UUIDv7 purchase id), outbox (_id a sequence from the
// counters collection), counters, and locks (the outbox relay's lease).
package mongo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Store keeps the warehouse in a MongoDB database.
type Store struct {
	client       *mongodrv.Client
	db           *mongodrv.Database
	stock        *mongodrv.Collection
	reservations *mongodrv.Collection
	purchases    *mongodrv.Collection
	outbox       *mongodrv.Collection
	counters     *mongodrv.Collection
	locks        *mongodrv.Collection
	txOpts       *options.TransactionOptionsBuilder
	// owner names this process in the outbox lease.
	owner string
	// publishing serialises this process's relays; the lease serialises
	// processes.
	publishing sync.Mutex
}

var _ warehouse.Store = (*Store)(nil)

// codeNamespaceExists is the server's answer to creating a collection that
// another process just created.
const codeNamespaceExists = 48

// Counter names in the counters collection.
const (
	counterReservations = "reservations"
	counterOutbox       = "outbox"
)

// Open connects to url, checks that the server can run transactions, and
// creates the indexes and counters of database.
func Open(ctx context.Context, url, database string) (*Store, error) {
	client, err := mongodrv.Connect(options.Client().ApplyURI(url).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		return nil, fmt.Errorf("connecting to mongodb: %w", err)
	}
	s, err := open(ctx, client, database)
	if err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, client *mongodrv.Client, database string) (*Store, error) {
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx, readpref.Primary()); err != nil {
		return nil, fmt.Errorf("pinging mongodb: %w", err)
	}
	db := client.Database(database)
	if err := requireReplicaSet(ctx, db); err != nil {
		return nil, err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	s := &Store{
		client:       client,
		db:           db,
		stock:        db.Collection("stock"),
		reservations: db.Collection("reservations"),
		purchases:    db.Collection("purchases"),
		outbox:       db.Collection("outbox"),
		counters:     db.Collection("counters"),
		locks:        db.Collection("locks"),
		txOpts: options.Transaction().
			SetReadConcern(readconcern.Snapshot()).
			SetWriteConcern(writeconcern.Majority()),
		owner: hex.EncodeToString(b[:]),
	}
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// requireReplicaSet fails early on a standalone server, where every
// reservation would fail: transactions need a replica set or a sharded
// cluster.
func requireReplicaSet(ctx context.Context, db *mongodrv.Database) error {
	var hello struct {
		SetName string `bson:"setName"`
		Msg     string `bson:"msg"`
	}
	if err := db.RunCommand(ctx, bson.M{"hello": 1}).Decode(&hello); err != nil {
		return fmt.Errorf("asking mongodb for its topology: %w", err)
	}
	if hello.SetName == "" && hello.Msg != "isdbgrid" {
		return errors.New("mongodb must run as a replica set (a single-node one will do): the warehouse needs multi-document transactions")
	}
	return nil
}

// prepare creates the collections, the indexes and the counters. Every
// step is idempotent. Collections are created here rather than by a first
// insert, which inside a transaction older servers refuse.
func (s *Store) prepare(ctx context.Context) error {
	existing, err := s.db.ListCollectionNames(ctx, bson.M{})
	if err != nil {
		return fmt.Errorf("listing collections: %w", err)
	}
	for _, c := range []*mongodrv.Collection{s.stock, s.reservations, s.purchases, s.outbox, s.counters, s.locks} {
		if slices.Contains(existing, c.Name()) {
			continue
		}
		err := s.db.CreateCollection(ctx, c.Name())
		var se mongodrv.ServerError
		if err != nil && !(errors.As(err, &se) && se.HasErrorCode(codeNamespaceExists)) {
			return fmt.Errorf("creating collection %s: %w", c.Name(), err)
		}
	}
	indexes := []struct {
		coll  *mongodrv.Collection
		model mongodrv.IndexModel
	}{
		{s.reservations, mongodrv.IndexModel{Keys: bson.D{{Key: "status", Value: 1}, {Key: "seq", Value: 1}}}},
		{s.reservations, mongodrv.IndexModel{Keys: bson.D{{Key: "seq", Value: 1}}, Options: options.Index().SetUnique(true)}},
		{s.purchases, mongodrv.IndexModel{Keys: bson.D{{Key: "ingredient", Value: 1}, {Key: "_id", Value: -1}}}},
	}
	for _, ix := range indexes {
		if _, err := ix.coll.Indexes().CreateOne(ctx, ix.model); err != nil {
			return fmt.Errorf("creating index on %s: %w", ix.coll.Name(), err)
		}
	}
	for _, name := range []string{counterReservations, counterOutbox} {
		_, err := s.counters.UpdateOne(ctx, bson.M{"_id": name}, bson.M{"$setOnInsert": bson.M{"value": int64(0)}}, options.UpdateOne().SetUpsert(true))
		if err != nil && !mongodrv.IsDuplicateKeyError(err) {
			return fmt.Errorf("creating counter %s: %w", name, err)
		}
	}
	return nil
}

// Close disconnects from the server.
func (s *Store) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.client.Disconnect(ctx)
}

// Ping checks the primary answers.
func (s *Store) Ping(ctx context.Context) error { return s.client.Ping(ctx, readpref.Primary()) }

// inTx runs fn in a transaction. The driver runs fn again when the server
// reports a transient conflict (another transaction wrote the same
// document), so fn must start from scratch each time.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	sess, err := s.client.StartSession()
	if err != nil {
		return fmt.Errorf("starting session: %w", err)
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	_, err = sess.WithTransaction(ctx, func(sctx context.Context) (any, error) {
		return nil, fn(sctx)
	}, s.txOpts)
	return err
}

// next reserves n consecutive numbers of a counter and returns the first.
func (s *Store) next(ctx context.Context, counter string, n int) (int64, error) {
	var c struct {
		Value int64 `bson:"value"`
	}
	err := s.counters.FindOneAndUpdate(ctx, bson.M{"_id": counter}, bson.M{"$inc": bson.M{"value": int64(n)}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return 0, fmt.Errorf("numbering %s: %w", counter, err)
	}
	return c.Value - int64(n) + 1, nil
}

// onlyDuplicates reports whether every failure of a bulk insert is a
// duplicate key, i.e. the documents exist already.
func onlyDuplicates(err error) (failed map[int]bool, ok bool) {
	var bwe mongodrv.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return nil, false
	}
	failed = make(map[int]bool, len(bwe.WriteErrors))
	for _, we := range bwe.WriteErrors {
		if !mongodrv.IsDuplicateKeyError(we.WriteError) {
			return nil, false
		}
		failed[we.Index] = true
	}
	return failed, true
}
