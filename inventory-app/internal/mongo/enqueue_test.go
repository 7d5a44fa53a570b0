package mongo

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/comanda-dev/comanda/internal/clock"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// These tests look inside the adapter (its numbering, what a lost commit
// leaves), so they live in the package. Like the contract suite they need a
// real replica set: see TestStoreContract.
func openTestStore(t *testing.T) *Store {
	t.Helper()
	url := os.Getenv("MONGO_URL")
	if url == "" {
		t.Skip("MongoDB is not available on this machine; set MONGO_URL to run this test (GitHub Actions provides a mongo service)")
	}
	database := "t_" + testkit.RandomHex(6)
	s, err := Open(context.Background(), url, database, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = s.db.Drop(ctx)
		s.Close()
	})
	if err := s.Seed(context.Background(), warehouse.Ingredients(), 5); err != nil {
		t.Fatal(err)
	}
	return s
}

func newRequest(recipe string) warehouse.Request {
	return warehouse.Request{
		OrderID: uuid.Must(uuid.NewV7()).String(), Recipe: recipe, At: clock.Now(),
		Items: []warehouse.Item{{Ingredient: "tomato", Quantity: 1}},
	}
}

// A sequence number already taken is a conflict to number around, not a
// sign that the request was stored: every request is created, under fresh
// numbers, and the document that held the number is left alone. (Taken for
// "already stored", the second request was reported as not created and
// stored by nobody: lost.)
func TestASequenceCollisionIsRetriedNotTakenForStored(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	squatter := newRequest("squatter")
	taken := s.keys(0, 1) + 2 // the number the next Enqueue gives its second request
	if _, err := s.reservations.InsertOne(ctx, reservationDocOf(squatter, taken)); err != nil {
		t.Fatal(err)
	}
	a, b := newRequest("pizza"), newRequest("salad")
	created, err := s.Enqueue(ctx, 0, []warehouse.Request{a, b})
	if err != nil || len(created) != 2 || created[0].OrderID != a.OrderID || created[1].OrderID != b.OrderID {
		t.Fatalf("enqueue over a taken number: %+v, %v; want both requests created", created, err)
	}
	for _, r := range created {
		stored, err := s.Reservation(ctx, r.OrderID)
		if err != nil || stored.Seq != r.Seq || r.Seq == taken {
			t.Errorf("stored %+v, %v; want what Enqueue returned, under a fresh number", stored, err)
		}
	}
	if !(created[0].Seq < created[1].Seq) {
		t.Errorf("numbers %d, %d do not follow the order given", created[0].Seq, created[1].Seq)
	}
	if other, err := s.Reservation(ctx, squatter.OrderID); err != nil || other.Seq != taken || other.Recipe != "squatter" {
		t.Errorf("the document holding the number changed: %+v, %v", other, err)
	}
}

// A batch that fails halfway stores nothing: with no transaction, the first
// half stayed stored while the caller heard of none of it, and a redelivery
// found it stored and created nothing, so the clerk never served it.
func TestAFailedEnqueueStoresNothing(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	ok := newRequest("pizza")
	huge := newRequest(strings.Repeat("x", 17<<20)) // above the 16 MiB a document may hold
	created, err := s.Enqueue(ctx, 0, []warehouse.Request{ok, huge})
	if err == nil {
		t.Fatal("a document above the size limit was stored")
	}
	if len(created) != 0 {
		t.Errorf("a failed enqueue reports %d created", len(created))
	}
	if n, _ := s.reservations.CountDocuments(ctx, bson.M{}); n != 0 {
		t.Errorf("a failed enqueue left %d reservations", n)
	}
	again, err := s.Enqueue(ctx, 0, []warehouse.Request{ok})
	if err != nil || len(again) != 1 {
		t.Errorf("the redelivered request: %+v, %v; want it created now", again, err)
	}
}

// After a failure whose outcome is unknown, Enqueue reports what the store
// holds from its own last attempt (its order ids under its numbers), so that
// the caller serves them; what another attempt or writer stored is not its.
func TestLandedIsWhatTheLastAttemptStored(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	first := s.keys(0, 3)
	a, b, c := newRequest("a"), newRequest("b"), newRequest("c")
	docs := []reservationDoc{reservationDocOf(a, first), reservationDocOf(b, first+1), reservationDocOf(c, first+2)}
	// a committed; b is stored under another number (not this attempt's);
	// c never made it.
	if _, err := s.reservations.InsertMany(ctx, []any{docs[0], reservationDocOf(b, first+100)}); err != nil {
		t.Fatal(err)
	}
	got := s.landed(ctx, docs)
	var ids []string
	for _, r := range got {
		ids = append(ids, r.OrderID)
	}
	if !slices.Equal(ids, []string{a.OrderID}) {
		t.Errorf("landed %v, want only a", ids)
	}
}
