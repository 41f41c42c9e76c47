package io.billingbatch.ledger;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ReportPeriodTest {

    @Test
    void monthIsHalfOpenInUtc() {
        ReportPeriod october = ReportPeriod.parse("2026-10", "UTC");

        assertThat(october.start()).isEqualTo(Instant.parse("2026-10-01T00:00:00Z"));
        assertThat(october.end()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(october.contains(Instant.parse("2026-10-01T00:00:00Z"))).isTrue();
        assertThat(october.contains(Instant.parse("2026-10-31T23:59:59.999999Z"))).isTrue();
        assertThat(october.contains(Instant.parse("2026-11-01T00:00:00Z"))).isFalse();
        assertThat(october.contains(Instant.parse("2026-09-30T23:59:59.999999Z"))).isFalse();
    }

    @Test
    void dayIsHalfOpenInItsZone() {
        ReportPeriod day = ReportPeriod.parse("2026-10-05", "Asia/Tokyo");

        assertThat(day.start()).isEqualTo(Instant.parse("2026-10-04T15:00:00Z"));
        assertThat(day.end()).isEqualTo(Instant.parse("2026-10-05T15:00:00Z"));
        assertThat(day.isMonth()).isFalse();
    }

    @Test
    void dayAcrossTheAutumnDstChangeLasts25Hours() {
        ReportPeriod fallBack = ReportPeriod.parse("2026-11-01", "America/New_York");

        assertThat(fallBack.start()).isEqualTo(Instant.parse("2026-11-01T04:00:00Z"));
        assertThat(fallBack.end()).isEqualTo(Instant.parse("2026-11-02T05:00:00Z"));
        assertThat(Duration.between(fallBack.start(), fallBack.end())).hasHours(25);
    }

    @Test
    void dayAcrossTheSpringDstChangeLasts23Hours() {
        ReportPeriod springForward = ReportPeriod.parse("2026-03-29", "Europe/Berlin");

        assertThat(Duration.between(springForward.start(), springForward.end())).hasHours(23);
    }

    @Test
    void monthContainingADstChangeStartsAndEndsAtLocalMidnight() {
        ReportPeriod october = ReportPeriod.parse("2026-10", "Europe/Berlin");

        assertThat(october.start()).isEqualTo(Instant.parse("2026-09-30T22:00:00Z"));
        assertThat(october.end()).isEqualTo(Instant.parse("2026-10-31T23:00:00Z"));
    }

    @Test
    void lastCompleteMonthIsThePreviousCalendarMonthInTheZone() {
        Instant now = Instant.parse("2026-11-25T03:00:00Z");

        assertThat(ReportPeriod.lastCompleteMonth(now, ZoneId.of("UTC")).key()).isEqualTo("2026-10");
        assertThat(ReportPeriod.lastCompleteMonth(Instant.parse("2026-11-01T02:00:00Z"), ZoneId.of("America/New_York")).key())
                .isEqualTo("2026-09");
    }

    @Test
    void malformedPeriodsAndZonesAreRefusedWithTheirReason() {
        assertThatIllegalArgumentException().isThrownBy(() -> ReportPeriod.parse("2026-13", "UTC"))
                .withMessageContaining("2026-13");
        assertThatIllegalArgumentException().isThrownBy(() -> ReportPeriod.parse("2026-02-30", "UTC"))
                .withMessageContaining("2026-02-30");
        assertThatIllegalArgumentException().isThrownBy(() -> ReportPeriod.parse("October", "UTC"))
                .withMessageContaining("October");
        assertThatIllegalArgumentException().isThrownBy(() -> ReportPeriod.parse("2026-10", "Mars/Olympus"))
                .withMessageContaining("Mars/Olympus");
        assertThatIllegalArgumentException().isThrownBy(() -> ReportPeriod.parse(null, "UTC"))
                .withMessageContaining("period is required");
    }
}
