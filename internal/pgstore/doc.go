// Package pgstore holds what every PostgreSQL store of Comanda shares: opening
// a pool whose tables live in the service's own schema, applying the service's
// embedded migrations, and the outbox table's queries.
//
// The package must not import any app.
package pgstore
