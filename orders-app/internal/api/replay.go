package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/fault"
	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/invalid"
	"github.com/comanda-dev/comanda/orders-app/internal/deadletters"
)

// replayOne godoc
//
//	@Summary		Replay a dead letter
//	@Description	Puts the dead letter's message back on its stream, so that it is handled again, and then clears the failure of its order. If the message cannot be put back, nothing changes: the order stays failed and the answer is an error.
//	@Tags			dead letters
//	@Produce		json
//	@Param			id	path		string	true	"Dead letter id"
//	@Success		202	{object}	DeadLetterView
//	@Failure		404	{object}	httpx.ErrorBody	"No such dead letter (it may have been replayed)"
//	@Failure		422	{object}	httpx.ErrorBody	"The dead letter names no stream to replay to"
//	@Failure		503	{object}	httpx.ErrorBody	"Redis did not answer; nothing was replayed"
//	@Router			/api/v1/dead-letters/{id}/replay [post]
func (h *Handlers) replayOne(c *fiber.Ctx) error {
	ctx := c.UserContext()
	d, err := h.dead.One(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(http.StatusAccepted).JSON(deadLetterView(d.DeadLetter))
}

// replayMany godoc
//
//	@Summary		Replay many dead letters
//	@Description	Replays the dead letters listed in `ids`, or the oldest ones a consumer group gave up on (`group`), at most 100 a request, as one replay each: the message goes back on its stream, then its order is reopened. The answer says what was replayed and what was not, and why; with `group`, `more` says whether to ask again.
//	@Tags			dead letters
//	@Accept			json
//	@Produce		json
//	@Param			request	body		ReplayRequest	true	"Either ids or group"
//	@Success		200		{object}	ReplayReport
//	@Failure		400		{object}	httpx.ErrorBody	"Body is not a JSON object of this shape"
//	@Failure		422		{object}	httpx.ErrorBody	"Neither or both of ids and group, too many ids, an id that is no dead letter id, or an unknown group"
//	@Failure		503		{object}	httpx.ErrorBody	"Redis did not answer; nothing was replayed"
//	@Router			/api/v1/dead-letters/replay [post]
func (h *Handlers) replayMany(c *fiber.Ctx) error {
	var req ReplayRequest
	if err := httpx.DecodeJSON(c.Body(), &req); err != nil {
		return err
	}
	ctx := c.UserContext()
	var res deadletters.Result
	var err error
	switch {
	case req.IDs != nil && req.Group != "":
		return &invalid.Error{Field: "request", Message: "must give either ids or group, not both"}
	case req.IDs != nil:
		res, err = h.dead.IDs(ctx, req.IDs)
	case req.Group != "":
		res, err = h.dead.Group(ctx, req.Group)
	default:
		return &invalid.Error{Field: "request", Message: "must give ids or a group"}
	}
	if err != nil {
		return err
	}
	report := ReplayReport{Replayed: make([]ReplayedView, 0, len(res.Replayed)), NotReplayed: make([]NotReplayedView, 0, len(res.NotReplayed)), More: res.More}
	for _, d := range res.Replayed {
		report.Replayed = append(report.Replayed, ReplayedView{
			ID: d.ID, OrderID: d.OrderID, Stream: d.Stream, Group: d.Group, Type: d.Type, OrderReopened: d.Reopened,
		})
	}
	for _, r := range res.NotReplayed {
		report.NotReplayed = append(report.NotReplayed, refusal(r))
	}
	return c.JSON(report)
}

// refusal says why one dead letter of a bulk replay was not replayed, with
// the codes a single replay would answer.
func refusal(r deadletters.Refused) NotReplayedView {
	v := NotReplayedView{ID: r.ID}
	switch he := MapError(r.Err); {
	case he != nil:
		v.Code, v.Message = he.Code, he.Message
	case fault.IsUnavailable(r.Err):
		v.Code, v.Message = "unavailable", "Redis did not answer; the dead letter may or may not have been replayed: list the dead letters to see"
	default:
		v.Code, v.Message = "internal", "internal error"
	}
	return v
}

// ReplayRequest names the dead letters to replay: ids, or a group.
type ReplayRequest struct {
	// IDs lists dead letter ids, at most 100.
	IDs []string `json:"ids,omitempty" example:"1732363200000-0,1732363200001-0"`
	// Group replays the oldest dead letters this consumer group gave up on.
	Group string `json:"group,omitempty" enums:"orders,kitchen,inventory" example:"kitchen"`
}

// ReplayReport says what a bulk replay did.
type ReplayReport struct {
	Replayed    []ReplayedView    `json:"replayed"`
	NotReplayed []NotReplayedView `json:"notReplayed"`
	// More says the group may have more dead letters: ask again.
	More bool `json:"more"`
}

// ReplayedView is a dead letter whose message is back on its stream.
type ReplayedView struct {
	ID      string `json:"id" example:"1732363200000-0"`
	OrderID string `json:"orderId,omitempty"`
	Stream  string `json:"stream" example:"comanda:kitchen"`
	Group   string `json:"group" example:"inventory"`
	Type    string `json:"type" example:"kitchen.ingredients-requested"`
	// OrderReopened says the order's failure was cleared now; when false,
	// the order moves on as its message is handled.
	OrderReopened bool `json:"orderReopened"`
}

// NotReplayedView is a dead letter that was not replayed, and why.
type NotReplayedView struct {
	ID      string `json:"id" example:"1732363200000-0"`
	Code    string `json:"code" example:"dead_letter_not_found"`
	Message string `json:"message"`
}
