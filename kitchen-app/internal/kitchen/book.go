package kitchen

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Recipe is a dish of the recipe book and what it takes.
type Recipe struct {
	Name string
	// Ingredients are sorted by name; every quantity is positive.
	Ingredients []Item
}

// Item is a quantity of one ingredient.
type Item struct {
	Ingredient string
	Quantity   int
}

// Book is the recipe book. It is data seeded by the stores' migrations; the
// service loads it once at start, since it is small and never changes while
// running.
type Book struct {
	recipes []Recipe
	byName  map[string]Recipe
}

// NewBook checks recipes and returns them as a book sorted by name.
func NewBook(recipes []Recipe) (Book, error) {
	if len(recipes) == 0 {
		return Book{}, errors.New("the recipe book is empty")
	}
	b := Book{recipes: slices.Clone(recipes), byName: make(map[string]Recipe, len(recipes))}
	slices.SortFunc(b.recipes, func(x, y Recipe) int { return cmp.Compare(x.Name, y.Name) })
	for i, r := range b.recipes {
		if len(r.Ingredients) == 0 {
			return Book{}, fmt.Errorf("recipe %q has no ingredients", r.Name)
		}
		r.Ingredients = slices.Clone(r.Ingredients)
		slices.SortFunc(r.Ingredients, func(x, y Item) int { return cmp.Compare(x.Ingredient, y.Ingredient) })
		for _, it := range r.Ingredients {
			if it.Quantity <= 0 {
				return Book{}, fmt.Errorf("recipe %q needs a positive quantity of %s", r.Name, it.Ingredient)
			}
		}
		if _, dup := b.byName[r.Name]; dup {
			return Book{}, fmt.Errorf("recipe %q appears twice", r.Name)
		}
		b.recipes[i] = r
		b.byName[r.Name] = r
	}
	return b, nil
}

// Recipes returns the book sorted by name.
func (b Book) Recipes() []Recipe {
	out := make([]Recipe, len(b.recipes))
	for i, r := range b.recipes {
		out[i] = Recipe{Name: r.Name, Ingredients: slices.Clone(r.Ingredients)}
	}
	return out
}

// Recipe returns the recipe with the given name.
func (b Book) Recipe(name string) (Recipe, bool) {
	r, ok := b.byName[name]
	return r, ok
}

// RandomSource returns the source of recipe picks: seeded, for a repeatable
// run, or random when seed is 0.
func RandomSource(seed uint64) rand.Source {
	if seed == 0 {
		return rand.NewPCG(rand.Uint64(), rand.Uint64())
	}
	return rand.NewPCG(seed, seed)
}
