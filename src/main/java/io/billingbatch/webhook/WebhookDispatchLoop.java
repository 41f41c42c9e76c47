package io.billingbatch.webhook;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * While {@code serve} runs, delivers the outbox's due events every
 * {@code billing.webhooks.dispatch-interval} (default 10 s; 0 turns it off). Several servers may
 * run it at once: the dispatcher claims rows with {@code SKIP LOCKED}.
 */
@Component
@ConditionalOnWebApplication
class WebhookDispatchLoop implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(WebhookDispatchLoop.class);

    private final WebhookDispatcher dispatcher;

    private final Duration interval;

    private ScheduledExecutorService executor;

    WebhookDispatchLoop(WebhookDispatcher dispatcher,
            @Value("${billing.webhooks.dispatch-interval:10s}") Duration interval) {
        this.dispatcher = dispatcher;
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        if (interval.isZero() || interval.isNegative()) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "webhook-dispatch");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::dispatch, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void dispatch() {
        try {
            int tried = dispatcher.dispatchDue(1_000);
            if (tried > 0) {
                logger.info("Webhooks: {} delivery attempt(s) made", tried);
            }
        }
        catch (RuntimeException ex) {
            logger.warn("Webhook dispatch failed; it runs again in {}: {}", interval, ex.getMessage());
        }
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}
