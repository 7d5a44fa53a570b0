package warehouse

import (
	"errors"
	"fmt"
	"time"
)

// Status is where a reservation stands.
type Status string

// A reservation waits until the clerk sets every ingredient of its recipe
// aside; then it is reserved, for good.
const (
	Waiting  Status = "waiting"
	Reserved Status = "reserved"
)

// Item is a quantity of one ingredient.
type Item struct {
	Ingredient string
	Quantity   int
}

// MaxUnitsPerItem bounds one ingredient of one request. Recipes need three
// at most; a request for thousands is a bug upstream, and honouring it would
// make the warehouse buy for it for hours.
const MaxUnitsPerItem = 100

// Request asks for the ingredients of one order's recipe.
type Request struct {
	OrderID string
	Recipe  string
	Items   []Item
	At      time.Time
}

// Reservation is a stored request and its fate.
type Reservation struct {
	OrderID string
	// Seq orders reservations by arrival; the clerk serves them in this order.
	Seq    int64
	Recipe string
	Items  []Item
	Status Status
	// ShortNoted says inventory.ingredients-short was emitted for it.
	ShortNoted  bool
	RequestedAt time.Time
	ReservedAt  time.Time // zero while waiting
}

// Needs returns what the reservation takes from stock.
func (r Reservation) Needs() Needs { return NeedsOf(r.Items) }

// UnknownIngredientError reports an ingredient the warehouse does not stock.
type UnknownIngredientError struct{ Name string }

func (e *UnknownIngredientError) Error() string { return fmt.Sprintf("unknown ingredient %q", e.Name) }

// ErrInvalidRequest reports a request that can never be served as it is.
var ErrInvalidRequest = errors.New("invalid ingredients request")

// NewRequest checks a request and merges repeated ingredients. Its errors
// (*UnknownIngredientError or ErrInvalidRequest) are permanent: no retry can
// fix them.
func NewRequest(orderID, recipe string, items []Item, at time.Time) (Request, error) {
	r := Request{OrderID: orderID, Recipe: recipe, At: at}
	if orderID == "" {
		return r, fmt.Errorf("%w: missing order id", ErrInvalidRequest)
	}
	if len(items) == 0 {
		return r, fmt.Errorf("%w: no ingredients", ErrInvalidRequest)
	}
	pos := make(map[string]int, len(items))
	for _, it := range items {
		if !Known(it.Ingredient) {
			return r, &UnknownIngredientError{Name: it.Ingredient}
		}
		if it.Quantity <= 0 {
			return r, fmt.Errorf("%w: quantity of %s must be positive, got %d", ErrInvalidRequest, it.Ingredient, it.Quantity)
		}
		if i, seen := pos[it.Ingredient]; seen {
			r.Items[i].Quantity += it.Quantity
		} else {
			pos[it.Ingredient] = len(r.Items)
			r.Items = append(r.Items, it)
		}
	}
	for _, it := range r.Items {
		if it.Quantity > MaxUnitsPerItem {
			return r, fmt.Errorf("%w: %d units of %s exceed the %d one order may ask for", ErrInvalidRequest, it.Quantity, it.Ingredient, MaxUnitsPerItem)
		}
	}
	return r, nil
}

// validate re-checks a request built without NewRequest.
func (r Request) validate() error {
	_, err := NewRequest(r.OrderID, r.Recipe, r.Items, r.At)
	return err
}
