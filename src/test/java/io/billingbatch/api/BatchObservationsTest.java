package io.billingbatch.api;

import io.billingbatch.batch.StoppedRuns;
import java.time.Duration;
import java.time.Instant;

import io.billingbatch.access.Role;
import io.billingbatch.ledger.LedgerFixture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Batch's job and step observations reach Prometheus: Boot's batch observation
 * auto-configuration gives every job, step and the job operator the application's
 * ObservationRegistry, whose meters land in the Prometheus registry.
 */
class BatchObservationsTest extends ServerTestSupport {

    private static final String JOB_SERIES = "spring_batch_job_seconds_count{error=\"none\",spring_batch_job_name=\"auto-topup\","
            + "spring_batch_job_status=\"COMPLETED\"}";

    private static final String STEP_SERIES = "spring_batch_step_seconds_count{error=\"none\",spring_batch_step_job_name="
            + "\"auto-topup\",spring_batch_step_name=\"autoTopUpStep\",spring_batch_step_status=\"COMPLETED\"";

    @Test
    void aLaunchedJobCountsInTheJobAndStepSeriesOnPrometheus() throws InterruptedException {
        String admin = token(Role.ADMIN);
        long jobsBefore = count(JOB_SERIES);
        long stepsBefore = count(STEP_SERIES);

        Reply launched = post("/v1.0/jobs/auto-topup/executions", """
                {"date": "2025-06-01", "dry-run": true}""", admin);

        assertThat(launched.status()).as(launched.toString()).isEqualTo(202);
        StoppedRuns.awaitEnd(launched.json().get("id").asLong()); // its observation is recorded before the run returns
        assertThat(count(JOB_SERIES)).isEqualTo(jobsBefore + 1);
        assertThat(count(STEP_SERIES)).isEqualTo(stepsBefore + 1);
    }

    @Test
    void chunksAreObservedButNotEachItem() throws InterruptedException {
        LedgerFixture ledger = new LedgerFixture(jdbc);
        java.util.UUID account = ledger.account("Observed");
        ledger.call(account, 30, Instant.parse("2025-03-04T10:00:00Z"));
        String series = "spring_batch_job_seconds_count{error=\"none\",spring_batch_job_name=\"cost-report\","
                + "spring_batch_job_status=\"COMPLETED\"}";
        long jobsBefore = count(series);

        Reply launched = post("/v1.0/jobs/cost-report/executions", """
                {"period": "2025-03-04"}""", token(Role.ADMIN));

        assertThat(launched.status()).as(launched.toString()).isEqualTo(202);
        StoppedRuns.awaitEnd(launched.json().get("id").asLong()); // its observation is recorded before the run returns
        assertThat(count(series)).as("the job's observation reaches Prometheus").isEqualTo(jobsBefore + 1);
        String metrics = get("/actuator/prometheus").text();
        assertThat(metrics).as("chunk observations stay").contains("spring_batch_chunk_write_seconds_count{");
        assertThat(metrics).as("per-item observations are off (application.properties)").doesNotContain("spring_batch_item_");
    }

    /** The value of the series whose line starts with {@code series}, 0 while it does not exist. */
    private long count(String series) {
        return get("/actuator/prometheus").text().lines().filter(line -> line.startsWith(series))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
