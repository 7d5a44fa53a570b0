package order

import (
	"slices"

	"github.com/comanda-dev/comanda/internal/events"
)

// Status is where an order stands: a stage of the contract (internal/events
// owns the stages, their order and what moves an order between them).
type Status = events.Stage

// The statuses of an order, in the order they happen; Failed is off the line.
const (
	Placed             = events.StagePlaced
	Queued             = events.StageQueued
	WaitingIngredients = events.StageWaitingIngredients
	Preparing          = events.StagePreparing
	Delivered          = events.StageDelivered
	Failed             = events.StageFailed
)

// Statuses lists every status, for validation and stats.
var Statuses = append(slices.Clone(events.Progress), Failed)

// InProgress lists the statuses of orders still being served.
var InProgress = slices.Clone(events.Progress[:len(events.Progress)-1])
