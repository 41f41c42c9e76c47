-- Auto top-up: per-account policies, the audit of every top-up, each run's outcome per account,
-- and the low-balance alerts already raised (once per account, level and day).

CREATE TABLE auto_topup_policies (
    account_id               uuid    PRIMARY KEY,
    enabled                  boolean NOT NULL DEFAULT true,
    threshold_credit         bigint  NOT NULL DEFAULT 50000000,    -- top up when the balance is below it
    mode                     text    NOT NULL DEFAULT 'fixed',     -- fixed | target
    amount_credit            bigint  NOT NULL DEFAULT 100000000,   -- fixed: what one top-up adds
    target_credit            bigint,                               -- target: the balance one top-up restores
    max_per_day              int     NOT NULL DEFAULT 1,
    monthly_cap_credit       bigint  NOT NULL DEFAULT 1000000000,  -- sum of auto top-ups in a calendar month (UTC)
    funding                  text    NOT NULL DEFAULT 'grant',
    max_consecutive_failures int     NOT NULL DEFAULT 3,
    consecutive_failures     int     NOT NULL DEFAULT 0,
    tm_update                timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE auto_topups (
    idempotency_key  uuid        PRIMARY KEY,   -- from account + business date + sequence of the day
    account_id       uuid        NOT NULL,
    business_date    date        NOT NULL,
    sequence         int         NOT NULL,
    ledger_id        uuid        NOT NULL,
    job_execution_id bigint      NOT NULL,      -- which execution made it (audit)
    amount_credit    bigint      NOT NULL,
    balance_before   bigint      NOT NULL,
    balance_after    bigint      NOT NULL,
    rule             text        NOT NULL,
    tm_create        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX auto_topups_account_date_idx ON auto_topups (account_id, business_date);

CREATE TABLE auto_topup_results (
    job_instance_id bigint NOT NULL,
    account_id      uuid   NOT NULL,
    outcome         text   NOT NULL,            -- topped_up | planned | skipped | already_done
    balance_before  bigint,
    amount_credit   bigint,
    balance_after   bigint,
    rule            text   NOT NULL,
    PRIMARY KEY (job_instance_id, account_id)
);

CREATE TABLE low_balance_alerts (
    account_id    uuid        NOT NULL,
    business_date date        NOT NULL,
    level         text        NOT NULL,         -- low | critical
    balance       bigint      NOT NULL,
    tm_create     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, business_date, level)
);
