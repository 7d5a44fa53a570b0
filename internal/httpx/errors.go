package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/fault"
	"github.com/comanda-dev/comanda/internal/invalid"
)

// Error is an error with the HTTP status and stable code a client sees.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail explains an error to the client.
type ErrorDetail struct {
	// Code is stable and meant for programs, e.g. "invalid_quantity".
	Code string `json:"code" example:"invalid_quantity"`
	// Message is meant for people.
	Message string `json:"message" example:"quantity must be between 1 and 10000"`
}

// Errorf builds an Error.
func Errorf(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// errorHandler turns any error into the JSON error shape. mapErr translates
// the app's domain errors; anything unknown is a 500 whose detail stays in
// the log.
func errorHandler(log *slog.Logger, mapErr func(error) *Error) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var he *Error
		var fe *fiber.Error
		var bad *invalid.Error
		switch {
		case errors.As(err, &he):
		case mapErr != nil && mapErr(err) != nil:
			he = mapErr(err)
		case errors.As(err, &bad):
			he = Errorf(http.StatusUnprocessableEntity, "invalid_"+bad.Field, bad.Field+" "+bad.Message)
		case errors.Is(err, context.DeadlineExceeded):
			he = Errorf(http.StatusServiceUnavailable, "timeout", "the store did not answer in time; try again")
		case errors.As(err, &fe):
			he = &Error{Status: fe.Code, Code: codeFor(fe.Code), Message: fe.Message}
		case fault.IsUnavailable(err):
			// A store or Redis that does not answer is no fault of the
			// request: the client may try again shortly.
			log.Warn("handling request: a dependency is unavailable", "method", c.Method(), "path", c.Path(), "err", err)
			c.Set(fiber.HeaderRetryAfter, "1")
			he = &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "a store or Redis is not answering; try again shortly"}
		default:
			log.Error("handling request", "method", c.Method(), "path", c.Path(), "err", err)
			he = &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; see the service log"}
		}
		return c.Status(he.Status).JSON(ErrorBody{Error: ErrorDetail{Code: he.Code, Message: he.Message}})
	}
}

func codeFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	return "error"
}
