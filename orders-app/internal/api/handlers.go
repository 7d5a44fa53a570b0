package api

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/orders-app/internal/deadletters"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// Handlers serve the orders API.
type Handlers struct {
	svc  *order.Service
	dead *deadletters.Service
}

// New returns the handlers (the app bounds each request: httpx.Timeout).
func New(svc *order.Service, dead *deadletters.Service) *Handlers {
	return &Handlers{svc: svc, dead: dead}
}

// Register adds the routes under r (the /api/v1 group).
func (h *Handlers) Register(r fiber.Router) {
	r.Post("/orders", h.place)
	r.Get("/orders", h.list)
	r.Get("/orders/stats", h.stats)
	r.Get("/orders/:id", h.get)
	r.Get("/limits", h.limits)
	r.Get("/dead-letters", h.deadLetters)
	r.Post("/dead-letters/replay", h.replayMany)
	r.Post("/dead-letters/:id/replay", h.replayOne)
}

// place godoc
//
//	@Summary		Order dishes
//	@Description	Places `quantity` dishes at once (1 up to the configured cap, 10,000 by default). Each dish becomes an order that the kitchen serves with a random recipe. The answer comes as soon as the orders are stored; follow them with the other endpoints.
//	@Description
//	@Description	Send a fresh `Idempotency-Key` (a UUID) with every placement and the same key when retrying it: the same key with the same body answers the batch the first request placed (same `batchId` and `orderIds`, header `Idempotent-Replayed: true`), even while the retries race each other — a request racing the first waits for it and answers its batch. The same key with another body is refused (422 `idempotency_key_reused`). Keys are kept for `IDEMPOTENCY_TTL` (24 hours by default, never less), then forgotten. Without the header, every request places a new batch.
//	@Tags			orders
//	@Accept			json
//	@Produce		json
//	@Param			Idempotency-Key	header		string			false	"1 to 255 printable ASCII characters, fresh for every placement (a UUID)"
//	@Param			request			body		PlaceRequest	true	"How many dishes"
//	@Success		202				{object}	PlaceResponse
//	@Header			202				{string}	Idempotent-Replayed	"true when the answer is that of an earlier request with the same key"
//	@Failure		400				{object}	httpx.ErrorBody	"Body is not a JSON object with a whole-number quantity, or the Idempotency-Key is malformed (`invalid_idempotency_key`)"
//	@Failure		409				{object}	httpx.ErrorBody	"A request with the same key is still in progress and could not be waited for (`idempotency_in_progress`); retry"
//	@Failure		413				{object}	httpx.ErrorBody	"Body too large"
//	@Failure		422				{object}	httpx.ErrorBody	"Quantity out of range, or the Idempotency-Key was used with another body (`idempotency_key_reused`)"
//	@Router			/api/v1/orders [post]
func (h *Handlers) place(c *fiber.Ctx) error {
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	var req PlaceRequest
	if err := httpx.DecodeJSON(c.Body(), &req); err != nil {
		return err
	}
	ctx := c.UserContext()
	b, err := h.svc.Place(ctx, req.Quantity, key)
	if err != nil {
		return err
	}
	if b.Replayed {
		c.Set(headerReplayed, "true")
	}
	return c.Status(http.StatusAccepted).JSON(PlaceResponse{BatchID: b.ID, Quantity: b.Quantity, OrderIDs: b.OrderIDs, PlacedAt: b.PlacedAt})
}

// list godoc
//
//	@Summary		Order history
//	@Description	Orders newest first, a page at a time. Pass `nextCursor` of a page as `cursor` to get the next one.
//	@Tags			orders
//	@Produce		json
//	@Param			status	query		string	false	"Only orders with this status"	Enums(placed, queued, waiting_ingredients, preparing, delivered, failed)
//	@Param			batch	query		string	false	"Only orders of this batch (batchId of a placement)"
//	@Param			limit	query		int		false	"Page size, 1 to 500"	default(50)
//	@Param			cursor	query		string	false	"nextCursor of the previous page"
//	@Success		200		{object}	ListResponse
//	@Failure		400		{object}	httpx.ErrorBody	"Malformed limit"
//	@Failure		422		{object}	httpx.ErrorBody	"Unknown status, limit out of range or bad cursor"
//	@Router			/api/v1/orders [get]
func (h *Handlers) list(c *fiber.Ctx) error {
	limit, err := httpx.IntQuery(c, "limit")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	page, err := h.svc.List(ctx, order.Query{
		Status: order.Status(c.Query("status")), BatchID: c.Query("batch"), After: c.Query("cursor"), Limit: limit,
	})
	if err != nil {
		return err
	}
	resp := ListResponse{Orders: make([]OrderView, 0, len(page.Orders)), NextCursor: page.Next}
	for _, o := range page.Orders {
		resp.Orders = append(resp.Orders, orderView(o))
	}
	return c.JSON(resp)
}

