package feed

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	fws "github.com/fasthttp/websocket"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

type fakeSource struct{}

func (fakeSource) Inventory(context.Context) (warehouse.Inventory, error) {
	return warehouse.Inventory{Ingredients: []warehouse.IngredientState{{Level: warehouse.Level{Ingredient: "tomato", Initial: 5, Bought: 2, Consumed: 3}}}}, nil
}
func (fakeSource) Buying() []string { return []string{"tomato"} }

type rig struct {
	t       *testing.T
	rdb     *redis.Client
	pub     *stream.Publisher
	streams events.Streams
	hub     *Hub
	url     string
	token   string
	// session is the token's; sessions checks them.
	session  auth.Session
	sessions *auth.Checker
}

func newRig(t *testing.T, opt Options, before func(r *rig)) *rig {
	t.Helper()
	rdb := testkit.Redis(t)
	r := &rig{t: t, rdb: rdb, pub: stream.NewPublisher(rdb, stream.PublisherOptions{}), streams: events.StreamNames(testkit.Prefix(t, rdb))}
	if before != nil {
		before(r)
	}
	keys := testkit.NewKeys(t)
	prefix := r.streams.Orders + "-sessions"
	r.token, r.session = keys.Token(t, rdb, prefix, time.Hour)
	pub, _ := auth.ParsePublicKeys(keys.Public)
	verifier, _ := auth.NewVerifier(pub)
	r.sessions = auth.NewChecker(verifier, auth.NewRegistry(rdb, prefix))
	opt.Streams = r.streams
	opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	r.hub = NewHub(rdb, fakeSource{}, opt)
	app := httpx.New(httpx.Options{Service: "inventory-app", Logger: opt.Logger})
	r.hub.Register(app, r.sessions, []string{"http://dashboard.example"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.hub.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; _ = app.Shutdown() })
	r.url = "ws://" + ln.Addr().String() + "/ws"
	return r
}

func (r *rig) publish(envs ...events.Envelope) {
	r.t.Helper()
	recs := make([]stream.Record, len(envs))
	for i, e := range envs {
		recs[i] = stream.Record{Stream: r.streams.For(e.Type), Event: e}
	}
	if _, err := r.pub.Publish(context.Background(), recs...); err != nil {
		r.t.Fatal(err)
	}
}

func placed(n int) ([]string, []events.Envelope) {
	var ids []string
	var envs []events.Envelope
	for range n {
		id := uuid.Must(uuid.NewV7()).String()
		ids = append(ids, id)
		envs = append(envs, events.MustNew("test", id, time.Now(), events.OrderPlaced{BatchID: "b", PlacedAt: time.Now()}))
	}
	return ids, envs
}

func delivered(ids []string) []events.Envelope {
	var envs []events.Envelope
	for _, id := range ids {
		envs = append(envs, events.MustNew("test", id, time.Now(), events.DishDelivered{Recipe: "pizza"}))
	}
	return envs
}

func (r *rig) dial(query string, header http.Header) (*fws.Conn, *http.Response, error) {
	if header == nil {
		header = http.Header{}
	}
	if header.Get("Authorization") == "" && header.Get("X-No-Auth") == "" {
		header.Set("Authorization", "Bearer "+r.token)
	}
	header.Del("X-No-Auth")
	return fws.DefaultDialer.Dial(r.url+query, header)
}

func (r *rig) connect(query string) *fws.Conn {
	r.t.Helper()
	c, _, err := r.dial(query, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Close() })
	return c
}

