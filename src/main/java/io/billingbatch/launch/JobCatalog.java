package io.billingbatch.launch;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.springframework.batch.core.job.Job;
import org.springframework.stereotype.Component;

/**
 * Every {@link Job} bean by its {@link Job#getName() name}, so a job added in its own package is
 * launchable by name, each with its declaration ({@link PeriodJobCommand}: its command, the roles
 * that may launch it, its period).
 */
@Component
public class JobCatalog {

    private final Map<String, Job> jobs = new TreeMap<>();

    public JobCatalog(List<Job> jobs) {
        jobs.forEach(job -> this.jobs.put(job.getName(), job));
    }

    public Optional<Job> find(String name) {
        return Optional.ofNullable(name == null ? null : jobs.get(name));
    }

    /** The job's declaration; a job bean without one is a report over a day or a month that admin tokens launch. */
    public PeriodJobCommand declaration(String name) {
        return Commands.periodJob(name).orElseGet(() -> PeriodJobCommand.undeclared(name));
    }

    public java.util.Set<String> names() {
        return jobs.keySet();
    }
}
