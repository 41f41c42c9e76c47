package io.billingbatch.api;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.step.StepExecution;

/**
 * A job execution as the API shows it: status, parameters, times, exit code and message, the
 * counts of every step and, while it runs, how far it got.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record JobExecutionJson(long id, String job, String status, Map<String, Object> parameters,
        @JsonProperty("start_time") Instant startTime, @JsonProperty("end_time") Instant endTime,
        @JsonProperty("exit_code") String exitCode, @JsonProperty("exit_message") String exitMessage,
        List<StepJson> steps, Progress progress) {

    /** The repository stores local date-times of this JVM's zone. */
    private static final ZoneId REPOSITORY_ZONE = ZoneId.systemDefault();

    /** The counts of one step. */
    record StepJson(String name, String status, @JsonProperty("read_count") long readCount,
            @JsonProperty("write_count") long writeCount, @JsonProperty("filter_count") long filterCount,
            @JsonProperty("skip_count") long skipCount, @JsonProperty("commit_count") long commitCount,
            @JsonProperty("rollback_count") long rollbackCount, @JsonProperty("start_time") Instant startTime,
            @JsonProperty("end_time") Instant endTime) {
    }

    /** How far a running execution got: steps done of the job's steps, the step at work and its items so far. */
    record Progress(@JsonProperty("steps_completed") int stepsCompleted, @JsonProperty("steps_total") Integer stepsTotal,
            @JsonProperty("current_step") String currentStep, @JsonProperty("items_read") long itemsRead,
            @JsonProperty("items_written") long itemsWritten) {
    }

    /** {@code stepNames} are the job's steps when known (null otherwise), for the progress of a running execution. */
    static JobExecutionJson of(JobExecution execution, Collection<String> stepNames) {
        List<StepJson> steps = execution.getStepExecutions().stream()
                .sorted(Comparator.comparingLong(StepExecution::getId))
                .map(step -> new StepJson(step.getStepName(), step.getStatus().name(), step.getReadCount(),
                        step.getWriteCount(), step.getFilterCount(), step.getSkipCount(), step.getCommitCount(),
                        step.getRollbackCount(), instant(step.getStartTime()), instant(step.getEndTime())))
                .toList();
        Progress progress = null;
        if (execution.isRunning()) {
            StepExecution current = execution.getStepExecutions().stream().filter(step -> step.getStatus().isRunning())
                    .max(Comparator.comparingLong(StepExecution::getId)).orElse(null);
            progress = new Progress((int) execution.getStepExecutions().stream()
                    .filter(step -> step.getStatus() == BatchStatus.COMPLETED).count(),
                    stepNames == null ? null : stepNames.size(), current == null ? null : current.getStepName(),
                    current == null ? 0 : current.getReadCount(), current == null ? 0 : current.getWriteCount());
        }
        String message = execution.getExitStatus().getExitDescription();
        return new JobExecutionJson(execution.getId(), execution.getJobInstance().getJobName(), execution.getStatus().name(),
                parameters(execution), instant(execution.getStartTime()), instant(execution.getEndTime()),
                execution.getExitStatus().getExitCode(), message == null || message.isBlank() ? null : firstLine(message),
                steps, progress);
    }

    static Map<String, Object> parameters(JobExecution execution) {
        Map<String, Object> parameters = new TreeMap<>();
        for (JobParameter<?> parameter : execution.getJobParameters()) {
            parameters.put(parameter.name(), parameter.value());
        }
        return new LinkedHashMap<>(parameters);
    }

    private static String firstLine(String message) {
        return message.lines().findFirst().orElse(message);
    }

    private static Instant instant(LocalDateTime time) {
        return time == null ? null : time.atZone(REPOSITORY_ZONE).toInstant();
    }
}
