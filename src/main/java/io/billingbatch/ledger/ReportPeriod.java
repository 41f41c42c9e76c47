package io.billingbatch.ledger;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * A reporting period: a calendar month ({@code 2026-10}) or day ({@code 2026-10-05}) in a time
 * zone, as the half-open interval of instants {@code [start, end)}.
 * <p>
 * Period rule: a ledger row belongs to the period that contains its {@code tm_posted}.
 */
public record ReportPeriod(String key, ZoneId zone, Instant start, Instant end) {

    private static final Pattern MONTH = Pattern.compile("\\d{4}-\\d{2}");
    private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    /**
     * @param period {@code yyyy-MM} or {@code yyyy-MM-dd}
     * @param zone an IANA zone id such as {@code UTC} or {@code Europe/Berlin}
     * @throws IllegalArgumentException with a one-line reason for a malformed period or unknown zone
     */
    public static ReportPeriod parse(String period, String zone) {
        ZoneId zoneId = parseZone(zone);
        if (period == null || period.isBlank()) {
            throw new IllegalArgumentException("period is required: a month like 2026-10 or a day like 2026-10-05");
        }
        String key = period.trim();
        try {
            if (MONTH.matcher(key).matches()) {
                YearMonth month = YearMonth.parse(key);
                return new ReportPeriod(key, zoneId, month.atDay(1).atStartOfDay(zoneId).toInstant(),
                        month.plusMonths(1).atDay(1).atStartOfDay(zoneId).toInstant());
            }
            if (DAY.matcher(key).matches()) {
                LocalDate day = LocalDate.parse(key);
                return new ReportPeriod(key, zoneId, day.atStartOfDay(zoneId).toInstant(),
                        day.plusDays(1).atStartOfDay(zoneId).toInstant());
            }
        }
        catch (DateTimeParseException ex) {
            throw new IllegalArgumentException("period '" + key + "' is not a valid month (yyyy-MM) or day (yyyy-MM-dd)");
        }
        throw new IllegalArgumentException("period '" + key + "' is not a month (yyyy-MM) or a day (yyyy-MM-dd)");
    }

    /**
     * The month a page shows: {@code text}, a month like {@code 2026-10}, or when it is blank the last complete
     * month in UTC on {@code clock} (never the running month, whose folder holds at most a provisional report).
     *
     * @throws IllegalArgumentException with a one-line reason for anything else (a day, a malformed month)
     */
    public static YearMonth shownMonth(String text, java.time.Clock clock) {
        if (text == null || text.isBlank()) {
            return YearMonth.now(clock.withZone(java.time.ZoneOffset.UTC)).minusMonths(1);
        }
        String month = text.trim();
        ReportPeriod period = parse(month, "UTC");
        if (!period.isMonth()) {
            throw new IllegalArgumentException("pick a month like 2026-10, not '" + month + "'");
        }
        return YearMonth.parse(period.key());
    }

    public static ZoneId parseZone(String zone) {
        if (zone == null || zone.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(zone.trim());
        }
        catch (DateTimeException ex) {
            throw new IllegalArgumentException("zone '" + zone + "' is not a known IANA time zone (for example UTC or Europe/Berlin)");
        }
    }

    /** The last complete calendar month before {@code now} in the zone. */
    public static ReportPeriod lastCompleteMonth(Instant now, ZoneId zone) {
        YearMonth month = YearMonth.from(now.atZone(zone)).minusMonths(1);
        return parse(month.toString(), zone.getId());
    }

    public boolean contains(Instant instant) {
        return !instant.isBefore(start) && instant.isBefore(end);
    }

    public boolean isMonth() {
        return MONTH.matcher(key).matches();
    }
}
