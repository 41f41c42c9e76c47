package io.billingbatch.partition;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.batch.infrastructure.item.ExecutionContext;

import static org.assertj.core.api.Assertions.assertThat;

class AccountRangeTest {

    static final UUID LOW = UUID.fromString("10000000-0000-0000-0000-000000000000");

    static final UUID HIGH = UUID.fromString("90000000-0000-0000-0000-000000000000");

    @Test
    void ordersAccountsAsPostgreSqlDoesNotAsUuidCompareTo() {
        // UUID.compareTo compares signed longs: it puts 9000... before 1000...; PostgreSQL compares bytes
        assertThat(HIGH.compareTo(LOW)).isNegative();
        AccountRange upper = new AccountRange(LOW, null);

        assertThat(upper.contains(HIGH)).isTrue();
        assertThat(new AccountRange(null, LOW).contains(HIGH)).isFalse();
        assertThat(new AccountRange(LOW, HIGH).contains(LOW)).as("from is inclusive").isTrue();
        assertThat(new AccountRange(LOW, HIGH).contains(HIGH)).as("to is exclusive").isFalse();
    }

    @Test
    void travelsInAStepExecutionContextAndTheManagersList() {
        ExecutionContext context = new ExecutionContext();
        new AccountRange(LOW, HIGH).putInto(context);
        assertThat(AccountRange.of(context)).isEqualTo(new AccountRange(LOW, HIGH));
        assertThat(AccountRange.of(new ExecutionContext())).isEqualTo(AccountRange.ALL);

        List<AccountRange> ranges = List.of(new AccountRange(null, LOW), new AccountRange(LOW, HIGH), new AccountRange(HIGH, null));
        assertThat(AccountRangeSplitter.parse(AccountRangeSplitter.format(ranges))).isEqualTo(ranges);
        assertThat(AccountRangeSplitter.parse(AccountRangeSplitter.format(List.of(AccountRange.ALL))))
                .containsExactly(AccountRange.ALL);
    }
}
