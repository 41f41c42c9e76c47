package io.billingbatch.batch;

import java.time.Duration;
import java.time.Instant;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;

import static org.assertj.core.api.Assertions.assertThat;

/** What the stop and takeover tests of every job wait for and check about a run that was held and stopped. */
public final class StoppedRuns {

    private StoppedRuns() {
    }

    /** Polls the repository (with a deadline) until the execution no longer runs. */
    public static void awaitEnd(JobRepository jobRepository, long id) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (jobRepository.getJobExecution(id).isRunning()) {
            assertThat(Instant.now()).as("execution " + id + " ends").isBefore(deadline);
            Thread.sleep(20);
        }
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
