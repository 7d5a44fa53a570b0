package deadletters

import (
	"context"
	"fmt"
	"regexp"
	"slices"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/fault"
	"github.com/comanda-dev/comanda/internal/invalid"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// Done is a dead letter whose message is back on its stream.
type Done struct {
	stream.DeadLetter
	// Reopened says its order's failure was cleared now. When not, the order
	// had not failed (or failed again, by another dead letter), or the store
	// did not answer: the order moves on when its message is handled.
	Reopened bool
}

// Refused is a dead letter that was not replayed; Err says why.
type Refused struct {
	ID  string
	Err error
}

// Result reports a bulk replay.
type Result struct {
	Replayed    []Done
	NotReplayed []Refused
	// More says that the group may have more dead letters than one request
	// replays.
	More bool
}

var entryID = regexp.MustCompile(`^\d{1,20}-\d{1,20}$`)

// groups are the consumer groups whose dead letters may be replayed by
// group.
var groups = []string{events.GroupOrders, events.GroupKitchen, events.GroupInventory}

// One replays one dead letter: stream.ErrNoSuchEntry when there is none,
// stream.ErrUnreplayable, or the fault of Redis, with the order untouched.
func (s *Service) One(ctx context.Context, id string) (Done, error) {
	if !entryID.MatchString(id) {
		return Done{}, stream.ErrNoSuchEntry
	}
	res, err := s.replay(ctx, []string{id})
	if err != nil {
		return Done{}, err
	}
	if len(res.NotReplayed) > 0 {
		return Done{}, res.NotReplayed[0].Err
	}
	return res.Replayed[0], nil
}

// IDs replays the dead letters with the given ids (at most MaxIDs).
func (s *Service) IDs(ctx context.Context, ids []string) (Result, error) {
	if len(ids) == 0 {
		return Result{}, &invalid.Error{Field: "ids", Message: "must name at least one dead letter"}
	}
	if len(ids) > MaxIDs {
		return Result{}, &invalid.Error{Field: "ids", Message: fmt.Sprintf("may name at most %d dead letters a request", MaxIDs)}
	}
	for _, id := range ids {
		if !entryID.MatchString(id) {
			return Result{}, &invalid.Error{Field: "ids", Message: fmt.Sprintf("%.40q is not a dead letter id", id)}
		}
	}
	seen := map[string]bool{}
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool {
		dup := seen[id]
		seen[id] = true
		return dup
	})
	return s.replay(ctx, ids)
}

// Group replays the oldest dead letters (at most MaxIDs) that a consumer
// group gave up on.
func (s *Service) Group(ctx context.Context, group string) (Result, error) {
	if !slices.Contains(groups, group) {
		return Result{}, &invalid.Error{Field: "group", Message: fmt.Sprintf("must be one of %v", groups)}
	}
	dls, more, err := s.queue.OfGroup(ctx, group, MaxIDs)
	if err != nil {
		return Result{}, fmt.Errorf("finding the dead letters of %s: %w", group, err)
	}
	ids := make([]string, len(dls))
	for i, d := range dls {
		ids[i] = d.ID
	}
	res, err := s.replay(ctx, ids)
	res.More = more
	return res, err
}

// replay republishes, then reopens the orders of what was republished. When
// Redis failed every replay it returns its fault, so that the client hears
// "try again" rather than a report of nothing done.
func (s *Service) replay(ctx context.Context, ids []string) (Result, error) {
	res := Result{Replayed: []Done{}, NotReplayed: []Refused{}}
	if len(ids) == 0 {
		return res, nil
	}
	outcomes, err := s.queue.ReplayAll(ctx, ids)
	if err != nil {
		return Result{}, fmt.Errorf("replaying %d dead letters: %w", len(ids), err)
	}
	var unavailable error
	reopen := make([]order.Reopening, 0, len(outcomes))
	for _, o := range outcomes {
		if o.Err != nil {
			res.NotReplayed = append(res.NotReplayed, Refused{ID: o.ID, Err: o.Err})
			if fault.IsUnavailable(o.Err) {
				unavailable = o.Err
			}
			continue
		}
		res.Replayed = append(res.Replayed, Done{DeadLetter: o.DeadLetter})
		reopen = append(reopen, order.Reopening{OrderID: o.DeadLetter.OrderID, FailedBy: o.DeadLetter.EventID, Reason: "replayed dead letter " + o.ID})
	}
	if len(res.Replayed) == 0 && unavailable != nil {
		return Result{}, unavailable
	}
	if len(reopen) == 0 {
		return res, nil
	}
	reopened, err := s.orders.Reopen(ctx, reopen)
	if err != nil {
		// The messages are back: their orders move on when they are
		// handled, reopened or not.
		s.log.Warn("reopening the orders of replayed dead letters", "deadLetters", len(reopen), "err", err)
		return res, nil
	}
	for i := range res.Replayed {
		res.Replayed[i].Reopened = reopened[res.Replayed[i].OrderID]
	}
	return res, nil
}
