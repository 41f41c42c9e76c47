package io.billingbatch.demo;

import java.time.Instant;
import java.time.YearMonth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DemoLedgerSpecTest {

    @Test
    void defaultsAreTheThreeMonthsBeforeTheGivenMonth() {
        // when
        DemoLedgerSpec spec = DemoLedgerSpec.defaults(YearMonth.of(2026, 2));

        // then
        assertThat(spec).isEqualTo(new DemoLedgerSpec(42, 2_000, YearMonth.of(2025, 11), 3, 300_000));
        assertThat(spec.start()).isEqualTo(Instant.parse("2025-11-01T00:00:00Z"));
        assertThat(spec.end()).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
    }

    @Test
    void refusesSpecsThatCannotBeGenerated() {
        YearMonth month = YearMonth.of(2026, 1);
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoLedgerSpec(1, 0, month, 1, 1_000))
                .withMessage("accounts must be between 1 and 1000000, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoLedgerSpec(1, 10, month, 0, 1_000))
                .withMessage("months must be between 1 and 120, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoLedgerSpec(1, 10, null, 1, 1_000))
                .withMessageContaining("firstMonth is required");
        assertThatIllegalArgumentException().isThrownBy(() -> new DemoLedgerSpec(1, 10, month, 2, 79))
                .withMessageStartingWith("targetRows must be between 80 and 2000000000 for 10 accounts over 2 months")
                .withMessageEndingWith("was 79");
    }

    @Test
    void acceptsTheSmallestTarget() {
        assertThat(new DemoLedgerSpec(1, 10, YearMonth.of(2026, 1), 2, 80).targetRows()).isEqualTo(80);
    }
}
