package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/orders-app/app"
)

// behindProxy is b with orders-app reaching Redis through a proxy the test
// can cut; the test's own client talks to Redis directly.
func behindProxy(b backend, proxy **testkit.Proxy) backend {
	return backend{b.name, func(t *testing.T) (app.Config, *redis.Client) {
		cfg, rdb := b.start(t)
		*proxy = testkit.StartProxy(t, rdb.Options().Addr)
		cfg.RedisURL = "redis://" + (*proxy).Addr()
		return cfg, rdb
	}}
}

func TestReplay(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			var proxy *testkit.Proxy
			s := start(t, behindProxy(b, &proxy))
			t.Run("a replay that cannot republish changes nothing", func(t *testing.T) { replayWhileRedisIsDown(t, s, proxy) })
			t.Run("a republished message moves its failed order on by itself", func(t *testing.T) { republishedWithoutReopen(t, s) })
			t.Run("bulk replay by group and by ids", func(t *testing.T) { bulkReplay(t, s, proxy) })
			t.Run("bad bulk replays change nothing", func(t *testing.T) { badBulkReplays(t, s) })
			t.Run("racing replays put a message back once", func(t *testing.T) { racingReplays(t, s) })
			t.Run("a group replay is bounded and says there is more", func(t *testing.T) { boundedGroupReplay(t, s) })
		})
	}
}

// failOrder places one order and dead-letters a message of it as group
// would have: the dead letter's id, once the order shows failed.
func failOrder(t *testing.T, s server, group string) (orderID, deadLetterID string) {
	t.Helper()
	var p placed
	if status := s.postJSON(t, "/api/v1/orders", `{"quantity": 1}`, &p); status != 202 {
		t.Fatalf("place: %d", status)
	}
	orderID = p.OrderIDs[0]
	return orderID, deadLetter(t, s, orderID, group)
}

// deadLetter writes the dead letter group gives up with on a message of the
// order (inventory: an ingredients request; kitchen: the placement) and
// waits for the order to show failed by it.
func deadLetter(t *testing.T, s server, orderID, group string) string {
	t.Helper()
	original := events.MustNew("kitchen-app", orderID, time.Now(), events.IngredientsRequested{Recipe: "salad", Ingredients: []events.Item{{Ingredient: "saffron", Quantity: 1}}})
	on := s.streams.Kitchen
	if group == events.GroupKitchen {
		original = events.MustNew("orders-app", orderID, time.Now(), events.OrderPlaced{BatchID: orderID, PlacedAt: time.Now()})
		on = s.streams.Orders
	}
	reason := "gave up " + testkit.RandomHex(4)
	dl := events.MustNew(group, orderID, time.Now(), events.DeadLettered{
		Stream: on, MessageID: "1-1", Group: group, Type: original.Type, Deliveries: 5, Reason: reason, Event: original.Encode(),
	})
	id := xadd(t, s, s.streams.DeadLetter, dl)
	testkit.Eventually(t, "order failed by "+reason, 10*time.Second, func() bool {
		o := s.order(t, orderID)
		return o.Status == "failed" && strings.Contains(o.FailureReason, reason)
	})
	return id
}

