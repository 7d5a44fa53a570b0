package feed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Source is what the feed reads of the warehouse.
type Source interface {
	Inventory(ctx context.Context) (warehouse.Inventory, error)
	Buying() []string
}

// Options configure a Hub.
type Options struct {
	Streams events.Streams
	// Interval is the longest a change waits to be sent (default 100ms):
	// changes within one interval travel in one frame.
	Interval time.Duration
	// History is how many frames are kept for clients that resume (default
	// 1200, two minutes of continuous change).
	History int
	// HistoryBytes bounds the size of those frames together (default 8 MiB;
	// the newest frame is always kept): in a burst a frame carries
	// thousands of orders, and a count of frames alone would let the
	// history grow with the burst. A client that resumes from a frame
	// forgotten gets a snapshot.
	HistoryBytes int
	// ClientQueue is how many frames a client may fall behind before it is
	// dropped (default 64).
	ClientQueue int
	Registry    prometheus.Registerer
	Logger      *slog.Logger
}

// Hub fans the streams out to WebSocket clients.
type Hub struct {
	rdb redis.UniversalClient
	src Source
	opt Options
	log *slog.Logger
	id  string // distinguishes this process's cursors from another's

	mu   sync.Mutex
	proj *projection
	// sentCounts are the counts of the last frame.
	sentCounts counts
	seq        uint64
	ring       []frame
	ringBytes  int
	clients    map[*client]struct{}
	closed     bool

	ready   chan struct{}
	metrics metrics
}

type frame struct {
	seq  uint64
	data []byte
}

