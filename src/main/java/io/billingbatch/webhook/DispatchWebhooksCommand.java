package io.billingbatch.webhook;

import java.util.Set;

import io.billingbatch.launch.Command;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.CommandLine;
import io.billingbatch.launch.Invocation;

/** {@code dispatch-webhooks [--max=10000]}: delivers the due events of the outbox now. */
public class DispatchWebhooksCommand implements Command<Integer> {

    @Override
    public String name() {
        return "dispatch-webhooks";
    }

    @Override
    public Set<String> options() {
        return Set.of("max");
    }

    @Override
    public String usage() {
        return "dispatch-webhooks [--max=10000]   deliver the due webhook events of the outbox now";
    }

    @Override
    public Integer check(Invocation invocation) {
        return (int) invocation.longOption("max", 10_000, 1, 10_000_000);
    }

    @Override
    public int run(Integer max, CommandContext context) {
        int tried = context.bean(WebhookDispatcher.class).dispatchDue(max);
        context.out().printf("webhooks: %d delivery attempt(s) made; failed ones are retried with backoff, see webhook_outbox%n",
                tried);
        return CommandLine.OK;
    }
}
