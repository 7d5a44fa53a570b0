package streamlog

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"
)

// maxWait bounds a WAIT without a timeout (WAIT n 0): a round that cannot
// finish by then answers 0 replicas, which the caller treats as "not yet
// durable" and retries, rather than hanging a connection for ever.
const maxWait = 30 * time.Second

// Attach makes the log the replica of the in-process Redis m: from now on
// WAIT runs a round and answers 1 once everything written before it is
// fsynced in the log (0 if that failed or took longer than WAIT's
// timeout). Every other command goes through untouched.
//
// miniredis runs the hook on the connection's own goroutine before it takes
// its lock (server.Dispatch), so a round, which reads over the log's own
// connections, can proceed while the WAIT waits. Two cases are left to
// miniredis: WAIT queued inside MULTI (its writes have not happened yet; as
// in Redis, WAIT belongs after EXEC), and WAIT with arguments miniredis
// refuses. A WAIT from a Lua script (which Redis forbids) would hold
// miniredis's lock while the round needs it: it ends after its timeout with 0.
//
// m has one pre-hook: (*miniredis.Miniredis).SetError replaces this one.
func (l *Log) Attach(m *miniredis.Miniredis) {
	m.Server().SetPreHook(l.hook)
}

func (l *Log) hook(c *server.Peer, cmd string, args ...string) bool {
	switch cmd {
	case "WAIT":
	case "MULTI":
		l.tx.set(c, true)
		return false
	case "EXEC", "DISCARD":
		l.tx.set(c, false)
		return false
	default:
		return false
	}
	if len(args) != 2 || l.tx.in(c) {
		return false
	}
	replicas, err := strconv.Atoi(args[0])
	if err != nil || replicas < 0 {
		return false
	}
	ms, err := strconv.Atoi(args[1])
	if err != nil || ms < 0 {
		return false
	}
	wait := time.Duration(ms) * time.Millisecond
	if ms == 0 || wait > maxWait {
		wait = maxWait
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := l.sync(ctx, false); err != nil {
		c.WriteInt(0)
		return true
	}
	c.WriteInt(1)
	return true
}

// txPeers tracks which connections are inside MULTI, which miniredis keeps
// to itself.
type txPeers struct {
	mu    sync.Mutex
	peers map[*server.Peer]bool
}

func (t *txPeers) set(c *server.Peer, on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.peers == nil {
		t.peers = map[*server.Peer]bool{}
	}
	if _, known := t.peers[c]; !known {
		if !on {
			return
		}
		// The hook runs on the connection's goroutine, which also runs
		// the disconnect callbacks: registering here is safe.
		c.OnDisconnect(func() {
			t.mu.Lock()
			delete(t.peers, c)
			t.mu.Unlock()
		})
	}
	t.peers[c] = on
}

func (t *txPeers) in(c *server.Peer) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.peers[c]
}
