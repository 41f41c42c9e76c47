package io.billingbatch.launch;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A launch's options checked as the command line checks them, for jobs with and without a command of their own. */
class JobRequestTest {

    static final Clock NOV_25 = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void aJobCommandsOptionsBecomeItsPeriodParameters() {
        JobRequest request = JobRequest.parse("cost-report", Map.of("period", "2026-10", "zone", "Europe/Berlin",
                "rerun", "true"), NOV_25);

        assertThat(request.parameters().period().key()).isEqualTo("2026-10");
        assertThat(request.parameters().period().zone().getId()).isEqualTo("Europe/Berlin");
        assertThat(request.rerun()).isTrue();
    }

    @Test
    void autoTopUpRunsForTodayInUtcUnlessADateIsGiven() {
        JobRequest today = JobRequest.parse("auto-topup", Map.of("dry-run", "true"), NOV_25);
        assertThat(today.parameters().period().key()).isEqualTo("2026-11-25");
        assertThat(today.parameters().dryRun()).isTrue();
        assertThat(today.rerun()).isFalse();
        assertThatThrownBy(() -> JobRequest.parse("auto-topup", Map.of("period", "2026-11"), NOV_25))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown option --period for auto-topup (it takes: --date, --dry-run, --rerun)");
    }

    @Test
    void aJobWithoutACommandTakesPeriodZoneAndRerunAndFinancePackAMonth() {
        assertThat(JobRequest.parse("finance-pack", Map.of("period", "2026-10"), NOV_25).parameters().period().isMonth())
                .isTrue();
        assertThatThrownBy(() -> JobRequest.parse("finance-pack", Map.of("period", "2026-10-05"), NOV_25))
                .hasMessage("finance-pack runs for a month: --period must be a month like 2026-10, was '2026-10-05'");
        assertThatThrownBy(() -> JobRequest.parse("finance-pack", Map.of("period", "2026-10", "dry-run", "true"), NOV_25))
                .hasMessage("unknown option --dry-run for finance-pack (it takes: --period, --rerun, --zone)");
        assertThatThrownBy(() -> JobRequest.parse("finance-pack", Map.of("period", "2026-10", "rerun", "often"), NOV_25))
                .hasMessage("--rerun is a flag: give it alone or as --rerun=true|false");
    }
}
