// Package sqlitestore holds what every SQLite store of Comanda shares (the
// embedded run keeps each service's data in a SQLite file): opening the file
// with the pragmas that make concurrent use safe, applying the service's
// embedded migrations, and the outbox table's queries.
//
// The package must not import any app.
package sqlitestore
