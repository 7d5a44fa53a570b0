// Code generated from internal/events (stages.go) by web/internal/dashboard; DO NOT EDIT.

// The stages an order moves through, in order.
export const STAGES = ["placed","queued","waiting_ingredients","preparing","delivered"];
// Where an order ends when it is served.
export const DELIVERED = "delivered";
// Off the line: a message of the order was dead-lettered.
export const FAILED = "failed";
