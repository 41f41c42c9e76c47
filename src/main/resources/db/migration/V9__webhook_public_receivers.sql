-- A subscription made with a customer token may only deliver to public internet addresses: its
-- host is checked when it is created and again before every delivery (the name may resolve
-- elsewhere later). Subscriptions made by an admin may name receivers inside the network.
ALTER TABLE webhook_subscriptions ADD COLUMN public_only boolean NOT NULL DEFAULT false;