func read(t *testing.T, c *fws.Conn) message {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// readUntil reads frames until every order in want reached stage, and
// returns how many frames that took.
func readUntil(t *testing.T, c *fws.Conn, want []string, stage events.Stage) (frames int, last message) {
	t.Helper()
	missing := map[string]bool{}
	for _, id := range want {
		missing[id] = true
	}
	for len(missing) > 0 {
		last = read(t, c)
		frames++
		for _, o := range last.Orders {
			if o.Stage == stage {
				delete(missing, o.ID)
			}
		}
	}
	return frames, last
}

func TestSnapshotShowsWhatTheStreamsRetain(t *testing.T) {
	var ids []string
	r := newRig(t, Options{}, func(r *rig) {
		var envs []events.Envelope
		ids, envs = placed(5)
		r.publish(envs...)
		r.publish(delivered(ids[:2])...)
		r.publish(events.MustNew("test", "", time.Now(), events.MarketBought{PurchaseID: "p1", Ingredient: "tomato", Quantity: 0, OnHand: 0}))
	})
	m := read(t, r.connect(""))
	if m.Type != "snapshot" || m.Counts != (counts{Placed: 5, InProgress: 3, Delivered: 2}) {
		t.Fatalf("snapshot %s with counts %+v", m.Type, m.Counts)
	}
	if len(m.Orders) != 3 || m.Orders[0].ID != ids[2] || m.Orders[0].Stage != "placed" {
		t.Errorf("active orders %+v", m.Orders)
	}
	if len(m.Stock) != 1 || m.Stock[0].OnHand != 4 || len(m.Buying) != 1 || len(m.Purchases) != 1 || m.Purchases[0].Quantity != 0 {
		t.Errorf("stock %+v buying %v purchases %+v", m.Stock, m.Buying, m.Purchases)
	}
}

// The streams forget what every group acknowledged: after a restart the
// feed counts what orders-app keeps, not what the streams still hold.
func TestCountsComeFromOrdersAppNotFromTheRetainedStreams(t *testing.T) {
	r := newRig(t, Options{Interval: 20 * time.Millisecond}, func(r *rig) {
		_, envs := placed(2)
		r.publish(envs...) // all the streams still hold of a long day
		data, _ := json.Marshal(events.OrderCounts{Placed: 1200, InProgress: 2, Delivered: 1190, Failed: 8, At: time.Now()})
		if err := r.rdb.Set(context.Background(), r.streams.Counts, data, 0).Err(); err != nil {
			r.t.Fatal(err)
		}
	})
	want := counts{Placed: 1200, InProgress: 2, Delivered: 1190, Failed: 8}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := r.connect("")
		m := read(t, c)
		c.Close()
		if m.Counts == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("snapshot counts %+v, want orders-app's %+v", m.Counts, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestEveryClientSeesEveryEventCoalesced(t *testing.T) {
	r := newRig(t, Options{Interval: 100 * time.Millisecond}, nil)
	a, b := r.connect(""), r.connect("")
	read(t, a)
	read(t, b)
	ids, envs := placed(500)
	r.publish(envs...)
	r.publish(delivered(ids)...)
	for _, c := range []*fws.Conn{a, b} {
		frames, last := readUntil(t, c, ids, "delivered")
		// 1000 events published in two round trips arrive in a handful of
		// frames, not a thousand.
		if frames > 5 {
			t.Errorf("1000 events took %d frames", frames)
		}
		if last.Counts.Delivered != 500 || last.Counts.InProgress != 0 {
			t.Errorf("counts %+v", last.Counts)
		}
	}
}

// leaveWhileDelivered connects a client, sees three orders placed, leaves,
// and delivers them while it is away, in separate frames. It returns the
// client's first frame, its last one and the orders.
func (r *rig) leaveWhileDelivered() (first, last message, ids []string) {
	r.t.Helper()
	c := r.connect("")
	first = read(r.t, c)
	ids, envs := placed(3)
	r.publish(envs...)
	_, last = readUntil(r.t, c, ids, "placed")
	c.Close()
	for _, e := range delivered(ids) {
		r.publish(e)
		time.Sleep(60 * time.Millisecond)
	}
	return first, last, ids
}

func TestReconnectingClientResumesOrGetsASnapshot(t *testing.T) {
	r := newRig(t, Options{Interval: 20 * time.Millisecond}, nil)
	first, seen, ids := r.leaveWhileDelivered()
	c2 := r.connect("?since=" + seen.Cursor)
	frames, _ := readUntil(t, c2, ids, "delivered")
	if frames != 3 {
		t.Errorf("resumed with %d frames, want the 3 missed", frames)
	}

	// A cursor from another server, or forgotten, brings a snapshot.
	for _, since := range []string{"deadbeef:1", first.Cursor[:strings.Index(first.Cursor, ":")] + ":999999", "garbage"} {
		m := read(t, r.connect("?since="+since))
		if m.Type != "snapshot" || m.Counts.Delivered != 3 {
			t.Errorf("since=%s: %s %+v", since, m.Type, m.Counts)
		}
	}
}

// The history for resuming clients is bounded by its size too: a burst's
// frames carry thousands of orders each. A resume from a frame that the bound
// forgot gets a snapshot, never a gap.
func TestHistoryForgetsPastItsSize(t *testing.T) {
	r := newRig(t, Options{Interval: 20 * time.Millisecond, HistoryBytes: 1}, nil)
	_, seen, _ := r.leaveWhileDelivered()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		r.hub.mu.Lock()
		done := r.hub.proj.delivered == 3 && r.hub.proj.delta.empty()
		r.hub.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the deliveries were not framed within 5s")
		}
	}
	r.hub.mu.Lock()
	kept := len(r.hub.ring)
	r.hub.mu.Unlock()
	if kept != 1 {
		t.Errorf("the history keeps %d frames with a bound of 1 byte, want the newest alone", kept)
	}
	m := read(t, r.connect("?since="+seen.Cursor))
	if m.Type != "snapshot" || m.Counts.Delivered != 3 {
		t.Errorf("resumed past the history: %s %+v, want a snapshot with 3 delivered", m.Type, m.Counts)
	}
}

func TestSlowClientIsDroppedWithoutSlowingOthers(t *testing.T) {
	r := newRig(t, Options{Interval: 10 * time.Millisecond, ClientQueue: 32}, nil)
	// A client that reads nothing, with a small socket buffer so that the
	// server's writes back up quickly.
	d := &fws.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4 << 10)
		}
		return conn, err
	}}
	slow, _, err := d.Dial(r.url, http.Header{"Authorization": {"Bearer " + r.token}})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fast := r.connect("")
	got := make(chan int, 1)
	go func() { // reads every frame as it comes, as a browser would
		n := 0
		for {
			_ = fast.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, _, err := fast.ReadMessage(); err != nil {
				got <- n
				return
			}
			n++
		}
	}()
	// Large frames until the slow client's buffers and queue are full
	// (bounded: a few megabytes fill any loopback socket).
	for i := 0; testutil.ToFloat64(r.hub.metrics.dropped) == 0; i++ {
		if i == 300 {
			t.Fatal("slow client never dropped")
		}
		_, envs := placed(1000)
		r.publish(envs...)
		time.Sleep(20 * time.Millisecond)
	}
	if n := testutil.ToFloat64(r.hub.metrics.clients); n != 1 {
		t.Errorf("%v clients connected, want the fast one only", n)
	}
	select {
	case n := <-got:
		t.Fatalf("the reading client was disconnected after %d messages", n)
	default:
	}
	// (Its close frame, 1013, waits behind the megabytes its socket
	// buffers still hold: a reader this slow sees it much later.)
	r.hub.mu.Lock()
	sent := r.hub.seq
	r.hub.mu.Unlock()
	fast.Close()
	if n := <-got; uint64(n) < sent { // the snapshot, then every frame
		t.Errorf("fast client got %d messages of %d frames", n, sent)
	}
}

