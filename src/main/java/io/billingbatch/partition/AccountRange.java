package io.billingbatch.partition;

import java.util.UUID;

import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * The accounts one partition handles: {@code from} (inclusive) to {@code to} (exclusive), in
 * PostgreSQL's order of {@code uuid}; a null end is open. {@link #ALL} is the whole ledger, what an
 * unpartitioned step (and a grid of 1) reads. Carried in the partition's step execution context, so
 * a restarted or redelivered partition reads the same accounts it was given.
 */
public record AccountRange(UUID from, UUID to) {

    public static final AccountRange ALL = new AccountRange(null, null);

    static final String FROM = "partition.accounts-from";

    static final String TO = "partition.accounts-to";

    /** The range of a step execution: its partition's, or {@link #ALL} for a step that is not a partition. */
    public static AccountRange of(StepExecution stepExecution) {
        return stepExecution == null ? ALL : of(stepExecution.getExecutionContext());
    }

    static AccountRange of(ExecutionContext context) {
        return new AccountRange(uuid(context, FROM), uuid(context, TO));
    }

    void putInto(ExecutionContext context) {
        if (from != null) {
            context.putString(FROM, from.toString());
        }
        if (to != null) {
            context.putString(TO, to.toString());
        }
    }

    /** Whether the range holds the account, in PostgreSQL's order of uuid (unsigned bytes, unlike {@link UUID#compareTo}). */
    public boolean contains(UUID account) {
        return (from == null || compare(account, from) >= 0) && (to == null || compare(account, to) < 0);
    }

    static int compare(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    @Override
    public String toString() {
        return "accounts [" + (from == null ? "first" : from) + ", " + (to == null ? "last]" : to + ")");
    }

    private static UUID uuid(ExecutionContext context, String key) {
        return context.containsKey(key) ? UUID.fromString(context.getString(key)) : null;
    }
}
