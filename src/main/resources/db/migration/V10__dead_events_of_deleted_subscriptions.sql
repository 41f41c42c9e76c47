-- A deleted webhook subscription gets nothing more: events that were still queued for one end
-- dead with the reason (deleting one now does this itself, and the dispatcher checks again).
UPDATE webhook_outbox SET status = 'dead', last_error = 'subscription deleted'
WHERE status = 'pending'
  AND subscription_id IN (SELECT id FROM webhook_subscriptions WHERE tm_delete IS NOT NULL);