// get godoc
//
//	@Summary		One order
//	@Description	An order with its status, recipe, times and timeline of events.
//	@Tags			orders
//	@Produce		json
//	@Param			id	path		string	true	"Order id"
//	@Success		200	{object}	OrderView
//	@Failure		404	{object}	httpx.ErrorBody	"No such order"
//	@Router			/api/v1/orders/{id} [get]
func (h *Handlers) get(c *fiber.Ctx) error {
	ctx := c.UserContext()
	o, err := h.svc.Get(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(orderView(o))
}

// stats godoc
//
//	@Summary		Order counts
//	@Description	How many orders have each status, in total and in progress.
//	@Tags			orders
//	@Produce		json
//	@Success		200	{object}	StatsResponse
//	@Router			/api/v1/orders/stats [get]
func (h *Handlers) stats(c *fiber.Ctx) error {
	ctx := c.UserContext()
	st, err := h.svc.Stats(ctx)
	if err != nil {
		return err
	}
	resp := StatsResponse{Total: st.Total, InProgress: st.InProgress, ByStatus: make(map[string]int, len(st.ByStatus))}
	for s, n := range st.ByStatus {
		resp.ByStatus[string(s)] = n
	}
	return c.JSON(resp)
}

// limits godoc
//
//	@Summary		Limits
//	@Description	The most dishes one request may order, and the largest page of history, so that clients can say so before asking.
//	@Tags			orders
//	@Produce		json
//	@Success		200	{object}	LimitsResponse
//	@Router			/api/v1/limits [get]
func (h *Handlers) limits(c *fiber.Ctx) error {
	return c.JSON(LimitsResponse{MaxQuantity: h.svc.MaxQuantity(), MaxPage: order.MaxPage})
}

// deadLetters godoc
//
//	@Summary		Dead letters
//	@Description	Messages that no service could handle (their orders failed), newest first.
//	@Tags			dead letters
//	@Produce		json
//	@Param			limit	query		int		false	"Page size, 1 to 500"	default(50)
//	@Param			cursor	query		string	false	"nextCursor of the previous page"
//	@Success		200		{object}	DeadLetterList
//	@Failure		400		{object}	httpx.ErrorBody	"Malformed limit"
//	@Failure		422		{object}	httpx.ErrorBody	"Limit out of range, or a cursor that is no dead letter's id"
//	@Router			/api/v1/dead-letters [get]
func (h *Handlers) deadLetters(c *fiber.Ctx) error {
	limit, err := httpx.IntQuery(c, "limit")
	if err != nil {
		return err
	}
	page, err := h.dead.List(c.UserContext(), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	resp := DeadLetterList{DeadLetters: make([]DeadLetterView, 0, len(page.DeadLetters)), NextCursor: page.NextCursor}
	for _, d := range page.DeadLetters {
		resp.DeadLetters = append(resp.DeadLetters, deadLetterView(d))
	}
	return c.JSON(resp)
}

// MapError translates the domain's errors for the HTTP error handler.
func MapError(err error) *httpx.Error {
	var badKey *order.KeyError
	switch {
	case errors.Is(err, order.ErrNotFound):
		return httpx.Errorf(http.StatusNotFound, "order_not_found", "no order has this id")
	case errors.As(err, &badKey):
		return httpx.Errorf(http.StatusBadRequest, "invalid_idempotency_key", badKey.Error())
	case errors.Is(err, order.ErrKeyReused):
		return httpx.Errorf(http.StatusUnprocessableEntity, "idempotency_key_reused", "this Idempotency-Key was used with another request; send a fresh key for a new placement")
	case errors.Is(err, order.ErrKeyBusy):
		return httpx.Errorf(http.StatusConflict, "idempotency_in_progress", "a request with this Idempotency-Key is still in progress; retry shortly")
	case errors.Is(err, stream.ErrNoSuchEntry):
		return httpx.Errorf(http.StatusNotFound, "dead_letter_not_found", "no dead letter has this id (it may have been replayed)")
	case errors.Is(err, stream.ErrBadCursor):
		return httpx.Errorf(http.StatusUnprocessableEntity, "invalid_cursor", "cursor must be the nextCursor of a previous page")
	case errors.Is(err, stream.ErrUnreplayable):
		return httpx.Errorf(http.StatusUnprocessableEntity, "dead_letter_unreplayable", "this dead letter names no stream to put its message back on")
	}
	return nil
}
