package io.billingbatch.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a generation wrote.
 *
 * @param accounts rows written to {@code billing_accounts}
 * @param rows rows written to {@code billing_billings}
 * @param firstPosted the earliest {@code tm_posted}
 * @param lastPosted the latest {@code tm_posted}
 * @param elapsed wall time of the whole load, including ANALYZE
 * @param spikes the spend spikes planted ({@code demo-data --spikes}), none by default
 */
public record DemoLedgerResult(int accounts, long rows, Instant firstPosted, Instant lastPosted, Duration elapsed,
        List<DemoSpike> spikes) {

    public DemoLedgerResult(int accounts, long rows, Instant firstPosted, Instant lastPosted, Duration elapsed) {
        this(accounts, rows, firstPosted, lastPosted, elapsed, List.of());
    }

    /** Ledger rows per second of {@link #elapsed()}. */
    public long rowsPerSecond() {
        long millis = Math.max(1, elapsed.toMillis());
        return rows * 1000 / millis;
    }
}
