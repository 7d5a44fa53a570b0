-- +goose Up
-- On hand is initial + bought - consumed: computed, never stored, and the
-- CHECK refuses any write that would make it negative.
CREATE TABLE stock (
    ingredient TEXT PRIMARY KEY,
    initial    INTEGER NOT NULL CHECK (initial >= 0),
    bought     INTEGER NOT NULL DEFAULT 0 CHECK (bought >= 0),
    consumed   INTEGER NOT NULL DEFAULT 0 CHECK (consumed >= 0),
    CHECK (initial + bought - consumed >= 0)
) WITHOUT ROWID;

-- seq orders reservations by arrival; AUTOINCREMENT never reuses one.
CREATE TABLE reservations (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     TEXT NOT NULL UNIQUE,
    recipe       TEXT NOT NULL,
    items        TEXT NOT NULL, -- JSON [{"ingredient","quantity"}]
    status       TEXT NOT NULL CHECK (status IN ('waiting', 'reserved')),
    short_noted  INTEGER NOT NULL DEFAULT 0,
    requested_at INTEGER NOT NULL, -- Unix milliseconds, UTC
    reserved_at  INTEGER
);
CREATE INDEX reservations_waiting ON reservations (status, seq);

CREATE TABLE purchases (
    id         TEXT PRIMARY KEY, -- UUIDv7: ordered by time
    ingredient TEXT NOT NULL REFERENCES stock (ingredient),
    quantity   INTEGER NOT NULL CHECK (quantity >= 0),
    order_ids  TEXT NOT NULL, -- JSON array
    at         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX purchases_ingredient ON purchases (ingredient, id DESC);

CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event BLOB NOT NULL);

-- +goose Down
DROP TABLE outbox;
DROP TABLE purchases;
DROP TABLE reservations;
DROP TABLE stock;
