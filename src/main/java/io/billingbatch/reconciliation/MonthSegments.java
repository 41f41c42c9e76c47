package io.billingbatch.reconciliation;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.LedgerAmountBound;
import io.billingbatch.ledger.RateCard;
import io.billingbatch.ledger.ReportPeriod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The incremental month end. A month's reconciliation splits its period {@code [start, end)} into
 * segments: maximal runs of consecutive published day reconciliations (any zone: they are instants)
 * that tile part of the month exactly, and the gaps between them. A day segment contributes its
 * published per-account figures and its row findings of the kinds that are facts about one ledger
 * row ({@link MonthFromDaysSql#REUSED_ROW_KINDS}); a gap is read from the ledger by the
 * reconciliation's own statements over the gap. The account step then assembles the month's figures
 * and judges the account-level findings afresh; the ledger step adds the reused row findings and
 * judges stuck rows and orphans afresh over the month.
 * <p>
 * A day run is reused only when it was published, started after its day had ended, and ran with
 * the same amount bound and rate card as this run ({@code reconciliation_run_inputs}). Where the
 * posting order of an account disagrees with posting time across the segments, the month is read
 * from the ledger as a whole (its chain is not the one each day saw). The plan is stored under the
 * run ({@code reconciliation_segments}), so a restart reads exactly what the first execution planned.
 */
@Component
class MonthSegments {

    private static final Logger logger = LoggerFactory.getLogger(MonthSegments.class);

    /** The rate card as text, instants as epoch seconds (independent of the session's TimeZone). */
    private static final String RATES_DIGEST = """
            SELECT coalesce(md5(string_agg(concat_ws('|', reference_type, unit, credit_per_unit, extract(epoch FROM effective_from)),
                                           ',' ORDER BY reference_type, effective_from)), '')
            FROM billing_rates""";

    private static final String UPSERT_INPUTS = """
            INSERT INTO reconciliation_run_inputs (job_instance_id, max_row_amount, rates_digest) VALUES (?, ?, (%s))
            ON CONFLICT (job_instance_id) DO UPDATE SET max_row_amount = EXCLUDED.max_row_amount,
                                                         rates_digest = EXCLUDED.rates_digest
            """.formatted(RATES_DIGEST);

    /**
     * Published, sealed day runs inside the month that ran with this run's inputs (a run is sealed
     * only when its period had ended as of the run, so it missed no row of its day). Parameters: job
     * name, period start, period end, bound, this run.
     */
    private static final String DAY_RUNS = """
            SELECT r.job_instance_id, r.period, r.zone, r.period_start, r.period_end
            FROM published_runs r
            JOIN reconciliation_run_inputs i ON i.job_instance_id = r.job_instance_id
            WHERE r.job_name = ? AND r.period_start >= ? AND r.period_end <= ?
              AND r.period ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
              AND i.max_row_amount = ?
              AND i.rates_digest = (SELECT rates_digest FROM reconciliation_run_inputs WHERE job_instance_id = ?)
              AND EXISTS (SELECT 1 FROM reconciliation_seals s WHERE s.job_instance_id = r.job_instance_id)
            ORDER BY r.period_start, r.zone
            """;

    /** A month's gaps are planned once, before the account step splits (if it does): over every account. */
    private static final io.billingbatch.partition.AccountRange ALL_ACCOUNTS = io.billingbatch.partition.AccountRange.ALL;

    private static final String INSERT_SEGMENT = """
            INSERT INTO reconciliation_segments (job_instance_id, segment_start, segment_end, sealed_job_instance_id,
                                                 sealed_period, sealed_zone)
            VALUES (?, ?, ?, ?, ?, ?)
            """;

    /**
     * A gap's accounts, by the reconciliation's own statement over the gap, and what its read leaves
     * the ledger statement ({@code reconciliation_read_accounts} under the gap's start). A statement that
     * writes does not run in parallel workers: gaps are the days not reused, small beside the month.
     */
    private static final String INSERT_GAP_ACCOUNTS = """
            WITH x AS (%s),
            read AS (
                INSERT INTO reconciliation_read_accounts (job_instance_id, read_start, account_id, first_seq, candidates)
                SELECT CAST(? AS bigint), CAST(? AS timestamptz), x.account_id, x.read_first_seq, x.candidates
                FROM x WHERE x.rows_read
            )
            INSERT INTO reconciliation_gap_accounts (job_instance_id, segment_start, account_id, opening, net, credits,
                charges_call, charges_sms, charges_number, ledger_rows, first_seq, closing_seq, closing_snapshot,
                last_posting_seq, last_snapshot, last_expected, row_digest)
            SELECT CAST(? AS bigint), CAST(? AS timestamptz), x.account_id, x.opening, x.net, x.credits, x.charges_call,
                   x.charges_sms, x.charges_number, x.ledger_rows, x.first_seq, x.closing_seq, x.closing_snapshot,
                   x.last_posting_seq, x.last_snapshot, x.last_expected, x.row_digest
            FROM x
            """.formatted(ReconciliationSql.ACCOUNT_BALANCES);

    /** A gap's row findings of the reused kinds, by the reconciliation's own statement over the gap. */
    private static final String INSERT_GAP_FINDINGS = """
            INSERT INTO reconciliation_gap_findings (job_instance_id, kind, account_id, ledger_id, expected, actual, detail)
            SELECT CAST(? AS bigint), f.kind, f.account_id, f.ledger_id, f.expected, f.actual, f.detail
            FROM (%s) f
            WHERE f.kind IN (%s)
            """.formatted(ReconciliationSql.LEDGER_FINDINGS, MonthFromDaysSql.REUSED_ROW_KINDS);

    /** The reused days' row findings of the reused kinds, into the month's own segment findings. */
    private static final String COPY_DAY_FINDINGS = """
            INSERT INTO reconciliation_gap_findings (job_instance_id, kind, account_id, ledger_id, expected, actual, detail)
            SELECT s.job_instance_id, f.kind, f.account_id, f.ledger_id, f.expected, f.actual, f.detail
            FROM reconciliation_segments s JOIN reconciliation_findings f ON f.job_instance_id = s.sealed_job_instance_id
            WHERE s.job_instance_id = ? AND f.kind IN (%s)
            """.formatted(MonthFromDaysSql.REUSED_ROW_KINDS);

    /** Per segment of the plan, in order, the first and last posting_seq posted in it (null: none). */
    private static final String SEGMENT_MARKS = """
            SELECT s.segment_start, i.first_seq, i.closing_seq
            FROM reconciliation_segments s JOIN reconciliation_run_inputs i ON i.job_instance_id = s.sealed_job_instance_id
            WHERE s.job_instance_id = ?
            UNION ALL
            SELECT g.segment_start, min(g.first_seq), max(g.closing_seq)
            FROM reconciliation_gap_accounts g WHERE g.job_instance_id = ? GROUP BY g.segment_start
            ORDER BY 1
            """;

    /** At publish: the run's first and last posting in its period, for {@link #SEGMENT_MARKS}. */
    private static final String MARK_RUN = """
            UPDATE reconciliation_run_inputs i SET first_seq = m.first_seq, closing_seq = m.closing_seq
            FROM (SELECT min(first_seq) AS first_seq, max(closing_seq) AS closing_seq
                  FROM reconciliation_accounts WHERE job_instance_id = ?) m
            WHERE i.job_instance_id = ?
            """;

    /** Work rows of a run (its gaps): removed once it is published. */
    static final List<String> WORK_TABLES = List.of("reconciliation_gap_accounts", "reconciliation_gap_findings",
            "reconciliation_read_accounts");

    /** Rows that belong to a run like its results: replaced with it. */
    static final List<String> RUN_TABLES = List.of("reconciliation_run_inputs", "reconciliation_segments");

    private final JdbcTemplate jdbc;

    private final LedgerAmountBound bound;

    private final ReconciliationSeals seals;

    MonthSegments(JdbcTemplate jdbc, LedgerAmountBound bound, ReconciliationSeals seals) {
        this.jdbc = jdbc;
        this.bound = bound;
        this.seals = seals;
    }

    /** One segment of the month: a reused day run, or a gap ({@code sealedJobInstanceId} null) read from the ledger. */
    record Segment(Instant start, Instant end, Long sealedJobInstanceId, String sealedPeriod, String sealedZone) {

        boolean sealed() {
            return sealedJobInstanceId != null;
        }
    }

    private record DayRun(long jobInstanceId, String period, String zone, Instant start, Instant end) {
    }

    /**
     * The segment step: records the run's inputs, and for a month that has ended plans its segments
     * and reads its gaps. Idempotent: a restart replaces what an earlier execution left.
     *
     * @param asOf the instant the run judges "now" by
     * @param stuckBefore passed to the gap's findings statement (its stuck rows are not kept)
     */
    void prepare(PeriodJobParameters parameters, long jobInstanceId, Instant asOf, Instant stuckBefore) {
        jdbc.update(UPSERT_INPUTS, jobInstanceId, bound.maxMicros());
        clear(jobInstanceId, List.of("reconciliation_segments", "reconciliation_gap_accounts", "reconciliation_gap_findings",
                "reconciliation_read_accounts"));
        ReportPeriod period = parameters.period();
        if (!period.isMonth() || parameters.provisional() || asOf.isBefore(period.end())) {
            return; // a day, or a month so far: read from the ledger as always
        }
        String run = "reconciliation " + period.key() + " (" + period.zone().getId() + ")";
        List<Segment> segments = plan(period, jobInstanceId);
        List<Segment> sealed = segments.stream().filter(Segment::sealed).toList();
        if (sealed.isEmpty()) {
            logger.info("{}: no published day run inside the month to reuse; the month is read from the ledger", run);
            return;
        }
        for (Segment segment : segments) {
            jdbc.update(INSERT_SEGMENT, jobInstanceId, Timestamp.from(segment.start()), Timestamp.from(segment.end()),
                    segment.sealedJobInstanceId(), segment.sealedPeriod(), segment.sealedZone());
        }
        jdbc.update(COPY_DAY_FINDINGS, jobInstanceId); // the ledger step reads the month's own copy
        List<Segment> gaps = segments.stream().filter(segment -> !segment.sealed()).toList();
        RateInForce rates = gaps.isEmpty() ? null : RateInForce.of(RateCard.read(jdbc));
        for (Segment gap : gaps) { // each from the latest seal at or before it, as a run of the gap would read it
            ReconciliationSeals.Start seal = seals.startOf(new ReportPeriod(period.key(), period.zone(), gap.start(), gap.end()));
            jdbc.update(rates.into(INSERT_GAP_ACCOUNTS), rates.arguments(new Object[] { seal.jobInstanceId(),
                    seal.sealedToArgument(), Timestamp.from(gap.start()), Timestamp.from(gap.end()), bound.maxMicros(),
                    ALL_ACCOUNTS.from(), ALL_ACCOUNTS.to() }, jobInstanceId, Timestamp.from(gap.start()), jobInstanceId,
                    Timestamp.from(gap.start())));
            jdbc.update(INSERT_GAP_FINDINGS, jobInstanceId, jobInstanceId, seal.jobInstanceId(), seal.sealedToArgument(),
                    Timestamp.from(gap.start()), Timestamp.from(gap.end()), Timestamp.from(stuckBefore), bound.maxMicros(),
                    ALL_ACCOUNTS.from(), ALL_ACCOUNTS.to());
        }
        Long reordered = inPostingOrder(jobInstanceId) ? 0L
                : jdbc.queryForObject(MonthFromDaysSql.REORDERED_ACCOUNTS, Long.class, jobInstanceId, jobInstanceId);
        if (reordered != null && reordered > 0) {
            clear(jobInstanceId, List.of("reconciliation_segments", "reconciliation_gap_accounts", "reconciliation_gap_findings",
                    "reconciliation_read_accounts"));
            logger.info("{}: posting order disagrees with posting time across the month's days for {} account(s);"
                    + " the month is read from the ledger", run, reordered);
            return;
        }
        logger.info("{}: {} sealed day(s) reused ({}), {} gap range(s) read from the ledger{}", run, sealed.size(),
                sealedRuns(segments), gaps.size(), gaps.isEmpty() ? "" : gaps.stream()
                        .map(g -> "[" + g.start() + ", " + g.end() + ")").collect(Collectors.joining(", ", " (", ")")));
    }

    /** The reused days as ranges of consecutive days, {@code 2026-10-02..2026-10-09, 2026-10-12..2026-10-30 Europe/Berlin}. */
    private static String sealedRuns(List<Segment> segments) {
        List<String> runs = new ArrayList<>();
        Segment first = null;
        Segment last = null;
        for (Segment segment : segments) {
            if (segment.sealed() && first != null) {
                last = segment;
                continue;
            }
            if (first != null) {
                runs.add(range(first, last));
            }
            first = segment.sealed() ? segment : null;
            last = first;
        }
        if (first != null) {
            runs.add(range(first, last));
        }
        return String.join(", ", runs);
    }

    private static String range(Segment first, Segment last) {
        String days = first == last ? first.sealedPeriod() : first.sealedPeriod() + ".." + last.sealedPeriod();
        return days + ("UTC".equals(last.sealedZone()) ? "" : " " + last.sealedZone());
    }

    /**
     * Whether every segment's postings all come after the previous segments' in posting_seq order
     * (the ledger's normal state): then no account's order can disagree, and the per-account look
     * over every segment's accounts is not needed.
     */
    private boolean inPostingOrder(long jobInstanceId) {
        long[] highest = { Long.MIN_VALUE };
        boolean[] ordered = { true };
        jdbc.query(SEGMENT_MARKS, (java.sql.ResultSet rs) -> {
            Long first = rs.getObject("first_seq", Long.class);
            Long closing = rs.getObject("closing_seq", Long.class);
            if (first != null && first <= highest[0]) {
                ordered[0] = false;
            }
            if (closing != null) {
                highest[0] = Math.max(highest[0], closing);
            }
        }, jobInstanceId, jobInstanceId);
        return ordered[0];
    }

    /** Records the published run's first and last posting in its period (in the publishing transaction). */
    void markPublished(long jobInstanceId) {
        jdbc.update(MARK_RUN, jobInstanceId, jobInstanceId);
    }

    /**
     * Tiles the month from its start: at each instant the published day run that starts there (the
     * month's own zone first, else the first zone by name), else a gap up to the next instant where
     * one starts, or the month's end.
     */
    List<Segment> plan(ReportPeriod period, long jobInstanceId) {
        List<DayRun> runs = jdbc.query(DAY_RUNS, (rs, i) -> new DayRun(rs.getLong("job_instance_id"), rs.getString("period"),
                rs.getString("zone"), rs.getTimestamp("period_start").toInstant(), rs.getTimestamp("period_end").toInstant()),
                ReconciliationJobConfiguration.JOB_NAME, Timestamp.from(period.start()), Timestamp.from(period.end()),
                bound.maxMicros(), jobInstanceId);
        List<Segment> segments = new ArrayList<>();
        Instant cursor = period.start();
        while (cursor.isBefore(period.end())) {
            Instant at = cursor;
            DayRun day = runs.stream().filter(run -> run.start().equals(at))
                    .min(java.util.Comparator.comparing((DayRun run) -> !run.zone().equals(period.zone().getId()))
                            .thenComparing(DayRun::zone))
                    .orElse(null);
            if (day != null) {
                segments.add(new Segment(day.start(), day.end(), day.jobInstanceId(), day.period(), day.zone()));
                cursor = day.end();
            }
            else {
                Instant next = runs.stream().map(DayRun::start).filter(start -> start.isAfter(at)).min(Instant::compareTo)
                        .orElse(period.end());
                segments.add(new Segment(at, next, null, null, null));
                cursor = next;
            }
        }
        return segments;
    }

    /** Whether the run's plan reuses at least one day run (then its steps read the assembled statements). */
    boolean reusesDays(long jobInstanceId) {
        Long sealed = jdbc.queryForObject("""
                SELECT count(*) FROM reconciliation_segments WHERE job_instance_id = ? AND sealed_job_instance_id IS NOT NULL""",
                Long.class, jobInstanceId);
        return sealed != null && sealed > 0;
    }

    /** Whether every day run the plan reuses is still published (a --rerun of the day replaces it and its rows). */
    boolean planHolds(long jobInstanceId) {
        List<String> replaced = replacedDays(jobInstanceId);
        if (!replaced.isEmpty()) {
            logger.info("reconciliation: day run(s) {} that run {} planned to reuse were replaced since; it plans again"
                    + " and its account step starts over", String.join(", ", replaced), jobInstanceId);
        }
        return replaced.isEmpty();
    }

    private List<String> replacedDays(long jobInstanceId) {
        return jdbc.queryForList("""
                SELECT s.sealed_period || ' (' || s.sealed_zone || ')' FROM reconciliation_segments s
                WHERE s.job_instance_id = ? AND s.sealed_job_instance_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM published_runs r WHERE r.job_instance_id = s.sealed_job_instance_id)
                ORDER BY s.segment_start""", String.class, jobInstanceId);
    }

    /** Removes what the run's account step wrote (nothing of it is published yet), before it plans again. */
    void startOver(long jobInstanceId) {
        clear(jobInstanceId, List.of("reconciliation_accounts", "reconciliation_findings", "reconciliation_read_accounts"));
    }

    /** Removes the run's gap rows (work done once the run is published). */
    void clearWork(long jobInstanceId) {
        clear(jobInstanceId, WORK_TABLES);
    }

    private void clear(long jobInstanceId, List<String> tables) {
        for (String table : tables) {
            jdbc.update("DELETE FROM " + table + " WHERE job_instance_id = ?", jobInstanceId);
        }
    }
}
