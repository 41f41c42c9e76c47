package io.billingbatch.demo;

import java.util.SplittableRandom;
import java.util.UUID;

/**
 * UUIDv7 layout (RFC 9562) from a timestamp and seeded random bits, so that ids made in time
 * order land at the right edge of their B-tree indexes (append-mostly) and a seed reproduces them.
 * <p>
 * The low 40 bits carry a caller-supplied counter that is unique per column (the posting
 * sequence, an account index), which makes the ids unique without relying on luck.
 */
final class TimeOrderedUuids {

    private static final long COUNTER_MASK = (1L << 40) - 1;

    private final SplittableRandom random;

    TimeOrderedUuids(SplittableRandom random) {
        this.random = random;
    }

    UUID next(long epochMicros, long uniqueCounter) {
        long millis = Math.floorDiv(epochMicros, 1000);
        // rand_a holds the sub-millisecond fraction (RFC 9562, method 3) to keep the order finer than a millisecond.
        long subMillis = Math.floorMod(epochMicros, 1000) * 4096 / 1000;
        long mostSignificant = (millis << 16) | 0x7000L | subMillis;
        long leastSignificant = 0x8000_0000_0000_0000L
                | ((random.nextLong() & 0x3F_FFFFL) << 40)
                | (uniqueCounter & COUNTER_MASK);
        return new UUID(mostSignificant, leastSignificant);
    }
}
