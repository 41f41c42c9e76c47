-- The database's identity, made once: a partition request carries its manager's, and a worker
-- started against another database refuses the request (README, "Partitions on worker machines").
CREATE TABLE billing_installation (
    id        uuid        PRIMARY KEY,
    created   timestamptz NOT NULL DEFAULT now(),
    singleton boolean     NOT NULL DEFAULT true UNIQUE CHECK (singleton)
);
INSERT INTO billing_installation (id) VALUES (gen_random_uuid());
