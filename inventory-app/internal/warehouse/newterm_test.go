package warehouse_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/inventory-app/internal/market"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// A warehouse that starts a term (a restart, a new leader) knows the most
// the market answers to one call from the store's purchases, not from its
// own first answers: a buyer that took a first answer of one unit as the
// most a call brings would send many calls at once for a small shortfall,
// and each that sold five would overbuy.
func TestANewTermJudgesCallsByTheMarketsLargestAnswer(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "inventory.db")
	first := newRig(t, rigConfig{initial: 0, dbPath: dbPath, market: marketsim.Config{MaxQuantity: 5}})
	first.run()
	warm := []warehouse.Request{request(t, newID(), "salad", []warehouse.Item{{Ingredient: "lemon", Quantity: 40}})}
	first.request(warm...)
	first.waitReserved(warm, 30*time.Second)
	first.stop()
	page, err := first.w.Purchases(context.Background(), warehouse.PurchaseQuery{Limit: warehouse.MaxPage})
	if err != nil {
		t.Fatal(err)
	}
	largest := 0
	for _, p := range page.Purchases {
		largest = max(largest, p.Quantity)
	}
	if largest != 5 {
		t.Fatalf("the first term's largest answer was %d; the test needs one of 5", largest)
	}

	// The next term's market answers 1 to its first call, then 5 to every
	// call, slowly enough that calls overlap.
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		q := 5
		if calls == 1 {
			q = 1
		}
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"quantitySold":` + strconv.Itoa(q) + `}`))
	}))
	t.Cleanup(srv.Close)
	next := newRig(t, rigConfig{initial: 0, dbPath: dbPath, parallel: 32})
	next.client, err = market.New(market.Config{URL: srv.URL + marketsim.BuyPath, Timeout: time.Second, Concurrency: 64,
		ConcurrencyInitial: 64, BreakerFailures: 5, BreakerCooldown: time.Second, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	next.open()
	next.run()
	reqs := []warehouse.Request{request(t, newID(), "tomato soup", []warehouse.Item{{Ingredient: "tomato", Quantity: 60}})}
	next.request(reqs...)
	next.waitReserved(reqs, 30*time.Second)
	next.stop()
	bought := next.purchasedUnits()["tomato"]
	if bought < 60 || bought > 60+4 {
		t.Fatalf("bought %d tomatoes for a need of 60 in answers of 1 then 5; one call at a time buys 61 to 64", bought)
	}
}
