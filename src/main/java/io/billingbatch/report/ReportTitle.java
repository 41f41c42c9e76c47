package io.billingbatch.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.billingbatch.ledger.ReportPeriod;

/**
 * The title block of a workbook's Summary sheet: the report's name in bold, then one line per
 * fact (period and zone, revision, generated at, job execution), label and value.
 */
public record ReportTitle(String report, List<Line> lines) {

    public record Line(String label, String value) {

        public Line {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(value, "value");
        }
    }

    public ReportTitle {
        Objects.requireNonNull(report, "report");
        lines = List.copyOf(lines);
    }

    /**
     * The title of a run of a period job: the period as {@code [start, end)} in its zone, the
     * revision, when the run that made the report started and its job execution.
     * @param provisionalAsOf the as-of instant of a provisional run, {@code null} for a final one
     */
    public static ReportTitle of(String report, ReportPeriod period, long revision, long jobExecutionId,
            Instant generatedAt, Instant provisionalAsOf) {
        List<Line> lines = new ArrayList<>();
        lines.add(new Line("Period", period.key() + " (" + period.zone().getId() + "): " + period.start() + " to "
                + (provisionalAsOf != null ? provisionalAsOf + " (provisional, so far)" : period.end().toString())));
        lines.add(new Line("Revision", Long.toString(revision)));
        lines.add(new Line("Generated at", generatedAt.toString()));
        lines.add(new Line("Job execution", Long.toString(jobExecutionId)));
        return new ReportTitle(report, lines);
    }
}
