package marketsim

import "slices"

// ingredients is what the market sells; anything else is a client bug, so it
// is refused rather than answered with 0 (which would make a client wait
// forever for an ingredient that never comes).
var ingredients = []string{
	"tomato", "lemon", "potato", "rice", "ketchup",
	"lettuce", "onion", "cheese", "meat", "chicken",
}

// Ingredients returns the ingredients the market sells.
func Ingredients() []string { return slices.Clone(ingredients) }

func sells(name string) bool { return slices.Contains(ingredients, name) }
