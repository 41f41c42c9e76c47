package io.billingbatch.demo;

import java.time.LocalDate;
import java.util.UUID;

/**
 * A spend spike that {@code demo-data --spikes=N} planted: on {@code day} (UTC) the account made
 * {@code events} extra calls or messages of {@code type}, costing {@code amount} micro-USD in all,
 * far beyond its usual day. The spend-anomalies job must report exactly these.
 */
public record DemoSpike(UUID accountId, String accountName, LocalDate day, String type, int events, long amount) {
}
