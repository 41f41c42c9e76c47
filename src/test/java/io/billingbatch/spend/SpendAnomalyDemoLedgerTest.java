package io.billingbatch.spend;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.billingbatch.testing.Tables;
import io.billingbatch.testing.BillingTest;
import io.billingbatch.demo.DemoLedgerGenerator;
import io.billingbatch.demo.DemoLedgerResult;
import io.billingbatch.demo.DemoLedgerSpec;
import io.billingbatch.ledger.ReportPeriod;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The anomaly rule on the demo ledger (the default one: 2,000 accounts, three months, 300,000 rows)
 * with spikes planted by {@code demo-data --spikes}: every planted spike is found, and no other day
 * of any account is, over every day that has a full baseline.
 */
@BillingTest
class SpendAnomalyDemoLedgerTest {

    @Autowired
    DemoLedgerGenerator generator;

    @Autowired
    SpendAnomalyDetector detector;

    @Autowired
    JdbcTemplate jdbc;

    record Found(String account, LocalDate day, String type) {
    }

    @Test
    void findsThePlantedSpikesAndNothingElseOnTheDemoLedger() {
        // given
        Tables.reset(jdbc);
        DemoLedgerSpec spec = DemoLedgerSpec.defaults(YearMonth.of(2026, 11));
        DemoLedgerResult result = generator.generate(spec, 6);
        Set<Found> planted = result.spikes().stream()
                .map(spike -> new Found(spike.accountId().toString(), spike.day(), spike.type())).collect(Collectors.toSet());
        assertThat(planted).hasSize(6).extracting(Found::type).contains("call", "sms");

        // when: every day from the first with a full baseline to the last of the history (the highest score of
        // the other days, README "A customer's spend", is not computed here: a second query per day, half the test)
        List<Found> found = new ArrayList<>();
        for (LocalDate day = spec.firstMonth().atDay(15); day.isBefore(spec.firstMonth().plusMonths(spec.months()).atDay(1));
                day = day.plusDays(1)) {
            ReportPeriod period = ReportPeriod.parse(day.toString(), "UTC");
            LocalDate shown = day;
            detector.detect(period).forEach(anomaly -> found.add(new Found(anomaly.accountId().toString(), shown, anomaly.type())));
        }
        org.slf4j.LoggerFactory.getLogger(SpendAnomalyDemoLedgerTest.class).info("spend anomalies on the demo ledger: found {}",
                found);

        // then
        assertThat(found).containsExactlyInAnyOrderElementsOf(planted);
    }
}
