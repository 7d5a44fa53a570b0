// Package kitchen is the kitchen domain: the recipe book, and one ticket per
// order that moves waiting_ingredients → preparing → delivered (or
// failed with a reason, until the ingredients arrive after all). It holds the
// use cases of kitchen-app — pick a random recipe once per order, ask for its
// ingredients, cook — and declares the Store it needs; adapters live in
// sibling packages.
//
// It must not import any adapter: no store, no Fiber, no Redis.
package kitchen
