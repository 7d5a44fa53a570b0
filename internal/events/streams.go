package events

// Streams names the Redis streams of one Comanda installation. Every name
// shares a prefix so that tests and several installations can share a Redis.
type Streams struct {
	// Orders carries order.placed (orders-app).
	Orders string
	// Kitchen carries the kitchen's events: recipe picked, ingredients
	// requested, cooking started, dish delivered.
	Kitchen string
	// Inventory carries the warehouse's events: reservations, shortages and
	// market purchases.
	Inventory string
	// DeadLetter carries stream.dead-lettered: messages no handler could take.
	DeadLetter string
	// Counts is not a stream: the key where orders-app keeps OrderCounts.
	Counts string
}

// StreamNames returns the stream names under prefix (e.g. "comanda").
func StreamNames(prefix string) Streams {
	return Streams{
		Orders:     prefix + ":orders",
		Kitchen:    prefix + ":kitchen",
		Inventory:  prefix + ":inventory",
		DeadLetter: prefix + ":deadletter",
		Counts:     prefix + ":orders:counts",
	}
}

// For returns the stream that carries events of the given type, or "" for a
// type this contract does not know.
func (s Streams) For(eventType string) string {
	switch eventType {
	case TypeOrderPlaced:
		return s.Orders
	case TypeRecipePicked, TypeIngredientsRequested, TypeCookingStarted, TypeDishDelivered:
		return s.Kitchen
	case TypeIngredientsReserved, TypeIngredientsShort, TypeMarketBought:
		return s.Inventory
	case TypeDeadLettered:
		return s.DeadLetter
	}
	return ""
}

// Consumer groups: each names a purpose and never changes. They are part of
// the contract because a stream may only forget an entry once every group
// that reads it has acknowledged it.
const (
	GroupOrders    = "orders"    // orders-app: status changes, dead letters
	GroupKitchen   = "kitchen"   // kitchen-app: orders, reservations, dead letters
	GroupInventory = "inventory" // inventory-app: ingredient requests
)

// Readers returns the consumer groups that read stream, or nil for a stream
// this contract does not know.
func (s Streams) Readers(stream string) []string {
	switch stream {
	case s.Orders:
		return []string{GroupKitchen}
	case s.Kitchen:
		return []string{GroupOrders, GroupInventory}
	case s.Inventory:
		return []string{GroupKitchen}
	case s.DeadLetter:
		return []string{GroupOrders, GroupKitchen}
	}
	return nil
}

// Work lists the streams that carry the pipeline's work. They are trimmed
// as their groups consume them; the dead-letter stream is not, since its
// entries wait for a person to look at them and replay them.
func (s Streams) Work() []string {
	return []string{s.Orders, s.Kitchen, s.Inventory}
}
