package streamlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Options configure a Log.
type Options struct {
	// Path is the log file; it is created 0600.
	Path string
	// Interval is the time between rounds when nobody asks for one
	// (default 50ms).
	Interval time.Duration
	// GroupInterval is the least time between two reads of the groups'
	// resume points (default 50ms); rounds in between log entries only.
	GroupInterval time.Duration
	// CompactAbove and CompactRatio: the log is rewritten once it is larger
	// than CompactAbove and than CompactRatio times the live state
	// (defaults 64 MiB and 4).
	CompactAbove int64
	CompactRatio int64
	// RoundTimeout bounds one round (default 30s).
	RoundTimeout time.Duration
	Logger       *slog.Logger
}

func (o *Options) defaults() {
	if o.Interval <= 0 {
		o.Interval = 50 * time.Millisecond
	}
	if o.GroupInterval <= 0 {
		o.GroupInterval = 50 * time.Millisecond
	}
	if o.CompactAbove <= 0 {
		o.CompactAbove = 64 << 20
	}
	if o.CompactRatio <= 0 {
		o.CompactRatio = 4
	}
	if o.RoundTimeout <= 0 {
		o.RoundTimeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// slowRound is when a round is worth a warning: relays give WAIT about a
// second.
const slowRound = 500 * time.Millisecond

// ErrClosed is returned by Sync once the log is closed.
var ErrClosed = errors.New("stream log closed")

// Log keeps the streams of one Redis in a file, round after round, from
// Open to Close.
type Log struct {
	opt Options
	rdb *redis.Client

	// Owned by the round loop (and by Open before it starts).
	file   *logFile
	m      *model
	broken bool // the file may not match the model: rewrite it whole
	carry  map[string]ID
	// groupsDue is when a round reads the groups next. XINFO GROUPS holds
	// the in-process Redis for time in proportion to the pending entries,
	// so rounds asked for by WAIT (which vouches for entries only) read
	// them at most once a GroupInterval, and never more than a tenth of the
	// time.
	groupsDue time.Time

	mu         sync.Mutex
	requested  uint64 // rounds asked for
	wantGroups bool   // a round asked for must read the groups
	completed  uint64 // the requests the last finished round covered
	lastErr    error
	roundDone  chan struct{} // closed when a round finishes
	closed     bool

	fileSize, liveSize int64 // as of the last round

	kick     chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
	stopped  chan struct{}
	final    error

	tx txPeers
}

// Open reads the log at opt.Path, restores it into the Redis at addr (which
// must hold none of its streams), rewrites the log compacted from what Redis
// now holds, and keeps it up to date until Close. It returns what it
// restored.
func Open(ctx context.Context, addr string, opt Options) (*Log, *State, error) {
	opt.defaults()
	st, err := ReadFile(opt.Path)
	if err != nil {
		return nil, nil, err
	}
	rdb := redis.NewClient(&redis.Options{
		Addr: addr, Protocol: 2, PoolSize: 2, MaxRetries: -1,
		// The log's own connections must not wait behind the services'.
		ReadTimeout: opt.RoundTimeout, WriteTimeout: opt.RoundTimeout,
	})
	if err := Restore(ctx, rdb, st); err != nil {
		_ = rdb.Close()
		return nil, nil, fmt.Errorf("restoring %s: %w", opt.Path, err)
	}
	l := &Log{
		opt: opt, rdb: rdb, m: newModel(), carry: map[string]ID{},
		roundDone: make(chan struct{}), kick: make(chan struct{}, 1),
		stop: make(chan struct{}), stopped: make(chan struct{}),
	}
	for name, s := range st.Streams {
		l.carry[name] = s.Last
	}
	rctx, cancel := context.WithTimeout(ctx, opt.RoundTimeout)
	defer cancel()
	if err := l.compact(rctx); err != nil {
		_ = rdb.Close()
		return nil, nil, err
	}
	l.carry = nil
	l.fileSize, l.liveSize = l.file.size, l.m.liveBytes()
	go l.loop()
	return l, st, nil
}

// Sync runs a round that starts after the call and returns once it is on
// disk (or failed). Concurrent calls share rounds.
func (l *Log) Sync(ctx context.Context) error { return l.sync(ctx, true) }

// sync is Sync; without groups, the round it waits for may log entries only
// (what WAIT vouches for).
func (l *Log) sync(ctx context.Context, groups bool) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.requested++
	want := l.requested
	if groups {
		l.wantGroups = true
	}
	l.mu.Unlock()
	select {
	case l.kick <- struct{}{}:
	default:
	}
	for {
		l.mu.Lock()
		if l.completed >= want {
			err := l.lastErr
			l.mu.Unlock()
			return err
		}
		if l.closed {
			l.mu.Unlock()
			return ErrClosed
		}
		done := l.roundDone
		l.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("waiting for the stream log: %w", ctx.Err())
		}
	}
}

