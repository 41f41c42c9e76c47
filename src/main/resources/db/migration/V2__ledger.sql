-- The billing ledger. Table and column names are a contract other tools read and write:
-- they insert rows naming only these columns, so every column added later needs a default.
-- All money is integer micro-USD (1 USD = 1,000,000).

CREATE TABLE billing_accounts (
    id              uuid PRIMARY KEY,
    customer_id     uuid   NOT NULL,
    name            text,
    detail          text,
    status          text   NOT NULL DEFAULT 'active',   -- active | frozen | deleted
    balance_credit  bigint NOT NULL DEFAULT 0,
    payment_type    text,
    payment_method  text,
    tm_create       timestamptz DEFAULT now(),
    tm_update       timestamptz,
    tm_delete       timestamptz                           -- null = not deleted
);

CREATE INDEX billing_accounts_customer_idx ON billing_accounts (customer_id);

-- One row per charge or credit. No foreign key to billing_accounts: orphans must stay detectable.
CREATE TABLE billing_billings (
    id                      uuid PRIMARY KEY,
    customer_id             uuid,
    account_id              uuid   NOT NULL,
    transaction_type        text,       -- usage | top_up | adjustment | refund
    status                  text,       -- progressing | end
    reference_type          text,       -- call | sms | number | number_renew | top_up | auto_top_up | adjustment | refund
    reference_id            uuid,
    usage_duration          int,        -- seconds
    billable_units          int,        -- seconds for calls, 1 per SMS, 1 per number
    rate_credit_per_unit    bigint,
    amount_credit           bigint,     -- signed: charges negative, credits positive
    balance_credit_snapshot bigint,     -- the account's balance right after this row was posted
    posting_seq             bigint UNIQUE,   -- global order of balance changes; null while progressing
    tm_posted               timestamptz,     -- when the balance changed; null while progressing
    idempotency_key         uuid UNIQUE,
    tm_billing_start        timestamptz,
    tm_billing_end          timestamptz,
    tm_create               timestamptz DEFAULT now(),
    tm_update               timestamptz,
    tm_delete               timestamptz,
    CONSTRAINT billing_billings_reference_uk UNIQUE (reference_type, reference_id)
);

-- Period selection of every report: rows by the instant their balance changed.
CREATE INDEX billing_billings_posted_idx ON billing_billings (tm_posted);

-- Writers that post a row take the next value of this sequence as posting_seq.
CREATE SEQUENCE billing_posting_seq AS bigint;

-- The rate card with effective dates: the rate of a usage row is the one in force at its tm_billing_start.
CREATE TABLE billing_rates (
    reference_type  text        NOT NULL,
    unit            text        NOT NULL,
    credit_per_unit bigint      NOT NULL CHECK (credit_per_unit >= 0),
    effective_from  timestamptz NOT NULL,
    PRIMARY KEY (reference_type, effective_from)
);

INSERT INTO billing_rates (reference_type, unit, credit_per_unit, effective_from) VALUES
    ('call',         'second',  20000,   '2000-01-01T00:00:00Z'),
    ('sms',          'message', 8000,    '2000-01-01T00:00:00Z'),
    ('number',       'number',  5000000, '2000-01-01T00:00:00Z'),
    ('number_renew', 'number',  5000000, '2000-01-01T00:00:00Z');
