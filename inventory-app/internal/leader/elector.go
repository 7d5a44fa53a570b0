package leader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/retry"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Store keeps the lease (warehouse.Store does).
type Store interface {
	AcquireLease(ctx context.Context, holder string, ttl time.Duration) (warehouse.Lease, error)
	RenewLease(ctx context.Context, holder string, tok warehouse.Token, ttl time.Duration) error
	ReleaseLease(ctx context.Context, holder string, tok warehouse.Token) error
}

// Options configure an Elector.
type Options struct {
	// Holder names this replica in the lease (default host and random
	// suffix: a restarted process is a new holder).
	Holder string
	// TTL is how long a lease lasts unless renewed; a standby takes over at
	// most TTL + PollEvery after the leader died.
	TTL time.Duration
	// RenewEvery is how often the leader renews; at most TTL/3, so that
	// two renewals may fail before the term must end.
	RenewEvery time.Duration
	// PollEvery is how often a standby asks for the lease.
	PollEvery time.Duration
	Logger    *slog.Logger
}

// Validate refuses settings under which a lease could lapse between two
// renewals, or a standby would never ask.
func (o Options) Validate() error {
	var errs []error
	if o.TTL < 500*time.Millisecond {
		errs = append(errs, fmt.Errorf("the lease (%s) must last at least 500ms", o.TTL))
	}
	if o.RenewEvery <= 0 || o.RenewEvery*3 > o.TTL {
		errs = append(errs, fmt.Errorf("renewing every %s leaves no room for a failed renewal within a lease of %s: renew at most every TTL/3", o.RenewEvery, o.TTL))
	}
	if o.PollEvery <= 0 || o.PollEvery > o.TTL {
		errs = append(errs, fmt.Errorf("a standby must ask for the lease at least once a lease (%s), not every %s", o.TTL, o.PollEvery))
	}
	return errors.Join(errs...)
}

// Elector campaigns for the lease and runs a term while it holds it.
type Elector struct {
	store Store
	opt   Options
	log   *slog.Logger

	mu   sync.Mutex
	term *term
}

// term is one leadership: its token and how to end it.
type term struct {
	tok warehouse.Token
	end context.CancelCauseFunc
}

var errFencedTerm = errors.New("the store refused a write: a newer leader exists")

// New checks opt and returns an elector over store.
func New(store Store, opt Options) (*Elector, error) {
	if err := opt.Validate(); err != nil {
		return nil, fmt.Errorf("leader election: %w", err)
	}
	if opt.Holder == "" {
		opt.Holder = defaultHolder()
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Elector{store: store, opt: opt, log: opt.Logger.With("holder", opt.Holder)}, nil
}

// Holder names this replica in the lease.
func (e *Elector) Holder() string { return e.opt.Holder }

// Leading reports whether this replica leads, and under which token.
func (e *Elector) Leading() (warehouse.Token, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.term == nil {
		return 0, false
	}
	return e.term.tok, true
}

// Role is "leader" or "standby", for /ready.
func (e *Elector) Role() string {
	if _, ok := e.Leading(); ok {
		return "leader"
	}
	return "standby"
}

// Fenced ends term tok at once: the store refused one of its writes.
func (e *Elector) Fenced(tok warehouse.Token) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.term != nil && e.term.tok == tok {
		e.term.end(errFencedTerm)
	}
}

// Run campaigns until ctx ends. Each time it wins it calls lead with a
// context that ends with the term, and waits for lead to return before it
// campaigns again, so that two terms never overlap in this process; lead
// must stop everything it started before it returns. A lead that returns by
// itself (a part failed) gives the lease up for another replica to try.
//
// When ctx ends during a term, Run ends the term, waits for lead and
// returns still holding the lease, so that what the caller stops afterwards
// (the outbox relay's last publish) still writes under it; Release gives it
// up.
func (e *Elector) Run(ctx context.Context, lead func(ctx context.Context, tok warehouse.Token) error) error {
	for {
		tok, stopAt, ok := e.campaign(ctx)
		if !ok {
			return nil
		}
		e.serve(ctx, tok, stopAt, lead)
		if ctx.Err() != nil {
			return nil
		}
		if !retry.Sleep(ctx, e.opt.PollEvery) {
			return nil
		}
	}
}

