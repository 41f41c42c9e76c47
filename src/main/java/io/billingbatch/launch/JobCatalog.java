package io.billingbatch.launch;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.springframework.batch.core.job.Job;
import org.springframework.stereotype.Component;

/** Every {@link Job} bean by its {@link Job#getName() name}, so a job added in its own package is launchable by name. */
@Component
public class JobCatalog {

    private final Map<String, Job> jobs = new TreeMap<>();

    public JobCatalog(List<Job> jobs) {
        jobs.forEach(job -> this.jobs.put(job.getName(), job));
    }

    public Optional<Job> find(String name) {
        return Optional.ofNullable(name == null ? null : jobs.get(name));
    }

    public java.util.Set<String> names() {
        return jobs.keySet();
    }
}
