-- The rules of an auto top-up policy (TopUpPolicy, as topup-policy and the API check them), now also
-- in the table, so a direct write cannot store a policy the job would have to reject.
--
-- A database may already hold rows that break them. Each check is added NOT VALID (it holds for every
-- insert and update from now on, without reading the old rows) and then validated where the rows
-- allow it; one that existing rows break stays NOT VALID with a warning, and the auto-topup job
-- rejects those rows with their reason (report and batch_item_rejects) until they are set again.

ALTER TABLE auto_topup_policies
    ADD CONSTRAINT auto_topup_policies_threshold_check CHECK (threshold_credit >= 0) NOT VALID,
    ADD CONSTRAINT auto_topup_policies_mode_check CHECK (mode IN ('fixed', 'target')) NOT VALID,
    ADD CONSTRAINT auto_topup_policies_fixed_amount_check CHECK (amount_credit >= 0 AND (mode <> 'fixed' OR amount_credit > 0)) NOT VALID,
    ADD CONSTRAINT auto_topup_policies_target_check
        CHECK (mode <> 'target' OR (target_credit IS NOT NULL AND target_credit > threshold_credit)) NOT VALID,
    ADD CONSTRAINT auto_topup_policies_max_per_day_check CHECK (max_per_day >= 1) NOT VALID,
    -- at least one top-up: the fixed amount, or in target mode the gap from the threshold to the target
    ADD CONSTRAINT auto_topup_policies_monthly_cap_check CHECK (monthly_cap_credit >= CASE mode
        WHEN 'fixed' THEN amount_credit WHEN 'target' THEN target_credit - threshold_credit ELSE 0 END) NOT VALID,
    ADD CONSTRAINT auto_topup_policies_funding_check CHECK (funding IN ('grant', 'http')) NOT VALID,
    ADD CONSTRAINT auto_topup_policies_max_consecutive_failures_check CHECK (max_consecutive_failures >= 1) NOT VALID,
    ADD CONSTRAINT auto_topup_policies_consecutive_failures_check CHECK (consecutive_failures >= 0) NOT VALID;

DO $$
DECLARE
    check_name text;
BEGIN
    FOR check_name IN
        SELECT conname FROM pg_constraint
        WHERE conrelid = 'auto_topup_policies'::regclass AND contype = 'c' AND NOT convalidated
    LOOP
        BEGIN
            EXECUTE format('ALTER TABLE auto_topup_policies VALIDATE CONSTRAINT %I', check_name);
        EXCEPTION WHEN check_violation THEN
            RAISE WARNING 'auto_topup_policies: check % stays NOT VALID: existing rows break it (auto-topup rejects them with their reason; set them again with topup-policy)', check_name;
        END;
    END LOOP;
END $$;
