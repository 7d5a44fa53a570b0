package mongo

import (
	"slices"
	"time"

	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Documents are not domain types: they map at this edge.

type stockDoc struct {
	Ingredient string `bson:"_id"`
	Initial    int    `bson:"initial"`
	Bought     int    `bson:"bought"`
	Consumed   int    `bson:"consumed"`
}

func (d stockDoc) level() warehouse.Level {
	return warehouse.Level{Ingredient: d.Ingredient, Initial: d.Initial, Bought: d.Bought, Consumed: d.Consumed}
}

type itemDoc struct {
	Ingredient string `bson:"ingredient"`
	Quantity   int    `bson:"quantity"`
}

type reservationDoc struct {
	OrderID     string     `bson:"_id"`
	Seq         int64      `bson:"seq"`
	Recipe      string     `bson:"recipe"`
	Items       []itemDoc  `bson:"items"`
	Status      string     `bson:"status"`
	ShortNoted  bool       `bson:"shortNoted"`
	RequestedAt time.Time  `bson:"requestedAt"`
	ReservedAt  *time.Time `bson:"reservedAt,omitempty"`
}

func reservationDocOf(r warehouse.Request, seq int64) reservationDoc {
	items := make([]itemDoc, len(r.Items))
	for i, it := range r.Items {
		items[i] = itemDoc(it)
	}
	return reservationDoc{
		OrderID: r.OrderID, Seq: seq, Recipe: r.Recipe, Items: items,
		Status: string(warehouse.Waiting), RequestedAt: r.At.UTC().Truncate(time.Millisecond),
	}
}

func (d reservationDoc) reservation() warehouse.Reservation {
	items := make([]warehouse.Item, len(d.Items))
	for i, it := range d.Items {
		items[i] = warehouse.Item(it)
	}
	r := warehouse.Reservation{
		OrderID: d.OrderID, Seq: d.Seq, Recipe: d.Recipe, Items: items, Status: warehouse.Status(d.Status),
		ShortNoted: d.ShortNoted, RequestedAt: d.RequestedAt.UTC(),
	}
	if d.ReservedAt != nil {
		r.ReservedAt = d.ReservedAt.UTC()
	}
	return r
}

type purchaseDoc struct {
	ID         string    `bson:"_id"`
	Ingredient string    `bson:"ingredient"`
	Quantity   int       `bson:"quantitySold"`
	OrderIDs   []string  `bson:"orderIds"`
	At         time.Time `bson:"at"`
}

func (d purchaseDoc) purchase() warehouse.Purchase {
	ids := d.OrderIDs
	if ids == nil {
		ids = []string{}
	}
	return warehouse.Purchase{ID: d.ID, Ingredient: d.Ingredient, Quantity: d.Quantity, OrderIDs: ids, At: d.At.UTC()}
}

type outboxDoc struct {
	Seq   int64  `bson:"_id"`
	Event []byte `bson:"event"`
}

// sortLevels puts levels in catalogue order.
func sortLevels(levels []warehouse.Level) {
	slices.SortFunc(levels, func(a, b warehouse.Level) int {
		i, _ := warehouse.IndexOf(a.Ingredient)
		j, _ := warehouse.IndexOf(b.Ingredient)
		return i - j
	})
}
