package io.billingbatch.api;

import java.net.URI;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

import io.billingbatch.access.ApiAudit;
import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.Role;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.BackgroundJobLauncher.Launched;
import io.billingbatch.launch.BackgroundJobLauncher;
import io.billingbatch.launch.JobCatalog;
import io.billingbatch.launch.JobRequest;
import io.billingbatch.launch.LaunchRefusedException;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.launch.PeriodJobLauncher;
import io.billingbatch.launch.RunHeartbeats;
import io.billingbatch.launch.UsageException;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobExecutionNotRunningException;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.ListableStepLocator;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Jobs over HTTP: launch a job for a period (checked exactly as the command line checks it), list
 * and inspect executions, stop one, restart a failed or stopped one. A launch answers 202 as soon
 * as the job has started; it goes on in the background under the same single-run rules as the
 * command line. Launching a period that is running or complete is a 409 naming that execution.
 */
@RestController
@RequestMapping("/v1.0/jobs")
class JobsController {

    private static final int MAX_LIMIT = 200;

    private static final String RECENT_EXECUTIONS = """
            SELECT e.job_execution_id
            FROM batch_job_execution e
            JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id
            WHERE (CAST(? AS text) IS NULL OR i.job_name = ?)
              AND (CAST(? AS text) IS NULL OR e.status = ?)
            ORDER BY e.job_execution_id DESC
            LIMIT ?
            """;

    private final JobCatalog jobs;

    private final BackgroundJobLauncher launcher;

    private final PeriodJobLauncher periodLauncher;

    private final RunHeartbeats runs;

    private final JobRepository jobRepository;

    private final JdbcTemplate jdbc;

    private final ApiAudit audit;

    private final Clock clock;

    JobsController(JobCatalog jobs, BackgroundJobLauncher launcher, PeriodJobLauncher periodLauncher, RunHeartbeats runs,
            JobRepository jobRepository, JdbcTemplate jdbc, ApiAudit audit, Clock clock) {
        this.jobs = jobs;
        this.launcher = launcher;
        this.periodLauncher = periodLauncher;
        this.runs = runs;
        this.jobRepository = jobRepository;
        this.jdbc = jdbc;
        this.audit = audit;
        this.clock = clock;
    }

    /** A launch refused because the period is running or complete: 409 with that execution's id. */
    static final class JobConflictException extends ApiException {

        private final Long executionId;

        JobConflictException(String message, Long executionId) {
            super(HttpStatus.CONFLICT, "conflict", message);
            this.executionId = executionId;
        }
    }

