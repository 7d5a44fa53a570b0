package kitchen

import (
	"context"
	"fmt"
	"strings"

	"github.com/comanda-dev/comanda/internal/invalid"
)

var stageNames = func() string {
	names := make([]string, len(Stages))
	for i, s := range Stages {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}()

// MaxList is the most tickets List returns at once.
const MaxList = 1000

// Get returns the ticket of an order.
func (s *Service) Get(ctx context.Context, orderID string) (Ticket, error) {
	if !validOrderID(orderID) {
		return Ticket{}, ErrNotFound
	}
	return s.store.Get(ctx, orderID)
}

// List returns tickets oldest first: those in the given stage, or, when
// stage is empty, those in progress. limit 0 means 100.
func (s *Service) List(ctx context.Context, stage Stage, limit int) ([]Ticket, error) {
	q := Query{Stages: InProgress, Limit: limit}
	if stage != "" {
		if !stage.Valid() {
			return nil, &invalid.Error{Field: "status", Message: fmt.Sprintf("must be one of %s; got %q", stageNames, stage)}
		}
		q.Stages = []Stage{stage}
	}
	if q.Limit == 0 {
		q.Limit = 100
	}
	if q.Limit < 1 || q.Limit > MaxList {
		return nil, &invalid.Error{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", MaxList)}
	}
	tickets, err := s.store.List(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("listing tickets: %w", err)
	}
	return tickets, nil
}

// Stats counts tickets by stage.
type Stats struct {
	Total   int
	ByStage map[Stage]int
}

// Stats returns how many tickets are in each stage; every stage is present.
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	counts, err := s.store.Counts(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("counting tickets: %w", err)
	}
	st := Stats{ByStage: make(map[Stage]int, len(Stages))}
	for _, stage := range Stages {
		st.ByStage[stage] = counts[stage]
		st.Total += counts[stage]
	}
	return st, nil
}
