// Package gateway is the single entry point of Comanda: it owns the manager's
// login and sessions, proxies /api/orders/*, /api/kitchen/* and
// /api/inventory/* to the services' /api/v1/* with the session's token, and
// relays the dashboard's WebSocket to inventory-app. *fiber.Ctx never leaves
// this package.
package gateway
