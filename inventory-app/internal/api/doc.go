// Package api is the HTTP API of inventory-app (Fiber): it decodes and
// validates requests, calls one use case, and encodes the answer.
// *fiber.Ctx never leaves this package.
package api
