-- +goose Up
-- failed_by is the dead-letter event behind an order's latest failure (a
-- replay reopens only that failure); recovers_at is the status whose arrival
-- shows the order got past it (see order.Order).
ALTER TABLE orders ADD COLUMN failed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN recovers_at TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE orders DROP COLUMN recovers_at;
ALTER TABLE orders DROP COLUMN failed_by;
