package dashboard

import (
	"encoding/json"
	"fmt"

	"github.com/comanda-dev/comanda/internal/events"
)

// lifecycleFile is the dashboard's module of the order lifecycle, made from
// the contract (internal/events): the page and its unit tests import it, so
// the stages are never typed again in JavaScript. TestLifecycleModule keeps
// it in step (go test ./web/internal/dashboard -run Lifecycle -update
// writes it).
const lifecycleFile = "assets/lifecycle.js"

// lifecycleModule renders the module.
func lifecycleModule() []byte {
	progress, _ := json.Marshal(events.Progress)
	return fmt.Appendf(nil, `// Code generated from internal/events (stages.go) by web/internal/dashboard; DO NOT EDIT.

// The stages an order moves through, in order.
export const STAGES = %s;
// Where an order ends when it is served.
export const DELIVERED = %q;
// Off the line: a message of the order was dead-lettered.
export const FAILED = %q;
`, progress, events.StageDelivered, events.StageFailed)
}
