package io.billingbatch.ledger;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MoneyTest {

    @Test
    void formatsMicrosAsSixDecimalUsd() {
        assertThat(Money.toUsd(6_000_000)).isEqualTo("6.000000");
        assertThat(Money.toUsd(-1_234_567)).isEqualTo("-1.234567");
        assertThat(Money.toUsd(8_000)).isEqualTo("0.008000");
        assertThat(Money.toUsd(0)).isEqualTo("0.000000");
    }

    @Test
    void parsesExactUsdOnly() {
        assertThat(Money.fromUsd(new BigDecimal("100.00"))).isEqualTo(100_000_000);
        assertThat(Money.fromUsd("69.77263")).isEqualTo(69_772_630);
        assertThatIllegalArgumentException().isThrownBy(() -> Money.fromUsd("0.0000001"));
        assertThatIllegalArgumentException().isThrownBy(() -> Money.fromUsd("ten"));
    }
}
