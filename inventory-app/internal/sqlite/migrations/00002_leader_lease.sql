-- +goose Up
-- The warehouse's leader lease: one row. token is the fencing token, raised
-- by every new leader; every write transaction checks it under the write
-- lock. Times are Unix milliseconds of the machine all replicas share.
CREATE TABLE leader_lease (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    holder     TEXT NOT NULL,
    token      INTEGER NOT NULL CHECK (token > 0),
    expires_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE leader_lease;
