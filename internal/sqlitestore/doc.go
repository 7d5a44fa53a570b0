// Package sqlitestore holds what every SQLite store of Comanda shares (the
// embedded run keeps each service's data in a SQLite file): opening the file
// with the pragmas that make concurrent use safe, applying the service's
// embedded migrations, preparing the hot statements once, the outbox table's
// queries and the lock that serialises its relays, and the time columns'
// units. A store embeds DB and writes only its own tables' queries.
//
// The package must not import any app.
package sqlitestore
