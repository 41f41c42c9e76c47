package io.billingbatch.batch;

import java.time.Duration;

import io.billingbatch.testing.TestLog;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;

import static org.assertj.core.api.Assertions.assertThat;

/** What the stop and takeover tests of every job wait for and check about a run that was held and stopped. */
public final class StoppedRuns {

    private StoppedRuns() {
    }

    /**
     * Until the background launch of the execution has returned: {@code BackgroundJobLauncher} logs
     * "... ended STATUS (execution id)" once the job, its listeners (where a stop reason becomes the
     * exit message) and its run (lock, heartbeat row) are done. A wait for that line, not a poll.
     */
    public static void awaitEnd(long id) throws InterruptedException {
        TestLog.awaitLine(line -> line.contains(" ended ") && line.contains("(execution " + id + ")"),
                "that execution " + id + " ended", Duration.ofSeconds(60));
    }

    /**
     * The execution ended STOPPED in its first step, which also ended STOPPED after writing the
     * chunk in flight ({@code written} items) and nothing after it.
     */
    public static void assertStoppedAfterTheChunkInFlight(JobExecution stopped, String firstStep, long written) {
        assertThat(stopped.getStatus()).isEqualTo(BatchStatus.STOPPED);
        assertThat(stopped.getStepExecutions()).singleElement().satisfies(step -> {
            assertThat(step.getStepName()).isEqualTo(firstStep);
            assertThat(step.getStatus()).isEqualTo(BatchStatus.STOPPED);
            assertThat(step.getWriteCount()).as("the chunk in flight, nothing after it").isEqualTo(written);
        });
    }
}
