package io.billingbatch.ledger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LedgerAmountBoundTest {

    @Test
    void allowsAmountsUpToTheBoundEitherWayAndNothingElse() {
        var bound = new LedgerAmountBound("1000000.00");

        assertThat(bound.maxMicros()).isEqualTo(1_000_000_000_000L);
        assertThat(bound.allows(-1_000_000_000_000L)).isTrue();
        assertThat(bound.allows(1_000_000_000_000L)).isTrue();
        assertThat(bound.allows(-1_000_000_000_001L)).isFalse();
        assertThat(bound.allows(Long.MIN_VALUE)).isFalse();
        assertThat(bound.allows(null)).isFalse();
        assertThat(bound.reason(null)).isEqualTo("amount_credit is NULL");
        assertThat(bound.reason(-5_000_000_000_000_000_000L)).isEqualTo(
                "amount_credit -5000000000000.000000 USD is beyond the bound of ±1000000.000000 USD (billing.ledger.max-row-amount)");
    }

    @Test
    void refusesABoundThatIsNoPositiveUsdAmountWithTheProperty() {
        assertThatThrownBy(() -> new LedgerAmountBound("0")).hasMessage("billing.ledger.max-row-amount must be above zero, was '0'");
        assertThatThrownBy(() -> new LedgerAmountBound("lots")).hasMessageStartingWith(
                "billing.ledger.max-row-amount must be a USD amount like 1000000.00, was 'lots'");
    }
}
