package kitchen

import (
	"testing"
	"time"
)

func TestTicketMovesOnlyForward(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	at := t0.Add(time.Second)
	cases := []struct {
		name       string
		from       Stage
		move       func(*Ticket) bool
		moved      bool
		want       Stage
		wantReason string
	}{
		{"waiting starts cooking", WaitingIngredients, func(k *Ticket) bool { return k.StartCooking(at) }, true, Preparing, ""},
		{"failed is revived by cooking", Failed, func(k *Ticket) bool { return k.StartCooking(at) }, true, Preparing, ""},
		{"preparing does not start again", Preparing, func(k *Ticket) bool { return k.StartCooking(at) }, false, Preparing, ""},
		{"delivered does not cook again", Delivered, func(k *Ticket) bool { return k.StartCooking(at) }, false, Delivered, ""},
		{"preparing is delivered", Preparing, func(k *Ticket) bool { return k.Deliver(at) }, true, Delivered, ""},
		{"delivered is delivered once", Delivered, func(k *Ticket) bool { return k.Deliver(at) }, false, Delivered, ""},
		{"waiting fails", WaitingIngredients, func(k *Ticket) bool { return k.Fail("no rice", at) }, true, Failed, "no rice"},
		{"failed keeps its first reason", Failed, func(k *Ticket) bool { return k.Fail("again", at) }, false, Failed, "first"},
		{"delivered never fails", Delivered, func(k *Ticket) bool { return k.Fail("late", at) }, false, Delivered, ""},
	}
	for _, c := range cases {
		k := Ticket{Stage: c.from, Since: t0, UpdatedAt: t0}
		if c.from == Failed {
			k.FailureReason = "first"
		}
		moved := c.move(&k)
		if moved != c.moved || k.Stage != c.want || k.FailureReason != c.wantReason {
			t.Errorf("%s: moved %v to %s (%q), want %v to %s (%q)", c.name, moved, k.Stage, k.FailureReason, c.moved, c.want, c.wantReason)
		}
		if moved && (!k.Since.Equal(at) || !k.UpdatedAt.Equal(at)) {
			t.Errorf("%s: since %v, updated %v, want both %v", c.name, k.Since, k.UpdatedAt, at)
		}
		if !moved && (!k.Since.Equal(t0) || !k.UpdatedAt.Equal(t0)) {
			t.Errorf("%s: a refused move changed the times", c.name)
		}
	}
}

func TestBookRejectsBadRecipes(t *testing.T) {
	cheese := []Item{{Ingredient: "cheese", Quantity: 2}}
	for name, recipes := range map[string][]Recipe{
		"empty book":     nil,
		"no ingredients": {{Name: "air"}},
		"zero quantity":  {{Name: "pizza", Ingredients: []Item{{Ingredient: "cheese", Quantity: 0}}}},
		"twice":          {{Name: "pizza", Ingredients: cheese}, {Name: "pizza", Ingredients: cheese}},
	} {
		if _, err := NewBook(recipes); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	b, err := NewBook([]Recipe{
		{Name: "salad", Ingredients: []Item{{Ingredient: "tomato", Quantity: 2}, {Ingredient: "lemon", Quantity: 1}}},
		{Name: "pizza", Ingredients: cheese},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := b.Recipes()
	if got[0].Name != "pizza" || got[1].Name != "salad" || got[1].Ingredients[0].Ingredient != "lemon" {
		t.Errorf("book not sorted: %+v", got)
	}
	got[0].Ingredients[0].Quantity = 99
	if r, _ := b.Recipe("pizza"); r.Ingredients[0].Quantity != 2 {
		t.Error("Recipes shares its slices with the book")
	}
}
