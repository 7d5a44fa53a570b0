// Package consumer feeds the kitchen from the streams: placed orders and dead
// letters open and fail tickets (Orders), reservations of ingredients set the
// cooks to work (Cook). Both read with the kitchen's consumer group.
package consumer

import "github.com/comanda-dev/comanda/internal/events"

// Group is the consumer group of kitchen-app; it never changes.
const Group = events.GroupKitchen

// OrderTypes are the events that open and fail tickets.
var OrderTypes = []string{events.TypeOrderPlaced, events.TypeDeadLettered}

// CookTypes are the events that set a cook to work.
var CookTypes = []string{events.TypeIngredientsReserved}
