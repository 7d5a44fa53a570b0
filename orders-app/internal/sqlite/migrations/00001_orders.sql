-- +goose Up
-- status is what the manager sees, derived from progress and failure_reason
-- by order.Order.Status and written with them: it is stored so that history
-- can be filtered and counted by an index.
CREATE TABLE orders (
    id             TEXT PRIMARY KEY,
    batch_id       TEXT NOT NULL,
    status         TEXT NOT NULL,
    progress       TEXT NOT NULL,
    recipe         TEXT NOT NULL DEFAULT '',
    failure_reason TEXT NOT NULL DEFAULT '',
    placed_at      INTEGER NOT NULL, -- Unix microseconds, UTC
    updated_at     INTEGER NOT NULL,
    delivered_at   INTEGER
) WITHOUT ROWID;
CREATE INDEX orders_status_id ON orders (status, id DESC);
CREATE INDEX orders_batch_id ON orders (batch_id, id DESC);

CREATE TABLE order_steps (
    event_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    status   TEXT NOT NULL,
    at       INTEGER NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX order_steps_order ON order_steps (order_id, at);

CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event BLOB NOT NULL);

-- +goose Down
DROP TABLE outbox;
DROP TABLE order_steps;
DROP TABLE orders;
