package events

import (
	"encoding/json"
	"errors"
	"time"
)

// Payload is implemented by every event body. Type names and versions are
// written out by hand: they are the wire contract.
type Payload interface {
	EventType() string
	EventVersion() int
}

// Event type names.
const (
	TypeOrderPlaced          = "order.placed"
	TypeRecipePicked         = "kitchen.recipe-picked"
	TypeIngredientsRequested = "kitchen.ingredients-requested"
	TypeCookingStarted       = "kitchen.cooking-started"
	TypeDishDelivered        = "kitchen.dish-delivered"
	TypeIngredientsReserved  = "inventory.ingredients-reserved"
	TypeIngredientsShort     = "inventory.ingredients-short"
	TypeMarketBought         = "inventory.market-bought"
	TypeDeadLettered         = "stream.dead-lettered"
)

// Item is a quantity of one ingredient.
type Item struct {
	Ingredient string `json:"ingredient"`
	Quantity   int    `json:"quantity"`
}

// StockLevel is the stock of one ingredient right after an event.
type StockLevel struct {
	Ingredient string `json:"ingredient"`
	OnHand     int    `json:"onHand"`
}

// OrderPlaced announces a dish ordered by the manager (orders-app).
type OrderPlaced struct {
	BatchID  string    `json:"batchId"`
	PlacedAt time.Time `json:"placedAt"`
}

// RecipePicked says the kitchen chose the recipe of an order: status queued.
type RecipePicked struct {
	Recipe      string `json:"recipe"`
	Ingredients []Item `json:"ingredients"`
}

// IngredientsRequested asks the warehouse for a recipe's ingredients: status
// waiting_ingredients.
type IngredientsRequested struct {
	Recipe      string `json:"recipe"`
	Ingredients []Item `json:"ingredients"`
}

// IngredientsReserved says the warehouse set aside every ingredient of an
// order; they count as consumed from now on.
type IngredientsReserved struct {
	Ingredients []Item       `json:"ingredients"`
	Stock       []StockLevel `json:"stock"`
}

// IngredientsShort says an order waits for the market: Missing lists what the
// warehouse lacks for it right now.
type IngredientsShort struct {
	Missing []Item `json:"missing"`
}

// MarketBought records one answer of the farmers market. Quantity 0 means the
// market had none; the warehouse waits and asks again.
type MarketBought struct {
	PurchaseID string   `json:"purchaseId"`
	Ingredient string   `json:"ingredient"`
	Quantity   int      `json:"quantity"`
	OrderIDs   []string `json:"orderIds"`
	OnHand     int      `json:"onHand"`
}

// CookingStarted says a cook took the order: status preparing.
type CookingStarted struct {
	Recipe string `json:"recipe"`
}

// DishDelivered says the dish left the kitchen: status delivered.
type DishDelivered struct {
	Recipe string `json:"recipe"`
}

// DeadLettered records a message that could not be handled and was moved to
// the dead-letter stream: the order it belongs to has failed.
type DeadLettered struct {
	Stream     string          `json:"stream"`
	MessageID  string          `json:"messageId"`
	Group      string          `json:"group"`
	Type       string          `json:"type"`
	Deliveries int64           `json:"deliveries"`
	Reason     string          `json:"reason"`
	Event      json.RawMessage `json:"event"`
}

func (OrderPlaced) EventType() string          { return TypeOrderPlaced }
func (RecipePicked) EventType() string         { return TypeRecipePicked }
func (IngredientsRequested) EventType() string { return TypeIngredientsRequested }
func (IngredientsReserved) EventType() string  { return TypeIngredientsReserved }
func (IngredientsShort) EventType() string     { return TypeIngredientsShort }
func (MarketBought) EventType() string         { return TypeMarketBought }
func (CookingStarted) EventType() string       { return TypeCookingStarted }
func (DishDelivered) EventType() string        { return TypeDishDelivered }
func (DeadLettered) EventType() string         { return TypeDeadLettered }

func (OrderPlaced) EventVersion() int          { return 1 }
func (RecipePicked) EventVersion() int         { return 1 }
func (IngredientsRequested) EventVersion() int { return 1 }
func (IngredientsReserved) EventVersion() int  { return 1 }
func (IngredientsShort) EventVersion() int     { return 1 }
func (MarketBought) EventVersion() int         { return 1 }
func (CookingStarted) EventVersion() int       { return 1 }
func (DishDelivered) EventVersion() int        { return 1 }
func (DeadLettered) EventVersion() int         { return 1 }

// Catalog lists a zero value of every payload type, for documentation and
// contract checks.
func Catalog() []Payload {
	return []Payload{
		OrderPlaced{}, RecipePicked{}, IngredientsRequested{}, CookingStarted{}, DishDelivered{},
		IngredientsReserved{}, IngredientsShort{}, MarketBought{}, DeadLettered{},
	}
}

// Validate checks the fields a consumer relies on.
func (p IngredientsRequested) Validate() error {
	if p.Recipe == "" {
		return errors.New("missing recipe")
	}
	return validateItems(p.Ingredients)
}

// Validate checks the fields a consumer relies on.
func (p RecipePicked) Validate() error {
	if p.Recipe == "" {
		return errors.New("missing recipe")
	}
	return validateItems(p.Ingredients)
}

// Validate checks the fields a consumer relies on.
func (p OrderPlaced) Validate() error {
	if p.BatchID == "" {
		return errors.New("missing batchId")
	}
	if p.PlacedAt.IsZero() {
		return errors.New("missing placedAt")
	}
	return nil
}

func validateItems(items []Item) error {
	if len(items) == 0 {
		return errors.New("no ingredients")
	}
	for _, it := range items {
		if it.Ingredient == "" {
			return errors.New("ingredient without a name")
		}
		if it.Quantity <= 0 {
			return errors.New("ingredient quantity must be positive")
		}
	}
	return nil
}
