-- +goose Up
-- status is what the manager sees, derived from progress and failure_reason
-- by order.Order.Status and written with them: it is stored so that history
-- can be filtered and counted by an index.
CREATE TABLE orders (
    id             UUID PRIMARY KEY,
    batch_id       UUID NOT NULL,
    status         TEXT NOT NULL,
    progress       TEXT NOT NULL,
    recipe         TEXT NOT NULL DEFAULT '',
    failure_reason TEXT NOT NULL DEFAULT '',
    placed_at      TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    delivered_at   TIMESTAMPTZ
);
-- History pages: newest first, optionally by status or batch.
CREATE INDEX orders_status_id ON orders (status, id DESC);
CREATE INDEX orders_batch_id ON orders (batch_id, id DESC);

CREATE TABLE order_steps (
    event_id UUID PRIMARY KEY,
    order_id UUID NOT NULL REFERENCES orders (id),
    status   TEXT NOT NULL,
    at       TIMESTAMPTZ NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_steps_order ON order_steps (order_id, at);

CREATE TABLE outbox (seq BIGSERIAL PRIMARY KEY, event BYTEA NOT NULL);

-- +goose Down
DROP TABLE outbox;
DROP TABLE order_steps;
DROP TABLE orders;
