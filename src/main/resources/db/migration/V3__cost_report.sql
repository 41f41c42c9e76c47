-- Period job results. A run writes its rows under its own job instance; publishing makes that
-- instance the period's result (published_runs) and removes the rows of the instance it replaces,
-- in one transaction.
CREATE TABLE cost_report_lines (
    job_instance_id bigint NOT NULL,
    account_id      uuid   NOT NULL,
    type            text   NOT NULL,      -- call | sms | number (number + number_renew)
    customer_id     uuid,
    account_name    text,
    records         bigint NOT NULL,
    billable_units  bigint NOT NULL,
    cost_credit     bigint NOT NULL,      -- micro-USD, positive = charged
    PRIMARY KEY (job_instance_id, account_id, type)
);

CREATE TABLE published_runs (
    job_name         text        NOT NULL,
    period           text        NOT NULL,
    zone             text        NOT NULL,
    period_start     timestamptz NOT NULL,
    period_end       timestamptz NOT NULL,
    revision         bigint      NOT NULL,
    job_instance_id  bigint      NOT NULL,
    job_execution_id bigint      NOT NULL,
    tm_published     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_name, period, zone)
);

-- The current cost summary: one row per period × zone × account × type.
CREATE VIEW cost_summary AS
SELECT r.period, r.zone, r.period_start, r.period_end, l.account_id, l.customer_id, l.account_name,
       l.type, l.records, l.billable_units, l.cost_credit
FROM published_runs r
JOIN cost_report_lines l ON l.job_instance_id = r.job_instance_id
WHERE r.job_name = 'cost-report';

-- Items a job could not take (bad input), kept so nothing is lost silently.
CREATE TABLE batch_item_rejects (
    id               bigserial PRIMARY KEY,
    job_name         text        NOT NULL,
    job_instance_id  bigint      NOT NULL,
    job_execution_id bigint      NOT NULL,
    step_name        text        NOT NULL,
    item_key         text        NOT NULL,
    item             text        NOT NULL,
    reason           text        NOT NULL,
    tm_create        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (job_instance_id, step_name, item_key)
);
