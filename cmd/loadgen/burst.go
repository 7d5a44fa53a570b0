package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/comanda-dev/comanda/internal/loadreport"
	"golang.org/x/sync/errgroup"
)

// burst places the orders, waits for them and measures; prog follows it as
// it runs and, with o.progressTo set, prints a line a second there.
func burst(ctx context.Context, c *client, o options, prog *progress) (report, error) {
	before, err := c.stats(ctx)
	if err != nil {
		return report{}, fmt.Errorf("reading order counters: %w", err)
	}
	invBefore, err := c.inventoryLevels(ctx)
	if err != nil {
		return report{}, fmt.Errorf("reading inventory: %w", err)
	}
	mBefore, err := c.market(ctx)
	if err != nil {
		return report{}, fmt.Errorf("reading market counters: %w", err)
	}

	start := time.Now()
	prog.begin(start)
	if o.progressTo != nil {
		stop, printed := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(printed)
			prog.print(o.progressTo, time.Second, stop)
		}()
		defer func() { close(stop); <-printed }()
	}
	var mu sync.Mutex
	var batches []string
	var placedIn time.Duration
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.concurrency)
	placing := make(chan error, 1)
	go func() {
		for range o.requests {
			g.Go(func() error {
				p, err := c.place(gctx, o.dishes)
				if err != nil {
					return fmt.Errorf("placing orders: %w", err)
				}
				prog.placedOrders(p.OrderIDs, p.PlacedAt)
				mu.Lock()
				batches = append(batches, p.BatchID)
				mu.Unlock()
				return nil
			})
		}
		err := g.Wait()
		placedIn = time.Since(start)
		placing <- err
	}()

	// The counters are read while the placements go too, so that the
	// progress line moves during a long placement.
	want := o.requests * o.dishes
	placed := false
	for {
		after, err := c.stats(ctx)
		if err != nil {
			return report{}, fmt.Errorf("reading order counters: %w", err)
		}
		delivered := after.ByStatus["delivered"] - before.ByStatus["delivered"]
		done := delivered + after.ByStatus["failed"] - before.ByStatus["failed"]
		prog.counted(done, delivered)
		if placed && done >= want {
			break
		}
		select {
		case err := <-placing:
			if err != nil {
				return report{}, err
			}
			placed = true
			continue
		case <-ctx.Done():
			return report{}, fmt.Errorf("%d of %d dishes done when time ran out: %w", done, want, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	makespan := time.Since(start)

	var latencies []time.Duration
	var all []orderTimes
	failed := 0
	for _, b := range batches {
		orders, err := c.batch(ctx, b)
		if err != nil {
			return report{}, fmt.Errorf("reading batch %s: %w", b, err)
		}
		all = append(all, orders...)
		for _, ot := range orders {
			if ot.DeliveredAt == nil {
				failed++
				continue
			}
			latencies = append(latencies, ot.DeliveredAt.Sub(ot.PlacedAt))
		}
	}
	slices.Sort(latencies)

	invAfter, err := c.inventoryLevels(ctx)
	if err != nil {
		return report{}, fmt.Errorf("reading inventory: %w", err)
	}
	mAfter, err := c.market(ctx)
	if err != nil {
		return report{}, fmt.Errorf("reading market counters: %w", err)
	}
	rep := report{
		Requests: o.requests, DishesPerRequest: o.dishes,
		Summary: loadreport.Summary{
			Dishes: want, Delivered: len(latencies), Failed: failed,
			PlaceSeconds: placedIn.Seconds(), MakespanSeconds: makespan.Seconds(),
			DishesPerSecond: float64(len(latencies)) / makespan.Seconds(),
			P50:             pct(latencies, 50), P95: pct(latencies, 95), P99: pct(latencies, 99), Max: pct(latencies, 100),
			MarketCalls: mAfter.Calls - mBefore.Calls, MarketZeros: mAfter.Zeros - mBefore.Zeros,
			MarketErrors: mAfter.Errors - mBefore.Errors + mAfter.Timeouts - mBefore.Timeouts,
			Balanced:     true,
		},
		Timeline: timeline(start, all),
	}
	for name, a := range invAfter {
		b := invBefore[name]
		consumed := a.Consumed - b.Consumed
		rep.UnitsConsumed += consumed
		rep.UnitsBought += a.Bought - b.Bought
		rep.UnitsNeeded += max(0, consumed-b.OnHand)
		if a.OnHand != a.Initial+a.Bought-a.Consumed || a.OnHand < 0 {
			rep.Balanced = false
		}
	}
	return rep, nil
}

// pct returns the p-th percentile (nearest rank) of sorted durations.
func pct(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	i = min(max(i-1, 0), len(sorted)-1)
	return sorted[i].Seconds()
}