    @ExceptionHandler(JobConflictException.class)
    ResponseEntity<Map<String, Object>> conflict(JobConflictException ex) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ex.status().value());
        body.put("error", ex.error());
        body.put("message", ex.getMessage());
        body.put("execution_id", ex.executionId);
        return ResponseEntity.status(ex.status()).body(body);
    }

    @PostMapping("/{job}/executions")
    ResponseEntity<JobExecutionJson> launch(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String job, @RequestBody(required = false) Map<String, Object> body) {
        requireJobPermission(principal, "launching " + job, job);
        Job found = job(job);
        JobRequest request;
        try {
            request = JobRequest.parse(job, options(body), clock);
        }
        catch (UsageException ex) {
            throw ApiException.badRequest(ex.getMessage());
        }
        JobExecution started = started(found, request.parameters(), request.rerun());
        audit.record(principal, "job.launch", "execution " + started.getId(), describe(job, request.parameters())
                + (request.rerun() ? " rerun" : ""));
        return accepted(started);
    }

    @GetMapping("/executions")
    List<JobExecutionJson> executions(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(name = "job", required = false) String jobFilter,
            @RequestParam(name = "status", required = false) String statusFilter,
            @RequestParam(defaultValue = "20") int limit) {
        principal.require("reading job executions", Role.ADMIN, Role.FINANCE);
        String job = jobFilter == null || jobFilter.isBlank() ? null : jobFilter; // ?job=&status= is no filter
        String status = statusFilter == null || statusFilter.isBlank() ? null : statusFilter;
        if (status != null && Arrays.stream(BatchStatus.values()).noneMatch(known -> known.name().equals(status))) {
            throw ApiException.badRequest("status '" + status + "' is not a job status ("
                    + String.join(", ", Arrays.stream(BatchStatus.values()).map(Enum::name).toList()) + ")");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        return jdbc.queryForList(RECENT_EXECUTIONS, Long.class, job, job, status, status, limit).stream()
                .map(id -> json(jobRepository.getJobExecution(id))).toList();
    }

    @GetMapping("/executions/{id}")
    JobExecutionJson execution(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable long id) {
        principal.require("reading job executions", Role.ADMIN, Role.FINANCE);
        return json(existing(id));
    }

    /** The execution a stop or restart acts on, once the token may do that to its job. */
    private JobExecution actedOn(ApiPrincipal principal, String action, long id) {
        principal.require(action + " a job", Role.ADMIN, Role.FINANCE);
        JobExecution execution = existing(id);
        String job = execution.getJobInstance().getJobName();
        requireJobPermission(principal, action + " " + job, job);
        return execution;
    }

    @PostMapping("/executions/{id}/stop")
    ResponseEntity<JobExecutionJson> stop(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable long id) {
        JobExecution execution = actedOn(principal, "stopping", id);
        String job = execution.getJobInstance().getJobName();
        try {
            // a request the running thread acts on at its next check (JobOperator.stop would write the
            // step's row from this thread and close the step's reader under it)
            runs.requestStop(execution);
        }
        catch (JobExecutionNotRunningException ex) {
            throw new JobConflictException("execution " + id + " is not running (it is " + execution.getStatus() + ")", id);
        }
        audit.record(principal, "job.stop", "execution " + id, job);
        return ResponseEntity.accepted().body(json(jobRepository.getJobExecution(id)));
    }

    @PostMapping("/executions/{id}/restart")
    ResponseEntity<JobExecutionJson> restart(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable long id) {
        JobExecution execution = actedOn(principal, "restarting", id);
        String name = execution.getJobInstance().getJobName();
        if (execution.getStatus() != BatchStatus.FAILED && execution.getStatus() != BatchStatus.STOPPED) {
            throw new JobConflictException("only a FAILED or STOPPED execution can be restarted; execution " + id + " is "
                    + execution.getStatus(), id);
        }
        PeriodJobParameters parameters = PeriodJobParameters.from(execution.getJobParameters());
        JobExecution latest = periodLauncher.latest(name, parameters).map(PeriodJobLauncher.Latest::execution).orElse(null);
        if (latest != null && latest.getId() != id) {
            throw new JobConflictException("execution " + id + " is not the last run of " + describe(name, parameters)
                    + ": execution " + latest.getId() + " is", latest.getId());
        }
        JobExecution started = started(job(name), parameters, false);
        audit.record(principal, "job.restart", "execution " + id, describe(name, parameters) + " restarted as execution "
                + started.getId());
        return accepted(started);
    }

    private JobExecution started(Job job, PeriodJobParameters parameters, boolean rerun) {
        Launched launched;
        try {
            launched = launcher.launch(job, parameters, rerun);
        }
        catch (RejectedExecutionException ex) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "busy", "too many jobs are running in this instance;"
                    + " try again when one has ended");
        }
        catch (BackgroundJobLauncher.StartTimeoutException ex) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "busy", ex.getMessage());
        }
        catch (LaunchRefusedException ex) {
            // the period rule, checked by the launcher every launch goes through: a conflict with the calendar
            throw new JobConflictException(ex.getMessage(), null);
        }
        if (launched instanceof Launched.Started started) {
            return started.execution();
        }
        LaunchOutcome outcome = ((Launched.Refused) launched).outcome();
        String what = describe(job.getName(), parameters);
        if (outcome instanceof LaunchOutcome.AlreadyComplete complete) {
            throw new JobConflictException(what + " is already complete (execution " + complete.execution().getId()
                    + "); nothing was run: add \"rerun\": true to replace it", complete.execution().getId());
        }
        LaunchOutcome.AlreadyRunning refused = (LaunchOutcome.AlreadyRunning) outcome;
        JobExecution running = refused.execution();
        throw new JobConflictException(what + " is already running" + (running == null ? "" : " (execution "
                + running.getId() + ")") + (refused.whereItRuns() == null ? "" : ": " + refused.whereItRuns()),
                running == null ? null : running.getId());
    }

    private ResponseEntity<JobExecutionJson> accepted(JobExecution started) {
        JobExecution current = jobRepository.getJobExecution(started.getId());
        return ResponseEntity.accepted().location(URI.create("/v1.0/jobs/executions/" + started.getId()))
                .body(json(current == null ? started : current));
    }

    /** The roles that may launch, stop and restart a job are the job's to declare (its {@code PeriodJobCommand}). */
    private void requireJobPermission(ApiPrincipal principal, String action, String job) {
        Set<Role> roles = jobs.declaration(job).roles();
        principal.require(action, Arrays.stream(Role.values()).filter(roles::contains).toArray(Role[]::new));
    }

    private Job job(String name) {
        return jobs.find(name).orElseThrow(() -> ApiException.notFound("no job named '" + name + "' (jobs: "
                + String.join(", ", jobs.names()) + ")"));
    }

    private JobExecution existing(long id) {
        JobExecution execution;
        try {
            execution = jobRepository.getJobExecution(id);
        }
        catch (EmptyResultDataAccessException ex) {
            execution = null; // the JDBC repository of Batch 6 throws where the interface promises null
        }
        if (execution == null) {
            throw ApiException.notFound("no job execution " + id);
        }
        return execution;
    }

    private JobExecutionJson json(JobExecution execution) {
        if (execution.isRunning() && runs.stopRequested(execution.getId())) {
            execution.setStatus(BatchStatus.STOPPING); // shown only: the running thread writes STOPPED when it stops
        }
        Collection<String> stepNames = jobs.find(execution.getJobInstance().getJobName())
                .filter(ListableStepLocator.class::isInstance).map(job -> ((ListableStepLocator) job).getStepNames())
                .orElse(null);
        return JobExecutionJson.of(execution, stepNames);
    }

    /**
     * The body's parameters as the command line's options. The JSON types are strict, as for every
     * body of the API: a flag ({@link JobRequest#FLAGS}) is a JSON boolean, every other option a
     * JSON string ({@code "provisional": "true"} or {@code "period": 202610} is refused, not read as
     * its text), and a name is an option's name ({@code "period=2026-10"} is no way around the checks).
     */
    private static Map<String, String> options(Map<String, Object> body) {
        Map<String, String> options = new LinkedHashMap<>();
        if (body == null) {
            return options;
        }
        body.forEach((name, value) -> {
            if (!name.matches("[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*")) {
                throw ApiException.badRequest("unknown field '" + name + "': a job parameter is named like period, zone, rerun");
            }
            if (JobRequest.FLAGS.contains(name)) {
                if (!(value instanceof Boolean)) {
                    throw ApiException.badRequest(name + " must be true or false (a JSON boolean)");
                }
            }
            else if (!(value instanceof String)) {
                throw ApiException.badRequest(name + " must be a JSON string");
            }
            options.put(name, value.toString());
        });
        return options;
    }

    private static String describe(String job, PeriodJobParameters parameters) {
        return job + " " + parameters.period().key() + " (" + parameters.period().zone().getId() + ")"
                + (parameters.dryRun() ? " dry run" : "")
                + (parameters.provisional() ? " provisional as of " + parameters.provisionalAsOf() : "");
    }
}
