package stream

import (
	"sync"
)

// entryKey names one entry of one stream.
type entryKey struct{ stream, id string }

// holding is what the consumer knows of an entry it holds: read or claimed,
// not yet acknowledged.
type holding struct {
	deliveries int64
	// parts counts its events not yet handled or dead-lettered: the entry
	// is acknowledged when the last one is.
	parts   int
	lastErr string
	// lost: another consumer took the entry over; it is not worked on any
	// further here.
	lost bool
	// acking: its acknowledgement is on its way to Redis.
	acking bool
}

// heldSet is every entry a consumer holds, from the moment it is read until
// its acknowledgement reached Redis. The refresher keeps them from looking
// idle, and the reclaimer never claims them.
type heldSet struct {
	mu sync.Mutex
	m  map[entryKey]*holding
}

func newHeldSet() *heldSet { return &heldSet{m: map[entryKey]*holding{}} }

func (h *heldSet) add(stream, id string, deliveries int64, parts int) {
	h.mu.Lock()
	h.m[entryKey{stream, id}] = &holding{deliveries: deliveries, parts: parts}
	h.mu.Unlock()
}

// partDone counts one event of the entry as handled and reports whether it
// was the last: then the entry is to be acknowledged.
func (h *heldSet) partDone(stream, id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.m[entryKey{stream, id}]
	if !ok {
		return false
	}
	e.parts--
	return e.parts == 0
}

// parts returns how many events of the entry are still to be handled.
func (h *heldSet) parts(stream, id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e, ok := h.m[entryKey{stream, id}]; ok {
		return e.parts
	}
	return 0
}

func (h *heldSet) remove(stream string, ids ...string) {
	h.mu.Lock()
	for _, id := range ids {
		delete(h.m, entryKey{stream, id})
	}
	h.mu.Unlock()
}

// lost reports whether another consumer took the entry over (or it is not
// held at all).
func (h *heldSet) lost(stream, id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.m[entryKey{stream, id}]
	return !ok || e.lost
}

// markLost marks entries another consumer owns now, and returns how many of
// them were still being worked on here (not on their way to acknowledgement,
// which may well have landed while Redis was asked).
func (h *heldSet) markLost(stream string, ids []string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, id := range ids {
		if e, ok := h.m[entryKey{stream, id}]; ok && !e.acking {
			e.lost = true
			n++
		}
	}
	return n
}

// acking notes that the entry's acknowledgement was queued.
func (h *heldSet) acking(stream, id string) {
	h.mu.Lock()
	if e, ok := h.m[entryKey{stream, id}]; ok {
		e.acking = true
	}
	h.mu.Unlock()
}

func (h *heldSet) setLastErr(stream, id, msg string) {
	h.mu.Lock()
	if e, ok := h.m[entryKey{stream, id}]; ok {
		e.lastErr = msg
	}
	h.mu.Unlock()
}

func (h *heldSet) lastErr(stream, id string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e, ok := h.m[entryKey{stream, id}]; ok {
		return e.lastErr
	}
	return ""
}

func (h *heldSet) setDeliveries(stream, id string, n int64) {
	h.mu.Lock()
	if e, ok := h.m[entryKey{stream, id}]; ok {
		e.deliveries = n
	}
	h.mu.Unlock()
}

// heldEntry is an id held and the deliveries it has had.
type heldEntry struct {
	id         string
	deliveries int64
}

// entries returns what is held of stream and still this consumer's.
func (h *heldSet) entries(stream string) []heldEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []heldEntry
	for k, e := range h.m {
		if k.stream == stream && !e.lost {
			out = append(out, heldEntry{id: k.id, deliveries: e.deliveries})
		}
	}
	return out
}

func (h *heldSet) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.m)
}
