package feed

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
)

const (
	keepPurchases   = 100
	keepDeadLetters = 50
)

// order is the projection of one order.
type order struct {
	stage  events.Stage // progress: placed … delivered
	failed string       // reason, while failed
	// failedAt is the stage the order had when it failed: a replayed
	// message that moves it past that stage clears the failure.
	failedAt events.Stage
	recipe   string
	since    time.Time
	placedAt time.Time
	missing  []events.Item
}

func (o *order) status() events.Stage {
	if o.stage != events.StageDelivered && o.failed != "" {
		return events.StageFailed
	}
	return o.stage
}

func (o *order) active() bool {
	s := o.status()
	return s != events.StageDelivered && s != events.StageFailed
}

// projection is what the feed knows, built from the streams alone. It is not
// safe for concurrent use: the hub guards it.
type projection struct {
	orders     map[string]*order // every order the retained streams mention
	active     map[string]*order
	delivered  int
	failed     int
	purchases  []purchaseView // newest last
	deadLetter []deadLetterView
	stock      map[string]stockView

	// known are the counts orders-app keeps, when it has said them: they
	// win over what the projection counted of the retained streams.
	known *counts

	// delta collects what changed since the last frame.
	delta delta
}

type delta struct {
	orders      map[string]orderView
	stock       map[string]stockView
	purchases   []purchaseView
	deadLetters []deadLetterView
}

func (d *delta) empty() bool {
	return len(d.orders) == 0 && len(d.stock) == 0 && len(d.purchases) == 0 && len(d.deadLetters) == 0
}

func newProjection() *projection {
	p := &projection{orders: map[string]*order{}, active: map[string]*order{}, stock: map[string]stockView{}}
	p.resetDelta()
	return p
}

func (p *projection) resetDelta() {
	p.delta = delta{orders: map[string]orderView{}, stock: map[string]stockView{}}
}

func (p *projection) counts() counts {
	if p.known != nil {
		return *p.known
	}
	return counts{Placed: len(p.orders), InProgress: len(p.active), Delivered: p.delivered, Failed: p.failed}
}

// entryMillis is when an entry entered Redis: the first part of its id.
func entryMillis(id string) int64 {
	ms, _, _ := strings.Cut(id, "-")
	n, _ := strconv.ParseInt(ms, 10, 64)
	return n
}

// apply folds one message into the projection and the pending delta.
// Malformed payloads are skipped: the consumers dead-letter them.
func (p *projection) apply(m stream.Message) {
	e := m.Event
	t := entryMillis(m.ID)
	switch e.Type {
	case events.TypeOrderPlaced:
		pl, err := events.DecodePayload[events.OrderPlaced](e)
		if err != nil {
			return
		}
		o := p.order(e.OrderID, e.Time)
		if o.placedAt.IsZero() || pl.PlacedAt.Before(o.placedAt) {
			o.placedAt = pl.PlacedAt
		}
		p.touch(e.OrderID, o, e.Time, t)
	case events.TypeRecipePicked, events.TypeIngredientsRequested, events.TypeCookingStarted, events.TypeDishDelivered:
		p.advance(e, t)
	case events.TypeIngredientsShort:
		pl, err := events.DecodePayload[events.IngredientsShort](e)
		if err != nil {
			return
		}
		if o, ok := p.orders[e.OrderID]; ok && o.active() {
			o.missing = pl.Missing
			p.touch(e.OrderID, o, e.Time, t)
		}
	case events.TypeIngredientsReserved:
		pl, err := events.DecodePayload[events.IngredientsReserved](e)
		if err != nil {
			return
		}
		if o, ok := p.orders[e.OrderID]; ok && o.missing != nil {
			o.missing = nil
			p.touch(e.OrderID, o, e.Time, t)
		}
		for _, s := range pl.Stock {
			p.setStock(s.Ingredient, s.OnHand, t)
		}
	case events.TypeMarketBought:
		pl, err := events.DecodePayload[events.MarketBought](e)
		if err != nil {
			return
		}
		pv := purchaseView{ID: pl.PurchaseID, Ingredient: pl.Ingredient, Quantity: pl.Quantity, OrderIDs: pl.OrderIDs, OnHand: pl.OnHand, At: e.Time, T: t}
		if pv.OrderIDs == nil {
			pv.OrderIDs = []string{}
		}
		p.purchases = appendCapped(p.purchases, pv, keepPurchases)
		p.delta.purchases = append(p.delta.purchases, pv)
		p.setStock(pl.Ingredient, pl.OnHand, t)
	case events.TypeDeadLettered:
		pl, err := events.DecodePayload[events.DeadLettered](e)
		if err != nil {
			return
		}
		dv := deadLetterView{ID: m.ID, OrderID: e.OrderID, Group: pl.Group, Type: pl.Type, Reason: pl.Reason, At: e.Time, T: t}
		p.deadLetter = appendCapped(p.deadLetter, dv, keepDeadLetters)
		p.delta.deadLetters = append(p.delta.deadLetters, dv)
		if o, ok := p.orders[e.OrderID]; ok && o.stage != events.StageDelivered && o.failed == "" {
			was := o.status()
			o.failed, o.failedAt = events.FailureReason(pl), o.stage
			p.settle(e.OrderID, o, was)
			p.touch(e.OrderID, o, e.Time, t)
		}
	}
}

