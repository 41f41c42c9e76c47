package io.billingbatch.launch;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import io.billingbatch.ledger.ReportPeriod;

import org.springframework.scheduling.support.CronExpression;

/**
 * A launch definition from {@code jobs/}: a name, a cron expression, a zone and the jobs to run in
 * order, each with the period it runs for ({@code previous-day}, {@code today},
 * {@code previous-month}, {@code current-month} or a literal {@code 2026-10} / {@code 2026-10-05}),
 * and {@code auto-topup.dry-run=true} for a top-up that only reports its plan. A bad definition
 * is refused with a message naming the file and the field.
 */
public record LaunchDefinition(Path file, String name, CronExpression cron, String cronText, ZoneId zone,
        Map<String, String> periodRules, Set<String> dryRunJobs) {

    static final Set<String> RULES = Set.of("previous-day", "today", "previous-month", "current-month");

    /** The rules that name a period still running at the fire time: only for a job that acts on its day. */
    static final Set<String> UNENDED_RULES = Set.of("today", "current-month");

    public static LaunchDefinition load(Path file) {
        Properties properties = new Properties() {

            @Override
            public synchronized Object put(Object key, Object value) {
                Object earlier = super.put(key, value);
                if (earlier != null) {
                    // the last one silently winning would run, e.g., another period than the one read first
                    throw invalid(file, key.toString(), "is given twice ('" + earlier + "', then '" + value + "'): give it once");
                }
                return null;
            }
        };
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        catch (IOException ex) {
            throw new IllegalArgumentException(file + ": cannot be read (" + ex.getMessage() + ")");
        }
        // the jobs a definition may name are the declared period jobs (a job exists where it runs: checked then);
        // those acting on a business day take a <job>.dry-run field
        Map<String, PeriodJobCommand> jobs = new LinkedHashMap<>();
        Commands.periodJobs().forEach(job -> jobs.put(job.name(), job));
        for (String key : properties.stringPropertyNames()) {
            boolean known = Set.of("name", "cron", "zone", "jobs").contains(key)
                    || (key.endsWith(".period") && jobs.containsKey(key.substring(0, key.length() - ".period".length())))
                    || (key.endsWith(".dry-run") && dryRunJob(jobs, key.substring(0, key.length() - ".dry-run".length())));
            if (!known) {
                throw invalid(file, key, "is not a field of a launch definition (name, cron, zone, jobs, <job>.period,"
                        + " auto-topup.dry-run)");
            }
        }
        String name = properties.getProperty("name", file.getFileName().toString().replaceFirst("\\.properties$", ""));
        String cronText = required(file, properties, "cron");
        CronExpression cron;
        try {
            cron = CronExpression.parse(cronText);
        }
        catch (IllegalArgumentException ex) {
            throw invalid(file, "cron", "'" + cronText + "' is not a cron expression (second minute hour day month weekday): "
                    + ex.getMessage());
        }
        ZoneId zone;
        try {
            zone = ReportPeriod.parseZone(properties.getProperty("zone", "UTC"));
        }
        catch (IllegalArgumentException ex) {
            throw invalid(file, "zone", ex.getMessage());
        }
        Map<String, String> rules = new LinkedHashMap<>();
        for (String listed : required(file, properties, "jobs").split(",")) {
            String trimmed = listed.trim();
            PeriodJobCommand job = jobs.get(trimmed);
            if (job == null) {
                throw invalid(file, "jobs", "'" + trimmed + "' is not a job (" + String.join(", ", jobs.keySet().stream().sorted().toList()) + ")");
            }
            String rule = properties.getProperty(trimmed + ".period", job.defaultRule()).trim();
            String field = trimmed + ".period";
            try {
                ReportPeriod example = period(rule, zone, Instant.parse("2026-01-15T12:00:00Z"));
                if (job.daily() && example.isMonth()) {
                    throw new IllegalArgumentException(trimmed + " runs for a day, not a month");
                }
                if (job.monthly() && !example.isMonth()) {
                    throw new IllegalArgumentException(trimmed + " runs for a month, not a day");
                }
                if (UNENDED_RULES.contains(rule) && !job.actsOnDay()) {
                    throw new IllegalArgumentException(trimmed + " reports a period once it has ended, and this one never"
                            + " has when the definition fires (use previous-day or previous-month)");
                }
            }
            catch (IllegalArgumentException ex) {
                throw invalid(file, field, "'" + rule + "': " + ex.getMessage());
            }
            rules.put(trimmed, rule);
        }
        Set<String> dryRuns = new java.util.TreeSet<>();
        for (String job : jobs.keySet().stream().filter(candidate -> dryRunJob(jobs, candidate)).toList()) {
            String value = properties.getProperty(job + ".dry-run");
            if (value == null) {
                continue;
            }
            if (!value.trim().equals("true") && !value.trim().equals("false")) {
                throw invalid(file, job + ".dry-run", "'" + value.trim() + "' is not true or false");
            }
            if (!rules.containsKey(job)) {
                throw invalid(file, job + ".dry-run", "is set but jobs does not name " + job);
            }
            if (value.trim().equals("true")) {
                dryRuns.add(job);
            }
        }
        return new LaunchDefinition(file, name, cron, cronText, zone, rules, Set.copyOf(dryRuns));
    }

    private static boolean dryRunJob(Map<String, PeriodJobCommand> jobs, String name) {
        return jobs.containsKey(name) && jobs.get(name).actsOnDay() && jobs.get(name).offersDryRun();
    }

    /** The period a rule names when the definition fires at {@code firedAt}. */
    static ReportPeriod period(String rule, ZoneId zone, Instant firedAt) {
        LocalDate day = firedAt.atZone(zone).toLocalDate();
        String key = switch (rule) {
            case "previous-day" -> day.minusDays(1).toString();
            case "today" -> day.toString();
            case "previous-month" -> YearMonth.from(day).minusMonths(1).toString();
            case "current-month" -> YearMonth.from(day).toString();
            default -> rule;
        };
        if (!RULES.contains(rule) && !rule.matches("\\d{4}-\\d{2}(-\\d{2})?")) {
            throw new IllegalArgumentException("a period is previous-day, today, previous-month, current-month or a"
                    + " literal month/day");
        }
        return ReportPeriod.parse(key, zone.getId());
    }

    /** The jobs with the periods they run for when the definition fires at {@code firedAt}. */
    public List<Map.Entry<String, ReportPeriod>> plan(Instant firedAt) {
        List<Map.Entry<String, ReportPeriod>> plan = new ArrayList<>();
        periodRules.forEach((job, rule) -> plan.add(Map.entry(job, period(rule, zone, firedAt))));
        return plan;
    }

    private static String required(Path file, Properties properties, String field) {
        String value = properties.getProperty(field);
        if (value == null || value.isBlank()) {
            throw invalid(file, field, "is required");
        }
        return value.trim();
    }

    private static IllegalArgumentException invalid(Path file, String field, String reason) {
        return new IllegalArgumentException(file + ": field " + field + " " + reason);
    }
}
