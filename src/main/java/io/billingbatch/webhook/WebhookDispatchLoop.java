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
 * While {@code serve} runs, delivers the outbox's due events: a pass runs as long as it finds due
 * events (claiming more as deliveries end), and the next one starts
 * {@code billing.webhooks.dispatch-interval} after it found nothing left (default 10 s; 0 turns it
 * off). Several servers may run it at once: they share the rows through leases.
 */
@Component
@ConditionalOnWebApplication
class WebhookDispatchLoop implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(WebhookDispatchLoop.class);

    private final WebhookDispatcher dispatcher;

    private final Duration interval;

    private ScheduledExecutorService executor;

    private volatile boolean stopping;

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
        stopping = false;
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "webhook-dispatch");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::dispatch, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void dispatch() {
        try {
            int tried = dispatcher.dispatch(Integer.MAX_VALUE, () -> stopping);
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
            stopping = true;
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