func TestFeedRefusesWithoutSessionOrFromAnotherSite(t *testing.T) {
	r := newRig(t, Options{}, nil)
	cases := []struct {
		name   string
		header http.Header
		query  string
		want   int
	}{
		{"no session", http.Header{"X-No-Auth": {"1"}}, "", http.StatusUnauthorized},
		{"forged token", http.Header{"Authorization": {"Bearer forged"}}, "", http.StatusUnauthorized},
		{"other site", http.Header{"Origin": {"http://evil.example"}}, "", http.StatusForbidden},
	}
	for _, c := range cases {
		_, resp, err := r.dial(c.query, c.header)
		if err == nil || resp == nil || resp.StatusCode != c.want {
			code := 0
			if resp != nil {
				code = resp.StatusCode
			}
			t.Errorf("%s: got %d (%v), want %d", c.name, code, err, c.want)
		}
	}
	if _, _, err := r.dial("?token="+r.token, http.Header{"X-No-Auth": {"1"}, "Origin": {"http://dashboard.example"}}); err != nil {
		t.Errorf("token in the query from an allowed origin: %v", err)
	}
}

// A session ended elsewhere (a logout at any gateway) closes its open feeds
// with 1008 within seconds, and the token opens no new one.
func TestFeedClosesWhenItsSessionEnds(t *testing.T) {
	r := newRig(t, Options{}, nil)
	conn, _, err := r.dial("", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, _, err := conn.ReadMessage(); err != nil { // the snapshot
		t.Fatal(err)
	}
	ended := time.Now()
	if err := r.sessions.Registry().End(context.Background(), r.session); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *fws.CloseError
		if !errors.As(err, &ce) || ce.Code != fws.ClosePolicyViolation {
			t.Fatalf("the feed ended with %v, want a 1008 close", err)
		}
		t.Logf("closed %s after the logout", time.Since(ended).Round(time.Millisecond))
		break
	}
	if _, resp, err := r.dial("", nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the ended session opened a feed: %v", err)
	}
}
