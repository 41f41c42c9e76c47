-- Issue 10: a customer's spend (history, cost of a period, runway, anomalies) and the traffic pause.

-- The pause flag lives in a column of its own, not in status: status (active | frozen | deleted) is the
-- ledger's contract (a non-active account takes no balance change, other tools write it), while a paused
-- account must still take the top-up that ends its pause. Set by the low-balance alert when the balance
-- falls below billing.alerts.critical, cleared once it is back at or above billing.alerts.low. The platform
-- reads it to hold outbound traffic. Defaults keep every existing writer's inserts valid.
ALTER TABLE billing_accounts
    ADD COLUMN traffic_paused    boolean NOT NULL DEFAULT false,
    ADD COLUMN tm_traffic_paused timestamptz;                  -- when the current pause began; null when not paused

-- One account's rows by posting time: the billing history, the cost of any period and the burn rate read
-- an account's period without touching the rest of its history (their cost follows the period, not the
-- ledger's age). It carries the columns the spend rules read, so the cost of a period is an index-only
-- scan: an account's rows are spread over the whole period's heap, one page per row (benchmark
-- --jobs=account-cost: 42,346 interleaved rows read 28,624 heap pages, 0.4 - 2.1 s; index-only, about 400 pages).
CREATE INDEX billing_billings_account_posted_idx ON billing_billings (account_id, tm_posted)
    INCLUDE (transaction_type, status, reference_type, amount_credit, tm_delete);

-- billing_account.runway_low raised, once per account and day (UTC): the row and its event are written together.
CREATE TABLE runway_alerts (
    account_id    uuid        NOT NULL,
    business_date date        NOT NULL,
    hours_left    numeric     NOT NULL,
    balance       bigint      NOT NULL,
    tm_create     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, business_date)
);

-- Days whose spend of one type stood far outside the account's own recent days (the spend-anomalies job).
-- A run replaces the day's rows of its zone; the event of a (day, zone, account, type) is raised once.
CREATE TABLE spend_anomalies (
    day             date        NOT NULL,
    zone            text        NOT NULL,
    account_id      uuid        NOT NULL,
    type            text        NOT NULL,      -- call | sms | number
    customer_id     uuid,
    account_name    text,
    spend           bigint      NOT NULL,      -- micro-USD spent that day
    baseline_median bigint      NOT NULL,      -- median of the baseline days
    baseline_spread bigint      NOT NULL,      -- 1.4826 x median absolute deviation
    baseline_days   int         NOT NULL,
    job_instance_id bigint      NOT NULL,
    tm_create       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (day, zone, account_id, type)
);

CREATE INDEX spend_anomalies_account_idx ON spend_anomalies (account_id, day);
