package api

import (
	"time"

	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// PlaceRequest orders dishes.
type PlaceRequest struct {
	// Quantity is how many dishes to order at once.
	Quantity int `json:"quantity" example:"20" minimum:"1" maximum:"10000"`
}

// PlaceResponse acknowledges a placement; the dishes are on their way.
type PlaceResponse struct {
	BatchID  string    `json:"batchId" example:"019ab8f2-6c1e-7a3c-9d2e-3f4a5b6c7d8e"`
	Quantity int       `json:"quantity" example:"2"`
	OrderIDs []string  `json:"orderIds" example:"019ab8f2-6c1e-7a3c-9d2e-3f4a5b6c7d8f,019ab8f2-6c1e-7a3c-9d2e-3f4a5b6c7d90"`
	PlacedAt time.Time `json:"placedAt"`
}

// OrderView is one order.
type OrderView struct {
	ID            string     `json:"id" example:"019ab8f2-6c1e-7a3c-9d2e-3f4a5b6c7d8f"`
	BatchID       string     `json:"batchId" example:"019ab8f2-6c1e-7a3c-9d2e-3f4a5b6c7d8e"`
	Status        string     `json:"status" enums:"placed,queued,waiting_ingredients,preparing,delivered,failed" example:"delivered"`
	Recipe        string     `json:"recipe,omitempty" example:"rice with chicken"`
	FailureReason string     `json:"failureReason,omitempty"`
	PlacedAt      time.Time  `json:"placedAt"`
	UpdatedAt     time.Time  `json:"updatedAt"`
	DeliveredAt   *time.Time `json:"deliveredAt,omitempty"`
	Timeline      []StepView `json:"timeline,omitempty"`
}

// StepView is one event of an order's timeline.
type StepView struct {
	Status  string    `json:"status" example:"preparing"`
	At      time.Time `json:"at"`
	Detail  string    `json:"detail,omitempty"`
	EventID string    `json:"eventId"`
}

// ListResponse is a page of order history, newest first.
type ListResponse struct {
	Orders []OrderView `json:"orders"`
	// NextCursor fetches the next page; absent on the last page.
	NextCursor string `json:"nextCursor,omitempty"`
}

// StatsResponse counts orders.
type StatsResponse struct {
	Total      int            `json:"total" example:"200"`
	InProgress int            `json:"inProgress" example:"12"`
	ByStatus   map[string]int `json:"byStatus"`
}

// LimitsResponse tells clients the service's limits.
type LimitsResponse struct {
	MaxQuantity int `json:"maxQuantity" example:"10000"`
	MaxPage     int `json:"maxPage" example:"500"`
}

// DeadLetterView is a message no service could handle.
type DeadLetterView struct {
	ID         string    `json:"id" example:"1732363200000-0"`
	At         time.Time `json:"at"`
	OrderID    string    `json:"orderId,omitempty"`
	Stream     string    `json:"stream" example:"comanda:kitchen"`
	MessageID  string    `json:"messageId"`
	Group      string    `json:"group" example:"inventory"`
	Type       string    `json:"type" example:"kitchen.ingredients-requested"`
	Deliveries int64     `json:"deliveries" example:"1"`
	Reason     string    `json:"reason"`
}

// DeadLetterList is a page of dead letters, newest first.
type DeadLetterList struct {
	DeadLetters []DeadLetterView `json:"deadLetters"`
	NextCursor  string           `json:"nextCursor,omitempty"`
}

func orderView(o order.Order) OrderView {
	v := OrderView{
		ID: o.ID, BatchID: o.BatchID, Status: string(o.Status()), Recipe: o.Recipe,
		FailureReason: o.FailureReason, PlacedAt: o.PlacedAt, UpdatedAt: o.UpdatedAt,
	}
	if !o.DeliveredAt.IsZero() {
		d := o.DeliveredAt
		v.DeliveredAt = &d
	}
	for _, st := range o.Timeline {
		v.Timeline = append(v.Timeline, StepView{Status: string(st.Status), At: st.At, Detail: st.Detail, EventID: st.EventID})
	}
	return v
}

func deadLetterView(d stream.DeadLetter) DeadLetterView {
	return DeadLetterView{
		ID: d.ID, At: d.At, OrderID: d.OrderID, Stream: d.Stream, MessageID: d.MessageID,
		Group: d.Group, Type: d.Type, Deliveries: d.Deliveries, Reason: d.Reason,
	}
}
