package io.billingbatch.ledger;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test can pin to an instant and move, so what "now" means to the application (which
 * periods have ended, the as-of of a provisional run) never depends on the day the tests run.
 * Unpinned it is the system clock.
 */
public final class TestClock extends Clock {

    private volatile Instant pinned;

    public TestClock() {
    }

    public TestClock(Instant pinned) {
        this.pinned = pinned;
    }

    public void pin(Instant instant) {
        this.pinned = instant;
    }

    public void unpin() {
        this.pinned = null;
    }

    @Override
    public Instant instant() {
        Instant now = pinned;
        return now == null ? Instant.now() : now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(instant(), zone);
    }
}