func xadd(t *testing.T, s server, streamName string, e events.Envelope) string {
	t.Helper()
	id, err := s.rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: streamName, Values: map[string]any{"type": e.Type, "order": e.OrderID, "event": e.Encode()}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (s server) order(t *testing.T, id string) orderView {
	t.Helper()
	var o orderView
	s.getJSON(t, "/api/v1/orders/"+id, &o)
	return o
}

func (s server) deadLetterIDs(t *testing.T) []string {
	t.Helper()
	var list struct{ DeadLetters []struct{ ID string } }
	s.getJSON(t, "/api/v1/dead-letters?limit=500", &list)
	var ids []string
	for _, d := range list.DeadLetters {
		ids = append(ids, d.ID)
	}
	return ids
}

// waitPlacedPublished waits until the orders stream holds the placement of
// every one of orderIDs.
func (s server) waitPlacedPublished(t *testing.T, orderIDs ...string) {
	t.Helper()
	testkit.Eventually(t, "the placements published", 10*time.Second, func() bool {
		seen := map[string]bool{}
		for _, e := range testkit.StreamEvents(t, s.rdb, s.streams.Orders) {
			if e.Type == events.TypeOrderPlaced {
				seen[e.OrderID] = true
			}
		}
		for _, id := range orderIDs {
			if !seen[id] {
				return false
			}
		}
		return true
	})
}

func (s server) xlen(t *testing.T, streamName string) int64 {
	t.Helper()
	n, err := s.rdb.XLen(context.Background(), streamName).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func replayWhileRedisIsDown(t *testing.T, s server, proxy *testkit.Proxy) {
	orderID, dlID := failOrder(t, s, events.GroupInventory)
	kitchen := s.xlen(t, s.streams.Kitchen)
	proxy.Cut()
	status, h, body := s.doWith(t, "POST", "/api/v1/dead-letters/"+dlID+"/replay", "", nil)
	code := errorCodeOf(t, body)
	proxy.Restore()
	if status != http.StatusServiceUnavailable || code != "unavailable" || h.Get("Retry-After") == "" {
		t.Errorf("replay with Redis cut off: %d %s", status, body)
	}
	if o := s.order(t, orderID); o.Status != "failed" {
		t.Errorf("a replay that could not republish reopened the order: %s", o.Status)
	}
	if n := s.xlen(t, s.streams.Kitchen); n != kitchen {
		t.Errorf("a failed replay republished %d messages", n-kitchen)
	}
	if !slices.Contains(s.deadLetterIDs(t), dlID) {
		t.Fatalf("the dead letter is gone after a failed replay")
	}
	// Redis is back: the same replay goes through.
	testkit.Eventually(t, "replay once Redis is back", 10*time.Second, func() bool {
		status, _, _ := s.doWith(t, "POST", "/api/v1/dead-letters/"+dlID+"/replay", "", nil)
		return status == http.StatusAccepted
	})
	if o := s.order(t, orderID); o.Status == "failed" {
		t.Errorf("after the replay the order is still failed (%s)", o.FailureReason)
	}
	if n := s.xlen(t, s.streams.Kitchen); n != kitchen+1 {
		t.Errorf("replay put %d messages back, want 1", n-kitchen)
	}
}

// republishedWithoutReopen plays a crash between the two steps of a replay:
// the message is back on its stream but the order was never reopened.
func republishedWithoutReopen(t *testing.T, s server) {
	orderID, dlID := failOrder(t, s, events.GroupInventory)
	if _, err := stream.NewDeadLetterQueue(s.rdb, s.streams.DeadLetter, stream.PublisherOptions{}).Replay(context.Background(), dlID); err != nil {
		t.Fatal(err)
	}
	// orders-app reads the replayed request itself; that alone proves
	// nothing (it may be a late copy), so the order stays failed...
	testkit.Eventually(t, "the replayed request handled", 10*time.Second, func() bool {
		return slices.ContainsFunc(s.order(t, orderID).Timeline, func(st struct{ Status, Detail string }) bool { return st.Status == "waiting_ingredients" })
	})
	if o := s.order(t, orderID); o.Status != "failed" {
		t.Errorf("the replayed request alone moved the order to %s", o.Status)
	}
	// ...until the warehouse served it and the kitchen cooks.
	xadd(t, s, s.streams.Kitchen, events.MustNew("kitchen-app", orderID, time.Now(), events.CookingStarted{Recipe: "salad"}))
	testkit.Eventually(t, "order preparing", 10*time.Second, func() bool { return s.order(t, orderID).Status == "preparing" })
	if o := s.order(t, orderID); o.FailureReason != "" {
		t.Errorf("a preparing order keeps its failure %q", o.FailureReason)
	}
}

type replayReport struct {
	Replayed []struct {
		ID, OrderID, Stream, Group, Type string
		OrderReopened                    bool
	}
	NotReplayed []struct{ ID, Code, Message string }
	More        bool
}

func bulkReplay(t *testing.T, s server, proxy *testkit.Proxy) {
	var inventory, invOrders []string
	for range 3 {
		o, d := failOrder(t, s, events.GroupInventory)
		invOrders, inventory = append(invOrders, o), append(inventory, d)
	}
	kitchenOrder, kitchenDL := failOrder(t, s, events.GroupKitchen)
	// The placements' own events reach the stream through the outbox
	// relay, in its own time: counted before they are all there, they
	// would pass for replays.
	s.waitPlacedPublished(t, append(slices.Clone(invOrders), kitchenOrder)...)
	kitchenLen, ordersLen := s.xlen(t, s.streams.Kitchen), s.xlen(t, s.streams.Orders)

	proxy.Cut()
	status, _, body := s.doWith(t, "POST", "/api/v1/dead-letters/replay", `{"group": "inventory"}`, nil)
	proxy.Restore()
	if status != http.StatusServiceUnavailable {
		t.Errorf("bulk replay with Redis cut off: %d %s", status, body)
	}
	if n := s.xlen(t, s.streams.Kitchen); n != kitchenLen {
		t.Fatalf("a bulk replay that failed republished %d messages", n-kitchenLen)
	}

	var rep replayReport
	testkit.Eventually(t, "bulk replay once Redis is back", 10*time.Second, func() bool {
		status, _, body := s.doWith(t, "POST", "/api/v1/dead-letters/replay", `{"group": "inventory"}`, nil)
		if status != http.StatusOK {
			return false
		}
		rep = replayReport{}
		return json.Unmarshal(body, &rep) == nil
	})
	var got []string
	for _, r := range rep.Replayed {
		got = append(got, r.ID)
		if !r.OrderReopened || r.Group != "inventory" || r.Stream != s.streams.Kitchen || r.Type != events.TypeIngredientsRequested {
			t.Errorf("replayed %+v", r)
		}
	}
	if !slices.Equal(got, inventory) || len(rep.NotReplayed) != 0 || rep.More {
		t.Errorf("group replay: %+v, want %v oldest first", rep, inventory)
	}
	if n := s.xlen(t, s.streams.Kitchen); n != kitchenLen+3 {
		t.Errorf("group replay put %d messages back, want 3", n-kitchenLen)
	}
	for _, id := range invOrders {
		if o := s.order(t, id); o.Status == "failed" {
			t.Errorf("order %s still failed after its replay", id)
		}
	}
	if left := s.deadLetterIDs(t); !slices.Equal(left, []string{kitchenDL}) {
		t.Errorf("dead letters left %v, want only the kitchen's %s", left, kitchenDL)
	}

	// By ids: a repeated id is replayed once, an unknown one is reported.
	status, _, body = s.doWith(t, "POST", "/api/v1/dead-letters/replay", fmt.Sprintf(`{"ids": [%q, "1-1", %q]}`, kitchenDL, kitchenDL), nil)
	rep = replayReport{}
	if err := json.Unmarshal(body, &rep); status != http.StatusOK || err != nil {
		t.Fatalf("ids replay: %d %s", status, body)
	}
	if len(rep.Replayed) != 1 || rep.Replayed[0].ID != kitchenDL || rep.Replayed[0].OrderID != kitchenOrder || !rep.Replayed[0].OrderReopened {
		t.Errorf("ids replay replayed %+v", rep.Replayed)
	}
	if len(rep.NotReplayed) != 1 || rep.NotReplayed[0].ID != "1-1" || rep.NotReplayed[0].Code != "dead_letter_not_found" || rep.NotReplayed[0].Message == "" {
		t.Errorf("ids replay refused %+v", rep.NotReplayed)
	}
	if n := s.xlen(t, s.streams.Orders); n != ordersLen+1 {
		t.Errorf("ids replay put %d placements back, want 1", n-ordersLen)
	}
	status, _, body = s.doWith(t, "POST", "/api/v1/dead-letters/replay", fmt.Sprintf(`{"ids": [%q]}`, kitchenDL), nil)
	rep = replayReport{}
	if err := json.Unmarshal(body, &rep); status != http.StatusOK || err != nil || len(rep.Replayed) != 0 || len(rep.NotReplayed) != 1 {
		t.Errorf("replaying it again: %d %s", status, body)
	}
	if n := s.xlen(t, s.streams.Orders); n != ordersLen+1 {
		t.Errorf("a second replay put the placement back again")
	}
}

func badBulkReplays(t *testing.T, s server) {
	_, dl := failOrder(t, s, events.GroupInventory)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("%d-0", i+1)
	}
	manyJSON, _ := json.Marshal(map[string]any{"ids": many})
	cases := []struct {
		name, body string
		status     int
		code       string
	}{
		{"not json", `group=kitchen`, 400, "invalid_json"},
		{"empty object", `{}`, 422, "invalid_request"},
		{"both", fmt.Sprintf(`{"group": "inventory", "ids": [%q]}`, dl), 422, "invalid_request"},
		{"unknown group", `{"group": "waiters"}`, 422, "invalid_group"},
		{"no ids", `{"ids": []}`, 422, "invalid_ids"},
		{"too many ids", string(manyJSON), 422, "invalid_ids"},
		{"not an id", fmt.Sprintf(`{"ids": [%q, "../../etc"]}`, dl), 422, "invalid_ids"},
		{"ids not strings", `{"ids": [1]}`, 400, "invalid_json"},
		{"unknown field", `{"group": "inventory", "all": true}`, 400, "invalid_json"},
	}
	for _, c := range cases {
		status, _, body := s.doWith(t, "POST", "/api/v1/dead-letters/replay", c.body, nil)
		if code := errorCodeOf(t, body); status != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, status, body, c.status, c.code)
		}
	}
	if !slices.Contains(s.deadLetterIDs(t), dl) {
		t.Errorf("a bad bulk replay replayed the dead letter")
	}
}

