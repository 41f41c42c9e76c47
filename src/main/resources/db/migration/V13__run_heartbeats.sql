-- One row per job execution that a process is running under its run lock (and, for a stop asked of
-- an execution, the request). The process beats tm_beat every billing.runs.heartbeat-interval on
-- the lock's own connection, only while that connection still holds the lock. A launch may take a
-- period over (recover its execution and restart it) only when the lock is free AND the execution's
-- beat is older than billing.runs.heartbeat-timeout (or absent): a free lock alone is no proof that
-- the process that held it is gone. The row is removed when the run ends or is recovered.

CREATE TABLE batch_run_heartbeats (
    job_execution_id bigint      PRIMARY KEY,
    job_name         text        NOT NULL,
    lock_key         text,                   -- the run lock's key (job|period|zone); null for a stop request alone
    host             text,
    pid              bigint,
    instance_id      text,                   -- random per process: tells two processes with the same pid apart
    tm_started       timestamptz,
    tm_beat          timestamptz,            -- database time of the last beat; null before the first
    stop_requested   timestamptz,            -- set by a stop request; the running process stops at its next check
    stop_reason      text
);
