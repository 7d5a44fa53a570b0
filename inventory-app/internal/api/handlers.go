package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/inventory-app/internal/market"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// MarketStats is what the API needs of the market client.
type MarketStats interface {
	Stats() market.Stats
}

// Books is what the API reads of the warehouse (warehouse.Books: the same
// answers on the leader and on a standby).
type Books interface {
	Inventory(ctx context.Context) (warehouse.Inventory, error)
	Purchases(ctx context.Context, q warehouse.PurchaseQuery) (warehouse.PurchasePage, error)
	Reservation(ctx context.Context, orderID string) (warehouse.Reservation, error)
}

// Handlers serve the inventory API.
type Handlers struct {
	w      Books
	market MarketStats
}

// New returns the handlers (the app bounds each request: httpx.Timeout).
func New(w Books, m MarketStats) *Handlers {
	return &Handlers{w: w, market: m}
}

// Register adds the routes under r (the /api/v1 group).
func (h *Handlers) Register(r fiber.Router) {
	r.Get("/inventory", h.inventory)
	r.Get("/purchases", h.purchases)
	r.Get("/market", h.marketStats)
	r.Get("/reservations/:orderId", h.reservation)
}

// inventory godoc
//
//	@Summary		Stock
//	@Description	The stock of every ingredient in the warehouse's fixed order, with what the waiting orders still need. For every ingredient onHand = initial + bought − consumed, and onHand is never negative.
//	@Tags			inventory
//	@Produce		json
//	@Success		200	{object}	InventoryResponse
//	@Router			/api/v1/inventory [get]
func (h *Handlers) inventory(c *fiber.Ctx) error {
	ctx := c.UserContext()
	inv, err := h.w.Inventory(ctx)
	if err != nil {
		return err
	}
	return c.JSON(inventoryResponse(inv))
}

// purchases godoc
//
//	@Summary		Market purchases
//	@Description	Every answer of the farmers market, newest first, zero answers included, with the waiting orders each purchase serves. Pass `nextCursor` of a page as `cursor` to get the next one.
//	@Tags			inventory
//	@Produce		json
//	@Param			ingredient	query		string	false	"Only purchases of this ingredient"	Enums(tomato, lemon, potato, rice, ketchup, lettuce, onion, cheese, meat, chicken)
//	@Param			limit		query		int		false	"Page size, 1 to 500"	default(50)
//	@Param			cursor		query		string	false	"nextCursor of the previous page"
//	@Success		200			{object}	PurchaseList
//	@Failure		400			{object}	httpx.ErrorBody	"Malformed limit"
//	@Failure		422			{object}	httpx.ErrorBody	"Unknown ingredient, limit out of range or bad cursor"
//	@Router			/api/v1/purchases [get]
func (h *Handlers) purchases(c *fiber.Ctx) error {
	limit, err := httpx.IntQuery(c, "limit")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	page, err := h.w.Purchases(ctx, warehouse.PurchaseQuery{
		Ingredient: strings.Clone(c.Query("ingredient")), After: strings.Clone(c.Query("cursor")), Limit: limit,
	})
	if err != nil {
		return err
	}
	resp := PurchaseList{Purchases: make([]PurchaseView, 0, len(page.Purchases)), NextCursor: page.Next}
	for _, p := range page.Purchases {
		resp.Purchases = append(resp.Purchases, purchaseView(p))
	}
	return c.JSON(resp)
}

// marketStats godoc
//
//	@Summary		Market calls
//	@Description	How the warehouse's calls to the farmers market went since it started, and the state of the circuit breaker that stops calling a failing market.
//	@Tags			inventory
//	@Produce		json
//	@Success		200	{object}	MarketView
//	@Router			/api/v1/market [get]
func (h *Handlers) marketStats(c *fiber.Ctx) error {
	return c.JSON(marketView(h.market.Stats()))
}

// reservation godoc
//
//	@Summary		One order's reservation
//	@Description	Whether the warehouse set an order's ingredients aside (reserved) or the order still waits for the market (waiting), with its place in line.
//	@Tags			inventory
//	@Produce		json
//	@Param			orderId	path		string	true	"Order id"
//	@Success		200		{object}	ReservationView
//	@Failure		404		{object}	httpx.ErrorBody	"No reservation for this order"
//	@Router			/api/v1/reservations/{orderId} [get]
func (h *Handlers) reservation(c *fiber.Ctx) error {
	ctx := c.UserContext()
	r, err := h.w.Reservation(ctx, strings.Clone(c.Params("orderId")))
	if err != nil {
		return err
	}
	return c.JSON(reservationView(r))
}

// MapError translates the domain's errors for the HTTP error handler.
func MapError(err error) *httpx.Error {
	switch {
	case errors.Is(err, warehouse.ErrNotFound):
		return httpx.Errorf(http.StatusNotFound, "reservation_not_found", "no reservation for this order id")
	}
	return nil
}