// NewHub returns a hub; Run feeds it.
func NewHub(rdb redis.UniversalClient, src Source, opt Options) *Hub {
	if opt.Interval <= 0 {
		opt.Interval = 100 * time.Millisecond
	}
	if opt.HistoryBytes <= 0 {
		opt.HistoryBytes = 8 << 20
	}
	if opt.History <= 0 {
		opt.History = 1200
	}
	if opt.ClientQueue <= 0 {
		opt.ClientQueue = 64
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &Hub{
		rdb: rdb, src: src, opt: opt, log: opt.Logger, id: hex.EncodeToString(b),
		proj: newProjection(), clients: map[*client]struct{}{}, ready: make(chan struct{}),
		metrics: newMetrics(opt.Registry),
	}
}

// order matters: an order's placed event is read before its kitchen events.
func (h *Hub) streams() []string {
	s := h.opt.Streams
	return []string{s.Orders, s.Kitchen, s.Inventory, s.DeadLetter}
}

// Run builds the projection from the retained streams, then follows them and
// sends frames until ctx ends; then it closes every client.
func (h *Hub) Run(ctx context.Context) error {
	defer h.closeAll()
	// Redis still coming up (or away) delays the feed, never the service.
	var from map[string]string
	for attempt := 1; ; attempt++ {
		var err error
		if from, err = h.bootstrap(ctx); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		wait := min(time.Duration(attempt)*200*time.Millisecond, 5*time.Second)
		h.log.Warn("building the feed; retrying", "err", err, "attempt", attempt, "retryIn", wait.String())
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		h.mu.Lock()
		h.proj = newProjection()
		h.mu.Unlock()
	}
	close(h.ready)
	go h.tick(ctx)
	// A read waits for new events up to half a frame interval.
	err := stream.Tail(ctx, h.rdb, h.streams(), stream.TailOptions{From: from, Count: 1000, Poll: h.opt.Interval / 2, Logger: h.log}, func(msgs []stream.Message) error {
		h.mu.Lock()
		for _, m := range msgs {
			h.proj.apply(m)
		}
		h.mu.Unlock()
		return nil
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("following the streams: %w", err)
	}
	return nil
}

// bootstrap replays what the streams retain, and returns where to follow on.
func (h *Hub) bootstrap(ctx context.Context) (map[string]string, error) {
	from := map[string]string{}
	started := time.Now()
	total := 0
	for _, s := range h.streams() {
		last, err := stream.Range(ctx, h.rdb, s, "", "+", 5000, func(msgs []stream.Message) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			for _, m := range msgs {
				h.proj.apply(m)
			}
			total += len(msgs)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if last == "" {
			last = "0-0"
		}
		from[s] = last
	}
	h.mu.Lock()
	h.proj.resetDelta()
	h.mu.Unlock()
	h.log.Info("feed ready", "entries", total, "took", time.Since(started).String())
	return from, nil
}

func (h *Hub) tick(ctx context.Context) {
	t := time.NewTicker(h.opt.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.readCounts(ctx)
			h.flush()
		}
	}
}

// readCounts takes the orders' counts orders-app keeps in Redis: the
// streams forget what every group acknowledged, so counting their events
// would start from zero after a restart.
func (h *Hub) readCounts(ctx context.Context) {
	data, err := h.rdb.Get(ctx, h.opt.Streams.Counts).Bytes()
	if err != nil {
		return
	}
	var c events.OrderCounts
	if json.Unmarshal(data, &c) != nil {
		return
	}
	h.mu.Lock()
	h.proj.known = &counts{Placed: c.Placed, InProgress: c.InProgress, Delivered: c.Delivered, Failed: c.Failed}
	h.mu.Unlock()
}

// flush sends what changed since the last frame, as one frame.
func (h *Hub) flush() {
	buying := h.src.Buying()
	h.mu.Lock()
	// Counts that changed alone make a frame too: orders-app's counts may
	// follow the events that moved them.
	if h.proj.delta.empty() && h.proj.counts() == h.sentCounts {
		h.mu.Unlock()
		return
	}
	d := h.proj.delta
	msg := message{
		Type: "events", At: time.Now().UTC(), Counts: h.proj.counts(), Buying: nonNil(buying),
		Orders: make([]orderView, 0, len(d.orders)), Stock: make([]stockView, 0, len(d.stock)),
		Purchases: nonNil(d.purchases), DeadLetters: nonNil(d.deadLetters),
	}
	for _, o := range d.orders {
		msg.Orders = append(msg.Orders, o)
	}
	for _, s := range d.stock {
		msg.Stock = append(msg.Stock, s)
	}
	h.proj.resetDelta()
	h.sentCounts = msg.Counts
	h.seq++
	msg.Cursor = h.cursor(h.seq)
	data, err := json.Marshal(msg)
	if err != nil {
		h.mu.Unlock()
		h.log.Error("encoding a feed frame", "err", err)
		return
	}
	h.remember(frame{seq: h.seq, data: data})
	clients := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()

	h.metrics.frames.Inc()
	h.metrics.frameBytes.Observe(float64(len(data)))
	for _, c := range clients {
		if !c.offer(data) {
			h.drop(c, "too slow")
		}
	}
}

// remember keeps f for clients that resume, forgetting the oldest frames past
// History or HistoryBytes.
func (h *Hub) remember(f frame) {
	h.ring = append(h.ring, f)
	h.ringBytes += len(f.data)
	drop := 0
	for len(h.ring)-drop > 1 && (len(h.ring)-drop > h.opt.History || h.ringBytes > h.opt.HistoryBytes) {
		h.ringBytes -= len(h.ring[drop].data)
		drop++
	}
	if drop > 0 {
		// A fresh slice, so that the forgotten frames' memory goes too.
		h.ring = append([]frame(nil), h.ring[drop:]...)
	}
}

func (h *Hub) cursor(seq uint64) string { return h.id + ":" + strconv.FormatUint(seq, 10) }

// parseCursor returns the sequence of a cursor this hub issued.
func (h *Hub) parseCursor(cursor string) (uint64, bool) {
	id, seq, ok := strings.Cut(cursor, ":")
	if !ok || id != h.id {
		return 0, false
	}
	n, err := strconv.ParseUint(seq, 10, 64)
	return n, err == nil
}

// register adds c and queues what it must see first: the frames after its
// cursor when this hub still has them all, else a snapshot.
func (h *Hub) register(ctx context.Context, c *client, since string) error {
	select {
	case <-h.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	inv, err := h.src.Inventory(ctx)
	if err != nil {
		return fmt.Errorf("reading stock: %w", err)
	}
	buying := h.src.Buying()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return errClosed
	}
	if frames, ok := h.since(since); ok && len(frames) < cap(c.send) {
		if len(frames) == 0 {
			// Nothing was missed: say so, so the client knows it is live.
			data, err := json.Marshal(h.caughtUp(buying))
			if err != nil {
				return err
			}
			c.send <- data
		}
		for _, f := range frames {
			c.send <- f.data
		}
		h.metrics.resumes.Inc()
	} else {
		data, err := json.Marshal(h.snapshot(inv, buying))
		if err != nil {
			return err
		}
		c.send <- data
		h.metrics.snapshots.Inc()
	}
	h.clients[c] = struct{}{}
	h.metrics.clients.Set(float64(len(h.clients)))
	return nil
}

// since returns the frames after cursor, if the history still holds them.
func (h *Hub) since(cursor string) ([]frame, bool) {
	seq, ok := h.parseCursor(cursor)
	if !ok || seq > h.seq {
		return nil, false
	}
	if seq == h.seq {
		return nil, true
	}
	if len(h.ring) == 0 || h.ring[0].seq > seq+1 {
		return nil, false // frames after the cursor were forgotten
	}
	i := int(seq + 1 - h.ring[0].seq)
	return h.ring[i:], true
}

// caughtUp is an events frame with no changes: the current cursor and counts.
func (h *Hub) caughtUp(buying []string) message {
	return message{
		Type: "events", Cursor: h.cursor(h.seq), At: time.Now().UTC(), Counts: h.proj.counts(),
		Orders: []orderView{}, Stock: []stockView{}, Buying: nonNil(buying), Purchases: []purchaseView{}, DeadLetters: []deadLetterView{},
	}
}

func (h *Hub) snapshot(inv warehouse.Inventory, buying []string) message {
	m := message{
		Type: "snapshot", Cursor: h.cursor(h.seq), At: time.Now().UTC(), Counts: h.proj.counts(),
		Orders: h.proj.activeOrders(), Buying: nonNil(buying),
		Purchases: newestFirst(h.proj.purchases), DeadLetters: newestFirst(h.proj.deadLetter),
	}
	for _, l := range inv.Ingredients {
		initial, bought, consumed := l.Initial, l.Bought, l.Consumed
		m.Stock = append(m.Stock, stockView{Ingredient: l.Ingredient, OnHand: l.OnHand(), Initial: &initial, Bought: &bought, Consumed: &consumed})
	}
	return m
}

func (h *Hub) unregister(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.metrics.clients.Set(float64(len(h.clients)))
	h.mu.Unlock()
}

func (h *Hub) drop(c *client, why string) {
	h.unregister(c)
	h.metrics.dropped.Inc()
	c.close(closeTryAgainLater, why)
}

func (h *Hub) closeAll() {
	h.mu.Lock()
	h.closed = true
	clients := h.clients
	h.clients = map[*client]struct{}{}
	h.metrics.clients.Set(0)
	h.mu.Unlock()
	for c := range clients {
		c.close(closeGoingAway, "server shutting down")
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
