package io.billingbatch.partition;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobExecutionException;
import org.springframework.batch.core.partition.StepExecutionSplitter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Creates the partitions' step executions of a manager step. The first execution of the manager
 * computes the account ranges and keeps them in its execution context, so every later execution
 * (a restart) splits the same accounts the same way, whatever the grid size or the accounts are by
 * then. On a restart a partition that completed is not run again, one that failed or stopped goes on
 * from its last commit, and one still marked running (its worker was killed, or the manager stopped
 * waiting for it) is marked ABANDONED and run again from its last commit. A manager step that must
 * start over (see {@link #START_OVER}) runs every partition again from the start of its range.
 */
final class AccountRangeSplitter implements StepExecutionSplitter {

    /** In the manager's context: the ranges of its partitions, "from,to;from,to" (empty for an open end). */
    static final String RANGES = "partition.ranges";

    /**
     * Put in the manager's context by a listener before the split: every partition runs again from
     * the start of its range, also those that completed (the step's results were cleared).
     */
    public static final String START_OVER = "partition.start-over";

    private static final Logger logger = LoggerFactory.getLogger(AccountRangeSplitter.class);

    private final JobRepository jobRepository;

    private final String workerStepName;

    private final AccountRangePartitioner partitioner;

    AccountRangeSplitter(JobRepository jobRepository, String workerStepName, AccountRangePartitioner partitioner) {
        this.jobRepository = jobRepository;
        this.workerStepName = workerStepName;
        this.partitioner = partitioner;
    }

    @Override
    public String getStepName() {
        return workerStepName;
    }

    @Override
    public Set<StepExecution> split(StepExecution manager, int gridSize) throws JobExecutionException {
        ExecutionContext managerContext = manager.getExecutionContext();
        List<AccountRange> ranges;
        if (managerContext.containsKey(RANGES)) {
            ranges = parse(managerContext.getString(RANGES));
        }
        else {
            ranges = partitioner.ranges(gridSize);
            managerContext.putString(RANGES, format(ranges));
        }
        boolean startOver = managerContext.containsKey(START_OVER);
        managerContext.remove(START_OVER);
        jobRepository.updateExecutionContext(manager);
        JobExecution jobExecution = manager.getJobExecution();
        Set<StepExecution> executions = new LinkedHashSet<>();
        for (int i = 0; i < ranges.size(); i++) {
            String name = workerStepName + ":" + AccountRangePartitioner.name(i);
            StepExecution last = jobRepository.getLastStepExecution(jobExecution.getJobInstance(), name);
            ExecutionContext context = new ExecutionContext();
            if (last != null && last.getJobExecutionId() != manager.getJobExecutionId()) {
                BatchStatus status = last.getStatus();
                if (status == BatchStatus.COMPLETED && !startOver) {
                    continue;
                }
                if (status == BatchStatus.UNKNOWN) {
                    throw new JobExecutionException(name + " ended UNKNOWN (a failure that could not be rolled back) in"
                            + " execution " + last.getJobExecutionId() + ": check it before running it again");
                }
                if (status.isRunning()) {
                    logger.warn("{} of execution {} was left {}; it is abandoned and runs again from its last commit", name,
                            last.getJobExecutionId(), status);
                    last.setStatus(BatchStatus.ABANDONED);
                    last.setEndTime(LocalDateTime.now());
                    jobRepository.update(last);
                }
                if (!startOver && status != BatchStatus.COMPLETED) {
                    context = last.getExecutionContext();
                }
            }
            else if (last != null) {
                continue; // already split in this execution
            }
            ranges.get(i).putInto(context);
            StepExecution execution = jobRepository.createStepExecution(name, jobExecution);
            execution.setExecutionContext(context);
            jobRepository.updateExecutionContext(execution);
            executions.add(execution);
        }
        return executions;
    }

    static String format(List<AccountRange> ranges) {
        List<String> parts = new ArrayList<>();
        for (AccountRange range : ranges) {
            parts.add((range.from() == null ? "" : range.from().toString()) + "," + (range.to() == null ? "" : range.to().toString()));
        }
        return String.join(";", parts);
    }

    static List<AccountRange> parse(String text) {
        List<AccountRange> ranges = new ArrayList<>();
        for (String part : text.split(";")) {
            String[] ends = part.split(",", -1);
            ranges.add(new AccountRange(ends[0].isEmpty() ? null : UUID.fromString(ends[0]),
                    ends[1].isEmpty() ? null : UUID.fromString(ends[1])));
        }
        return ranges;
    }
}
