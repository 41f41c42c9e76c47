-- The fire times of the launch definitions in jobs/ that serve has run. A row is the claim on one
-- fire time: the instance whose INSERT ... ON CONFLICT DO NOTHING added it runs the definition,
-- every other instance firing at the same time finds it taken and does nothing. Start-up reads the
-- latest claimed fire time of each definition to catch up a run missed while everything was down.

CREATE TABLE schedule_runs (
    definition text        NOT NULL,            -- the definition's name (its file name by default)
    fire_time  timestamptz NOT NULL,            -- the cron's fire time, not the time it actually ran
    claimed_by text        NOT NULL,            -- host, process and scheduler that ran it
    catch_up   boolean     NOT NULL DEFAULT false,
    tm_start   timestamptz NOT NULL DEFAULT now(),
    tm_end     timestamptz,
    outcome    text CHECK (outcome IN ('completed', 'failed', 'busy', 'error')), -- null while it runs
    detail     text,                            -- each job with its period, status and execution
    PRIMARY KEY (definition, fire_time)
);
