-- Webhook deliveries are claimed with a lease instead of a row lock held across the HTTP call: a
-- dispatcher sets lease_until and claimed_by in a short transaction, sends without any transaction
-- open, and records the outcome in another. A row whose lease ran out (its dispatcher died) is due
-- again. The in-flight rows of a subscription (pending with a running lease) bound how many more
-- are claimed for it, so one slow receiver cannot take every sender.
ALTER TABLE webhook_outbox ADD COLUMN lease_until timestamptz;
ALTER TABLE webhook_outbox ADD COLUMN claimed_by text;

-- a subscription's due rows in claim order
CREATE INDEX webhook_outbox_subscription_due_idx ON webhook_outbox (subscription_id, next_attempt_at, id)
    WHERE status = 'pending';
-- a subscription's rows in flight (an outcome clears the lease), without reading its whole queue
CREATE INDEX webhook_outbox_in_flight_idx ON webhook_outbox (subscription_id, lease_until)
    WHERE status = 'pending' AND lease_until IS NOT NULL;
