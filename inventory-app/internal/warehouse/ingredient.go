package warehouse

import "slices"

// catalogue is the warehouse's fixed list of ingredients, in the order every
// listing uses.
var catalogue = [...]string{
	"tomato", "lemon", "potato", "rice", "ketchup",
	"lettuce", "onion", "cheese", "meat", "chicken",
}

// NumIngredients is the size of the catalogue.
const NumIngredients = len(catalogue)

// Ingredients returns the catalogue in its fixed order.
func Ingredients() []string { return slices.Clone(catalogue[:]) }

// IndexOf returns the position of name in the catalogue.
func IndexOf(name string) (int, bool) {
	i := slices.Index(catalogue[:], name)
	return i, i >= 0
}

// Known reports whether the warehouse stocks name.
func Known(name string) bool {
	_, ok := IndexOf(name)
	return ok
}

// Needs counts units per ingredient, indexed like the catalogue. Arrays keep
// the clerk's arithmetic free of maps and allocations.
type Needs [NumIngredients]int

// Add adds o to n.
func (n *Needs) Add(o Needs) {
	for i := range n {
		n[i] += o[i]
	}
}

// Sub takes o from n.
func (n *Needs) Sub(o Needs) {
	for i := range n {
		n[i] -= o[i]
	}
}

// covers reports whether n has at least o of every ingredient.
func (n Needs) covers(o Needs) bool {
	for i := range n {
		if n[i] < o[i] {
			return false
		}
	}
	return true
}

// Items lists the non-zero entries in catalogue order.
func (n Needs) Items() []Item {
	var out []Item
	for i, q := range n {
		if q != 0 {
			out = append(out, Item{Ingredient: catalogue[i], Quantity: q})
		}
	}
	return out
}

// NeedsOf sums items into Needs; unknown ingredients are ignored (requests
// are validated before they get here).
func NeedsOf(items []Item) Needs {
	var n Needs
	for _, it := range items {
		if i, ok := IndexOf(it.Ingredient); ok {
			n[i] += it.Quantity
		}
	}
	return n
}

// kind is the set of ingredients a recipe needs, one bit each.
type kind uint16

func (n Needs) kind() kind {
	var k kind
	for i, q := range n {
		if q > 0 {
			k |= 1 << i
		}
	}
	return k
}