func racingReplays(t *testing.T, s server) {
	orderID, dl := failOrder(t, s, events.GroupInventory)
	kitchen := s.xlen(t, s.streams.Kitchen)
	const racers = 8
	statuses := make([]int, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			if i%2 == 0 {
				statuses[i], _, _ = s.doWith(t, "POST", "/api/v1/dead-letters/"+dl+"/replay", "", nil)
			} else {
				statuses[i], _, _ = s.doWith(t, "POST", "/api/v1/dead-letters/replay", fmt.Sprintf(`{"ids": [%q]}`, dl), nil)
			}
		})
	}
	wg.Wait()
	if n := s.xlen(t, s.streams.Kitchen); n != kitchen+1 {
		t.Errorf("%d racing replays put the message back %d times, want once", racers, n-kitchen)
	}
	accepted := 0
	for i, st := range statuses {
		if st == http.StatusAccepted {
			accepted++
		}
		if st != http.StatusAccepted && st != http.StatusNotFound && st != http.StatusOK {
			t.Errorf("racer %d answered %d", i, st)
		}
	}
	if accepted > 1 {
		t.Errorf("%d single replays say they replayed it", accepted)
	}
	if o := s.order(t, orderID); o.Status == "failed" {
		t.Errorf("the order is still failed after its replay")
	}
}