// Size is the log file's size in bytes and the part of it that is live, as
// of the last round.
func (l *Log) Size() (file, live int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fileSize, l.liveSize
}

// Close runs a last round, so that a clean stop logs everything, and closes
// the file. Call it before the Redis stops.
func (l *Log) Close() error {
	l.stopOnce.Do(func() { close(l.stop) })
	<-l.stopped
	return l.final
}

func (l *Log) loop() {
	defer close(l.stopped)
	t := time.NewTicker(l.opt.Interval)
	defer t.Stop()
	var failing error
	for {
		select {
		case <-l.stop:
			l.mu.Lock()
			l.wantGroups = true // the last round logs everything
			l.mu.Unlock()
			l.final = l.runRound()
			l.mu.Lock()
			l.closed = true
			close(l.roundDone)
			l.mu.Unlock()
			err := errors.Join(l.final, l.file.close(), l.rdb.Close())
			l.final = err
			return
		case <-t.C:
		case <-l.kick:
		}
		err := l.runRound()
		switch {
		case err != nil && failing == nil:
			l.opt.Logger.Error("logging streams; retrying every round", "file", l.opt.Path, "err", err)
		case err == nil && failing != nil:
			l.opt.Logger.Info("logging streams again", "file", l.opt.Path)
		}
		failing = err
	}
}

// runRound runs one round and tells the waiters it covered.
func (l *Log) runRound() error {
	l.mu.Lock()
	covers := l.requested
	if l.wantGroups {
		l.groupsDue, l.wantGroups = time.Time{}, false
	}
	l.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), l.opt.RoundTimeout)
	began := time.Now()
	steps, err := l.round(ctx)
	cancel()
	if took := time.Since(began); took > slowRound {
		l.opt.Logger.Warn("logging streams is slow; relays waiting for it may time out and retry",
			append([]any{"took", took.Round(time.Millisecond), "file", l.opt.Path}, steps...)...)
	}
	l.mu.Lock()
	l.completed, l.lastErr = covers, err
	l.fileSize, l.liveSize = l.file.size, l.m.liveBytes()
	close(l.roundDone)
	l.roundDone = make(chan struct{})
	l.mu.Unlock()
	return err
}

// round runs one round and returns what its steps cost.
func (l *Log) round(ctx context.Context) ([]any, error) {
	if l.broken {
		return []any{"compacted", true}, l.compact(ctx)
	}
	r := &reader{rdb: l.rdb, m: l.m, groupsTook: l.groupsTook}
	if err := r.run(ctx, l.groupsTurn()); err != nil {
		// The model may now be ahead of the file.
		l.broken = true
		return r.took, err
	}
	if len(r.buf) > 0 {
		began := time.Now()
		if err := l.file.append(r.buf); err != nil {
			l.broken = true
			return r.took, err
		}
		r.step("write", began)
	}
	if file, live := l.file.size, l.m.liveBytes(); file > l.opt.CompactAbove && file > l.opt.CompactRatio*live {
		return append(r.took, "compacted", true), l.compact(ctx)
	}
	return r.took, nil
}

// groupsTurn reports whether this round reads the groups.
func (l *Log) groupsTurn() bool {
	now := time.Now()
	if now.Before(l.groupsDue) {
		return false
	}
	l.groupsDue = now.Add(l.opt.GroupInterval)
	return true
}

// groupsTook spaces group reads by ten times what the last one cost.
func (l *Log) groupsTook(d time.Duration) {
	if due := time.Now().Add(10 * d); due.After(l.groupsDue) {
		l.groupsDue = due
	}
}

// compact writes a fresh log of what Redis holds and puts it in place of
// the old one.
func (l *Log) compact(ctx context.Context) error {
	carry := l.carry
	if carry == nil {
		carry = make(map[string]ID, len(l.m.streams))
		for name, s := range l.m.streams {
			carry[name] = s.last
		}
	}
	r := &reader{rdb: l.rdb, m: newModel(), carry: carry, groupsTook: l.groupsTook}
	if err := r.run(ctx, true); err != nil {
		return fmt.Errorf("compacting %s: %w", l.opt.Path, err)
	}
	f, err := createFile(l.opt.Path, r.buf)
	if err != nil {
		return fmt.Errorf("compacting: %w", err)
	}
	old := l.file
	l.file, l.m, l.broken = f, r.m, false
	if err := old.close(); err != nil {
		l.opt.Logger.Warn("closing the old stream log", "err", err)
	}
	return nil
}