// order returns the projection of id, creating it as placed.
func (p *projection) order(id string, at time.Time) *order {
	if o, ok := p.orders[id]; ok {
		return o
	}
	o := &order{stage: events.StagePlaced, since: at}
	p.orders[id] = o
	p.active[id] = o
	return o
}

// advance moves an order forward; a late or repeated event changes nothing.
func (p *projection) advance(e events.Envelope, t int64) {
	stage, _ := events.MovesTo(e.Type)
	var recipe struct {
		Recipe string `json:"recipe"`
	}
	if err := json.Unmarshal(e.Payload, &recipe); err != nil {
		return
	}
	o := p.order(e.OrderID, e.Time)
	if o.recipe == "" {
		o.recipe = recipe.Recipe
	}
	if stage.Rank() <= o.stage.Rank() {
		return
	}
	was := o.status()
	o.stage, o.since = stage, e.Time
	if stage == events.StageDelivered {
		o.failed, o.missing = "", nil
	}
	if o.failed != "" && stage.Rank() > o.failedAt.Rank() {
		// The failed message was replayed and handled: the order moves on.
		o.failed = ""
	}
	if stage == events.StagePreparing {
		o.missing = nil
	}
	p.settle(e.OrderID, o, was)
	p.touch(e.OrderID, o, e.Time, t)
}

// settle keeps the active set and the counters in step with o's status,
// which was was: an order settles as delivered or failed, and a failed one
// whose message was replayed comes back.
func (p *projection) settle(id string, o *order, was events.Stage) {
	now := o.status()
	if was == now {
		return
	}
	switch was {
	case events.StageDelivered:
		p.delivered--
	case events.StageFailed:
		p.failed--
	default:
		delete(p.active, id)
	}
	switch now {
	case events.StageDelivered:
		p.delivered++
	case events.StageFailed:
		p.failed++
	default:
		p.active[id] = o
	}
}

func (p *projection) touch(id string, o *order, at time.Time, t int64) {
	v := orderView{ID: id, Stage: o.status(), Recipe: o.recipe, At: at, Missing: o.missing, T: t}
	switch o.status() {
	case events.StageFailed:
		v.Reason = o.failed
	case events.StageDelivered:
		// A client that never saw the order in progress still learns how
		// long it took.
		v.PlacedAt = o.placedAt
	}
	p.delta.orders[id] = v
}

func (p *projection) setStock(ingredient string, onHand int, t int64) {
	v := stockView{Ingredient: ingredient, OnHand: onHand, T: t}
	p.stock[ingredient] = v
	p.delta.stock[ingredient] = v
}

func appendCapped[T any](s []T, v T, n int) []T {
	s = append(s, v)
	if len(s) > n {
		s = slices.Delete(s, 0, len(s)-n)
	}
	return s
}

// activeOrders lists the orders in progress, oldest first.
func (p *projection) activeOrders() []orderView {
	out := make([]orderView, 0, len(p.active))
	for id, o := range p.active {
		out = append(out, orderView{ID: id, Stage: o.status(), Recipe: o.recipe, Since: o.since, PlacedAt: o.placedAt, Missing: o.missing})
	}
	slices.SortFunc(out, func(a, b orderView) int {
		if c := a.PlacedAt.Compare(b.PlacedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// newestFirst returns a copy of s reversed.
func newestFirst[T any](s []T) []T {
	out := slices.Clone(s)
	slices.Reverse(out)
	if out == nil {
		out = []T{}
	}
	return out
}
