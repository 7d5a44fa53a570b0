package feed

import (
	"time"

	"github.com/comanda-dev/comanda/internal/events"
)

// Wire types of docs/feed.md.

type counts struct {
	Placed     int `json:"placed"`
	InProgress int `json:"inProgress"`
	Delivered  int `json:"delivered"`
	Failed     int `json:"failed"`
}

type orderView struct {
	ID       string        `json:"id"`
	Stage    events.Stage  `json:"stage"`
	Recipe   string        `json:"recipe,omitempty"`
	Since    time.Time     `json:"since,omitzero"`
	PlacedAt time.Time     `json:"placedAt,omitzero"`
	At       time.Time     `json:"at,omitzero"`
	Reason   string        `json:"reason,omitempty"`
	Missing  []events.Item `json:"missing,omitempty"`
	T        int64         `json:"t,omitempty"`
}

type stockView struct {
	Ingredient string `json:"ingredient"`
	OnHand     int    `json:"onHand"`
	Initial    *int   `json:"initial,omitempty"`
	Bought     *int   `json:"bought,omitempty"`
	Consumed   *int   `json:"consumed,omitempty"`
	T          int64  `json:"t,omitempty"`
}

type purchaseView struct {
	ID         string    `json:"id"`
	Ingredient string    `json:"ingredient"`
	Quantity   int       `json:"quantity"`
	OrderIDs   []string  `json:"orderIds"`
	OnHand     int       `json:"onHand"`
	At         time.Time `json:"at"`
	T          int64     `json:"t,omitempty"`
}

type deadLetterView struct {
	// ID is the dead letter's entry id: what orders-app's replay takes.
	ID      string    `json:"id"`
	OrderID string    `json:"orderId,omitempty"`
	Group   string    `json:"group"`
	Type    string    `json:"type"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
	T       int64     `json:"t,omitempty"`
}

// message is a snapshot or an events frame.
type message struct {
	Type        string           `json:"type"`
	Cursor      string           `json:"cursor"`
	At          time.Time        `json:"at"`
	Counts      counts           `json:"counts"`
	Orders      []orderView      `json:"orders"`
	Stock       []stockView      `json:"stock"`
	Buying      []string         `json:"buying"`
	Purchases   []purchaseView   `json:"purchases"`
	DeadLetters []deadLetterView `json:"deadLetters"`
}