func boundedGroupReplay(t *testing.T, s server) {
	const n = 105
	var p placed
	if status := s.postJSON(t, "/api/v1/orders", fmt.Sprintf(`{"quantity": %d}`, n), &p); status != 202 {
		t.Fatalf("place: %d", status)
	}
	for _, id := range p.OrderIDs {
		original := events.MustNew("orders-app", id, time.Now(), events.OrderPlaced{BatchID: p.BatchID, PlacedAt: time.Now()})
		xadd(t, s, s.streams.DeadLetter, events.MustNew(events.GroupKitchen, id, time.Now(), events.DeadLettered{
			Stream: s.streams.Orders, MessageID: "1-1", Group: events.GroupKitchen, Type: original.Type, Deliveries: 1, Reason: "no recipe book", Event: original.Encode(),
		}))
	}
	testkit.Eventually(t, "every order failed", 10*time.Second, func() bool {
		var page struct{ Orders []orderView }
		s.getJSON(t, "/api/v1/orders?status=failed&limit=500&batch="+p.BatchID, &page)
		return len(page.Orders) == n
	})
	// The placements' own entries (packs) must be out before the stream is
	// measured: the relay may still be publishing them.
	testkit.Eventually(t, "the placements published", 10*time.Second, func() bool {
		return testkit.EventCount(t, s.rdb, s.streams.Orders) >= n
	})
	ordersLen := s.xlen(t, s.streams.Orders)
	var first, second replayReport
	for _, rep := range []*replayReport{&first, &second} {
		status, _, body := s.doWith(t, "POST", "/api/v1/dead-letters/replay", `{"group": "kitchen"}`, nil)
		if err := json.Unmarshal(body, rep); status != http.StatusOK || err != nil {
			t.Fatalf("group replay: %d %s", status, body)
		}
	}
	if len(first.Replayed) != 100 || !first.More || len(second.Replayed) != n-100 || second.More {
		t.Errorf("replays of %d dead letters: %d (more %v) then %d (more %v), want 100 (more) then %d", n,
			len(first.Replayed), first.More, len(second.Replayed), second.More, n-100)
	}
	if got := s.xlen(t, s.streams.Orders); got != ordersLen+n {
		t.Errorf("%d placements put back, want %d", got-ordersLen, n)
	}
	var page struct{ Orders []orderView }
	s.getJSON(t, "/api/v1/orders?status=failed&limit=500&batch="+p.BatchID, &page)
	if len(page.Orders) != 0 {
		t.Errorf("%d orders still failed after replaying every dead letter", len(page.Orders))
	}
}