// campaign asks for the lease every PollEvery until it wins or ctx ends. It
// returns when the term must end unless renewed: a renewal's interval before
// the lease expires, measured from before the request that won it, so that
// the term ends while the lease still holds whatever the clocks say.
func (e *Elector) campaign(ctx context.Context) (warehouse.Token, time.Time, bool) {
	failures := 0
	for {
		sent := time.Now()
		actx, cancel := context.WithTimeout(ctx, e.opt.TTL)
		l, err := e.store.AcquireLease(actx, e.opt.Holder, e.opt.TTL)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			failures++
			if failures == 1 || failures%30 == 0 {
				e.log.Warn("asking for the warehouse lease; asking again", "err", err, "failures", failures)
			}
		case err == nil && l.HeldBy(e.opt.Holder):
			e.log.Info("leading the warehouse", "token", l.Token)
			return l.Token, e.stopAt(sent), true
		default:
			failures = 0
		}
		if !retry.Sleep(ctx, e.opt.PollEvery) {
			return 0, time.Time{}, false
		}
	}
}

func (e *Elector) stopAt(sent time.Time) time.Time { return sent.Add(e.opt.TTL - e.opt.RenewEvery) }

// serve runs lead for the term tok and renews the lease until the term ends.
func (e *Elector) serve(ctx context.Context, tok warehouse.Token, stopAt time.Time, lead func(context.Context, warehouse.Token) error) {
	termCtx, end := context.WithCancelCause(ctx)
	defer end(nil)
	e.mu.Lock()
	e.term = &term{tok: tok, end: end}
	e.mu.Unlock()
	done := make(chan error, 1)
	go func() { done <- lead(termCtx, tok) }()

	renew := time.NewTicker(e.opt.RenewEvery)
	defer renew.Stop()
	expiry := time.NewTimer(time.Until(stopAt))
	defer expiry.Stop()
	var why error
	for why == nil {
		select {
		case <-termCtx.Done():
			why = context.Cause(termCtx)
		case err := <-done:
			done <- err
			why = fmt.Errorf("a part of the term stopped: %w", err)
			if err == nil {
				why = errors.New("the term's parts stopped")
			}
		case <-expiry.C:
			why = errors.New("the lease could not be renewed in time")
		case <-renew.C:
			sent := time.Now()
			rctx, cancel := context.WithTimeout(termCtx, time.Until(stopAt))
			err := e.store.RenewLease(rctx, e.opt.Holder, tok, e.opt.TTL)
			cancel()
			switch {
			case err == nil:
				stopAt = e.stopAt(sent)
				expiry.Reset(time.Until(stopAt))
			case errors.Is(err, warehouse.ErrFenced):
				why = err
			case termCtx.Err() == nil:
				e.log.Warn("renewing the warehouse lease; trying again", "token", tok, "err", err, "left", time.Until(stopAt).Round(time.Millisecond))
			}
		}
	}
	shutdown := ctx.Err() != nil
	if !shutdown {
		// Lost: nothing may claim the lead from here on, while the parts
		// stop.
		e.log.Warn("the warehouse term ends; standing by", "token", tok, "why", why)
		e.clear(tok)
	}
	end(why)
	if err := <-done; err != nil && !shutdown {
		e.log.Warn("the warehouse term's parts stopped", "token", tok, "err", err)
	}
	if !shutdown {
		// Let another replica try (the lease may still be ours if a part
		// failed by itself).
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opt.RenewEvery)
		_ = e.store.ReleaseLease(rctx, e.opt.Holder, tok)
		cancel()
	}
}

// Release gives up the lease Run kept at shutdown.
func (e *Elector) Release(ctx context.Context) error {
	e.mu.Lock()
	t := e.term
	e.term = nil
	e.mu.Unlock()
	if t == nil {
		return nil
	}
	if err := e.store.ReleaseLease(ctx, e.opt.Holder, t.tok); err != nil {
		return err
	}
	e.log.Info("released the warehouse lease", "token", t.tok)
	return nil
}

func (e *Elector) clear(tok warehouse.Token) {
	e.mu.Lock()
	if e.term != nil && e.term.tok == tok {
		e.term = nil
	}
	e.mu.Unlock()
}

func defaultHolder() string { return config.InstanceName("inventory") }
