package api

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
)

// Handlers serve the kitchen API.
type Handlers struct {
	svc *kitchen.Service
}

// New returns the handlers (the app bounds each request: httpx.Timeout).
func New(svc *kitchen.Service) *Handlers {
	return &Handlers{svc: svc}
}

// Register adds the routes under r (the /api/v1 group).
func (h *Handlers) Register(r fiber.Router) {
	r.Get("/recipes", h.recipes)
	r.Get("/tickets", h.list)
	r.Get("/tickets/stats", h.stats)
	r.Get("/tickets/:orderId", h.get)
}

// recipes godoc
//
//	@Summary		Recipe book
//	@Description	The six recipes the kitchen picks from at random, with the quantity of each ingredient, sorted by name.
//	@Tags			recipes
//	@Produce		json
//	@Success		200	{object}	RecipeList
//	@Router			/api/v1/recipes [get]
func (h *Handlers) recipes(c *fiber.Ctx) error {
	book := h.svc.Recipes()
	resp := RecipeList{Recipes: make([]RecipeView, len(book))}
	for i, r := range book {
		resp.Recipes[i] = recipeView(r)
	}
	return c.JSON(resp)
}

// list godoc
//
//	@Summary		Kitchen tickets
//	@Description	Tickets oldest first. Without `status`, the tickets in progress (waiting_ingredients, preparing); with it, the tickets in that stage.
//	@Tags			tickets
//	@Produce		json
//	@Param			status	query		string	false	"Only tickets in this stage"	Enums(waiting_ingredients, preparing, delivered, failed)
//	@Param			limit	query		int		false	"Most tickets to return, 1 to 1000"	default(100)
//	@Success		200		{object}	TicketList
//	@Failure		400		{object}	httpx.ErrorBody	"Malformed limit"
//	@Failure		422		{object}	httpx.ErrorBody	"Unknown status or limit out of range"
//	@Router			/api/v1/tickets [get]
func (h *Handlers) list(c *fiber.Ctx) error {
	limit, err := httpx.IntQuery(c, "limit")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	tickets, err := h.svc.List(ctx, kitchen.Stage(c.Query("status")), limit)
	if err != nil {
		return err
	}
	resp := TicketList{Tickets: make([]TicketView, len(tickets))}
	for i, t := range tickets {
		resp.Tickets[i] = ticketView(t)
	}
	return c.JSON(resp)
}

// stats godoc
//
//	@Summary		Ticket counts
//	@Description	How many tickets are in each stage (every stage listed), and in total.
//	@Tags			tickets
//	@Produce		json
//	@Success		200	{object}	StatsResponse
//	@Router			/api/v1/tickets/stats [get]
func (h *Handlers) stats(c *fiber.Ctx) error {
	ctx := c.UserContext()
	st, err := h.svc.Stats(ctx)
	if err != nil {
		return err
	}
	resp := StatsResponse{Total: st.Total, ByStage: make(map[string]int, len(st.ByStage))}
	for s, n := range st.ByStage {
		resp.ByStage[string(s)] = n
	}
	return c.JSON(resp)
}

// get godoc
//
//	@Summary		One ticket
//	@Description	The kitchen's ticket of an order: its recipe, stage and since when.
//	@Tags			tickets
//	@Produce		json
//	@Param			orderId	path		string	true	"Order id"
//	@Success		200		{object}	TicketView
//	@Failure		404		{object}	httpx.ErrorBody	"The kitchen has no ticket for this order"
//	@Router			/api/v1/tickets/{orderId} [get]
func (h *Handlers) get(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t, err := h.svc.Get(ctx, c.Params("orderId"))
	if err != nil {
		return err
	}
	return c.JSON(ticketView(t))
}

// MapError translates the domain's errors for the HTTP error handler.
func MapError(err error) *httpx.Error {
	switch {
	case errors.Is(err, kitchen.ErrNotFound):
		return httpx.Errorf(http.StatusNotFound, "ticket_not_found", "the kitchen has no ticket for this order")
	}
	return nil
}
