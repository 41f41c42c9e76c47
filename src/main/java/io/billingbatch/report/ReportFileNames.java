package io.billingbatch.report;

import io.billingbatch.ledger.ReportPeriod;

/**
 * How every report file is named, in one place: {@code <job>-<period>} with the zone appended unless
 * it is UTC ({@code cost-report-2026-10-05-Europe_Berlin}), {@code -provisional} for a provisional
 * run's files, and the extension. The names are a contract: finance packs, the API and people's
 * scripts find the files by them.
 */
public final class ReportFileNames {

    public static final String CSV = ".csv";

    public static final String XLSX = ".xlsx";

    private ReportFileNames() {
    }

    /** {@code cost-report-2026-10}, {@code reconciliation-2026-10-05-Europe_Berlin}: the base name of a period's files. */
    public static String base(String job, ReportPeriod period) {
        String zone = period.zone().getId();
        return job + "-" + period.key() + ("UTC".equals(zone) ? "" : "-" + zone.replace('/', '_'));
    }

    /** {@code cost-report-2026-11-provisional}: one pair per period, replaced by the next provisional run. */
    public static String provisional(String job, ReportPeriod period) {
        return base(job, period) + "-provisional";
    }

    /** A run's file that names how it ran: {@code auto-topup-2026-11-25-dry-run-run2.csv}. */
    public static String ofRun(String job, ReportPeriod period, boolean dryRun, long revision, String extension) {
        return base(job, period) + (dryRun ? "-dry-run" : "") + (revision > 1 ? "-run" + revision : "") + extension;
    }
}
