-- The schedule retries a fire time that failed or found a job busy, with backoff, within the catch-up
-- window, and catches up every missed fire time. schedule_runs keeps the attempts and when the next
-- one is due; schedule_definitions when serve first saw each definition: fire times before that were
-- never due (a fresh installation does not run last night's jobs at once).

ALTER TABLE schedule_runs
    ADD COLUMN attempts int NOT NULL DEFAULT 1,       -- runs of this fire time so far (first, retries, resumes)
    ADD COLUMN next_try timestamptz;                  -- when the failed or busy fire time is tried again; null: not

CREATE INDEX schedule_runs_next_try_idx ON schedule_runs (definition, next_try) WHERE next_try IS NOT NULL;

CREATE TABLE schedule_definitions (
    definition text        PRIMARY KEY,               -- the definition's name
    first_seen timestamptz NOT NULL                   -- fire times from before it are not missed
);

-- Definitions that have run already were seen by their first claimed fire time at the latest.
INSERT INTO schedule_definitions (definition, first_seen)
SELECT definition, min(fire_time) FROM schedule_runs GROUP BY definition;
