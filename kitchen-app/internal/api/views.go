package api

import (
	"time"

	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
)

// RecipeList is the recipe book, sorted by name.
type RecipeList struct {
	Recipes []RecipeView `json:"recipes"`
}

// RecipeView is one recipe.
type RecipeView struct {
	Name        string           `json:"name" example:"pizza"`
	Ingredients []IngredientView `json:"ingredients"`
}

// IngredientView is how much of one ingredient a recipe takes.
type IngredientView struct {
	Ingredient string `json:"ingredient" example:"cheese"`
	Quantity   int    `json:"quantity" example:"2"`
}

// TicketView is the kitchen's work on one order.
type TicketView struct {
	OrderID string `json:"orderId" example:"019ab8f2-6c1e-7a3c-9d2e-3f4a5b6c7d8f"`
	Recipe  string `json:"recipe" example:"rice with chicken"`
	Stage   string `json:"stage" enums:"waiting_ingredients,preparing,delivered,failed" example:"preparing"`
	// Since is when the ticket entered its current stage.
	Since     time.Time `json:"since" example:"2026-11-23T12:00:01.5Z"`
	CreatedAt time.Time `json:"createdAt" example:"2026-11-23T12:00:00Z"`
	UpdatedAt time.Time `json:"updatedAt" example:"2026-11-23T12:00:01.5Z"`
	// FailureReason is present while the ticket has failed.
	FailureReason string `json:"failureReason,omitempty" example:"inventory could not handle kitchen.ingredients-requested: unknown ingredient \"saffron\""`
}

// TicketList is a list of tickets, oldest first.
type TicketList struct {
	Tickets []TicketView `json:"tickets"`
}

// StatsResponse counts tickets.
type StatsResponse struct {
	// ByStage has every stage, zero counts included.
	ByStage map[string]int `json:"byStage" example:"queued:0,waiting_ingredients:3,preparing:5,delivered:180,failed:1"`
	Total   int            `json:"total" example:"189"`
}

func recipeView(r kitchen.Recipe) RecipeView {
	v := RecipeView{Name: r.Name, Ingredients: make([]IngredientView, len(r.Ingredients))}
	for i, it := range r.Ingredients {
		v.Ingredients[i] = IngredientView{Ingredient: it.Ingredient, Quantity: it.Quantity}
	}
	return v
}

func ticketView(t kitchen.Ticket) TicketView {
	return TicketView{
		OrderID: t.OrderID, Recipe: t.Recipe, Stage: string(t.Stage), Since: t.Since,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, FailureReason: t.FailureReason,
	}
}
