// Package apiclient is a Go client that oapi-codegen generates from
// orders-app's OpenAPI 3 spec (make swag; make swag-check holds it current).
// It exists to prove that the served spec generates a client that works
// against the real service.
package apiclient
