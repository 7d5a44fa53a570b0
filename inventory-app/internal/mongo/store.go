// Package mongo is the MongoDB adapter of warehouse.Store (official driver
// v2), used in production.
//
// Reserving stock and recording a purchase are multi-document transactions
// (stock, reservation or purchase, outbox), so MongoDB must run as a replica
// set; a single-node replica set will do (docker-compose starts one). Open
// refuses a standalone server rather than failing at the first order.
//
// Collections: stock (one document per ingredient, _id the name), reservations
// (_id the order id, so unique per order), purchases (_id the UUIDv7 purchase
// id), outbox, locks (the warehouse's leader lease and the outbox relay's
// lease) and fences (one document per writer of the leader, see lanes).
//
// Reservation sequence numbers and outbox keys come from no shared counter,
// which every transaction would update and conflict over: a leader numbers
// them itself, its fencing token in the high bits and its own counter in
// the low 32 (see keys). Only one replica writes under a token, and every
// new leader's token is greater, so numbers increase in arrival order
// across leaders too.
package mongo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/comanda-dev/comanda/internal/fault"
	"github.com/comanda-dev/comanda/internal/tracing"
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
	locks        *mongodrv.Collection
	fences       *mongodrv.Collection
	txOpts       *options.TransactionOptionsBuilder
	// owner names this process in the outbox lease.
	owner string
	// publishing serialises this process's relays; the lease serialises
	// processes.
	publishing sync.Mutex
	// counter numbers what this process stores under its token (see keys).
	counter atomic.Int64
}

var _ warehouse.Store = (*Store)(nil)

// codeNamespaceExists is the server's answer to creating a collection that
// another process just created.
const codeNamespaceExists = 48

// Open connects to url, checks that the server can run transactions, and
// creates the indexes and counters of database. With tr, every command is
// a span (commandSpans).
func Open(ctx context.Context, url, database string, tr *tracing.Provider) (*Store, error) {
	opts := options.Client().ApplyURI(url).SetServerSelectionTimeout(10 * time.Second)
	if tr != nil {
		opts.SetMonitor(newCommandSpans(tr.TracerProvider()))
	}
	client, err := mongodrv.Connect(opts)
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
		// No primary yet (still starting, or electing one): worth waiting.
		return nil, fault.Unavailable(fmt.Errorf("pinging mongodb: %w", err))
	}
	db := client.Database(database)
	if err := requireReplicaSet(ctx, db); err != nil {
		return nil, err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	// What the relay publishes and what decides who leads must survive a
	// failover: read what a majority holds, write until a majority has it.
	// (Transactions set their own concerns, below.)
	majority := options.Collection().SetReadConcern(readconcern.Majority()).SetWriteConcern(writeconcern.Majority())
	s := &Store{
		client:       client,
		db:           db,
		stock:        db.Collection("stock"),
		reservations: db.Collection("reservations"),
		purchases:    db.Collection("purchases"),
		outbox:       db.Collection("outbox", majority),
		locks:        db.Collection("locks", majority),
		fences:       db.Collection("fences", majority),
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

// prepare creates the collections, the indexes, the lease and the fence
// lanes. Every step is idempotent. Collections are created here rather than by a first
// insert, which inside a transaction older servers refuse.
func (s *Store) prepare(ctx context.Context) error {
	existing, err := s.db.ListCollectionNames(ctx, bson.M{})
	if err != nil {
		return fmt.Errorf("listing collections: %w", err)
	}
	for _, c := range []*mongodrv.Collection{s.stock, s.reservations, s.purchases, s.outbox, s.locks, s.fences} {
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
	// The lease and the lanes exist before anyone leads (token 0), so that
	// taking the lease and stamping the lanes are plain updates, never
	// upserts racing each other.
	_, err = s.locks.UpdateOne(ctx, bson.M{"_id": leaseID},
		bson.M{"$setOnInsert": bson.M{"holder": "", "token": int64(0), "expires": time.Unix(0, 0)}}, options.UpdateOne().SetUpsert(true))
	if err != nil && !mongodrv.IsDuplicateKeyError(err) {
		return fmt.Errorf("creating the warehouse lease: %w", err)
	}
	for _, lane := range lanes() {
		_, err := s.fences.UpdateOne(ctx, bson.M{"_id": lane},
			bson.M{"$setOnInsert": bson.M{"token": int64(0), "writes": int64(0)}}, options.UpdateOne().SetUpsert(true))
		if err != nil && !mongodrv.IsDuplicateKeyError(err) {
			return fmt.Errorf("creating fence lane %s: %w", lane, err)
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

// keys hands out n consecutive numbers for what a writer under tok stores
// and returns the first: tok in the high bits, this process's counter in the
// low 32 (four billion numbers a process).
func (s *Store) keys(tok warehouse.Token, n int) int64 {
	last := s.counter.Add(int64(n))
	return int64(tok)<<32 | (last - int64(n) + 1)
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
