package events

import "time"

// OrderCounts is what orders-app keeps under Streams.Counts for the
// dashboard: how many orders there are by state, read from its store. The
// live feed shows these rather than counting the streams' events, since
// streams forget what every group has acknowledged.
type OrderCounts struct {
	Placed     int       `json:"placed"` // every order ever placed
	InProgress int       `json:"inProgress"`
	Delivered  int       `json:"delivered"`
	Failed     int       `json:"failed"`
	At         time.Time `json:"at"`
}
