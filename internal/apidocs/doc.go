// Package apidocs serves a service's API at /documentation/: its Swagger 2.0
// spec as swag writes it from the handlers' annotations (doc.json, doc.yaml),
// the same API converted to OpenAPI 3 (openapi.json, openapi.yaml), and a
// Swagger UI page that offers both.
//
// The specs are bytes a service's docs package embeds, generated with make
// swag and committed, so a binary carries no spec parser or registry: swag
// and the converter stay build-time tools. Swagger UI's assets come
// precompressed from swgui's embedded copy; the page runs no inline script or
// style, so it works under the gateway's Content-Security-Policy.
//
// The package must not import any app.
package apidocs
