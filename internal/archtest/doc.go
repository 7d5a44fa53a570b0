// Package archtest holds the code to what its package docs say about imports,
// and its generated files to Go's generated-code header. A rule that only a
// comment states drifts from the code unnoticed; written in the form below,
// it fails the tests the day it is broken.
//
// # Rules
//
// A package doc states a rule in a sentence of its prose (its paragraphs and
// list items; indented blocks are examples and are not read), in one of two
// fixed forms:
//
//	… must not import TERM, TERM or TERM.
//	… uses only the standard library …
//
// The first form's list ends where the sentence does (a period followed by a
// space or by the end of the paragraph), or at a colon or a semicolon; what
// follows is free prose. Its terms are separated by commas and by "or", and
// each is one of:
//
//   - a path inside the module, relative to it (internal/stream,
//     inventory-app/internal/warehouse): that package and every package under
//     it;
//   - a path outside the module, as it is imported (net/http,
//     github.com/gofiber/fiber/v2): that package and every package under it,
//     so that github.com/jackc/pgx names every major version;
//   - "any app": every package of the module outside internal/ (today
//     orders-app, kitchen-app, inventory-app, web and cmd);
//   - "any adapter": the store and transport drivers (pgx, SQLite, the
//     MongoDB driver, go-redis, miniredis, Fiber, fasthttp, net/http) and
//     every package of the module that depends on one;
//   - "anything of the module": every package of the module.
//
// A path is read as relative to the module when a package of the module lies
// there, else as written; a path that names no package of the build is an
// error, so that a rule cannot guard something that is not there. The second
// form holds every dependency of the package to the standard library.
//
// A rule holds the package's build, everything `go list -deps` lists for it,
// not its tests: a domain's tests may run its store suite against an adapter.
// Any other wording of an import rule is an error, and so is a list that
// cannot be read, so that a rule cannot silently stop being checked:
//
//	It must never import internal/stream.   say "must not import"
//	The package does not import any app.    say "must not import"
//	It must not import the warehouse.       a term that is no path
//
// # Generated files
//
// Every *_docs.go file of a docs package (the Swagger specs make swag writes)
// starts with Go's "Code generated … DO NOT EDIT." header, so that tools and
// readers tell it from code written by hand.
//
// The package uses only the standard library and must not import any app.
package archtest
