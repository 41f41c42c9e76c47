package io.billingbatch.spend;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

import io.billingbatch.ledger.ReportPeriod;

/**
 * The {@code [start, end)} of a spend query: each bound an ISO instant ({@code 2026-10-01T00:00:00Z},
 * any offset) or a date ({@code 2026-10-01}), a date meaning its start in {@code zone} (default UTC),
 * so {@code start=2026-10-01&end=2026-11-01} is the cost report's month {@code 2026-10}. At most
 * {@value #MAX_DAYS} days long.
 */
record SpendPeriod(Instant start, Instant end, ZoneId zone) {

    static final int MAX_DAYS = 400;

    /** @throws IllegalArgumentException with a one-line reason */
    static SpendPeriod parse(String start, String end, String zone) {
        ZoneId zoneId = ReportPeriod.parseZone(zone == null || zone.isBlank() ? "UTC" : zone.trim());
        if (start == null || start.isBlank() || end == null || end.isBlank()) {
            throw new IllegalArgumentException("start and end are required: dates like start=2026-10-01&end=2026-11-01"
                    + " (in zone, default UTC) or instants like 2026-10-01T00:00:00Z");
        }
        Instant from = bound("start", start.trim(), zoneId);
        Instant to = bound("end", end.trim(), zoneId);
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("start must be before end (the period is [start, end)), was " + start.trim()
                    + " .. " + end.trim());
        }
        if (Duration.between(from, to).compareTo(Duration.ofDays(MAX_DAYS)) > 0) {
            throw new IllegalArgumentException("the period may be at most " + MAX_DAYS + " days long: ask for it in parts");
        }
        return new SpendPeriod(from, to, zoneId);
    }

    private static Instant bound(String name, String text, ZoneId zone) {
        if (text.length() > 40) {
            throw new IllegalArgumentException(name + " is not a date or an instant");
        }
        try {
            if (text.matches("\\d{4}-\\d{2}-\\d{2}")) {
                LocalDate date = LocalDate.parse(text);
                if (date.getYear() < 2000 || date.getYear() > 2999) {
                    throw new IllegalArgumentException(name + " must be a date between the years 2000 and 2999, was " + text);
                }
                return date.atStartOfDay(zone).toInstant();
            }
            Instant instant = OffsetDateTime.parse(text).toInstant();
            if (instant.isBefore(Instant.parse("2000-01-01T00:00:00Z")) || instant.isAfter(Instant.parse("3000-01-01T00:00:00Z"))) {
                throw new IllegalArgumentException(name + " must be between the years 2000 and 2999, was " + text);
            }
            return instant;
        }
        catch (DateTimeParseException ex) {
            throw new IllegalArgumentException(name + " '" + text + "' is not a date like 2026-10-01 or an instant like"
                    + " 2026-10-01T00:00:00Z");
        }
    }
}
