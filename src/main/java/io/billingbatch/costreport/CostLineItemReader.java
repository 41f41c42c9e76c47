package io.billingbatch.costreport;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.billingbatch.costreport.CostReportRepository.DayTotal;

import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.database.JdbcCursorItemReader;

/**
 * Reads the aggregation's lines from its grouping statement. A month's statement
 * ({@link CostReportJobConfiguration#GROUPED_LEDGER_WITH_DAYS_SQL}) also gives, after the lines, the
 * month's charges per day of its zone, from the same scan of the ledger: this reader keeps them
 * aside (they are no items) and saves them in the step's execution context with its position, in the
 * chunk's transaction, where the files step finds them for the By day sheet
 * ({@link #days(StepExecution)}). A restart reads them again, or finds them saved.
 */
class CostLineItemReader implements ItemStreamReader<CostLine> {

    /** The month's day totals, one {@code day records cost} line per day, once the statement gave them all. */
    static final String DAYS = "costLineReader.days";

    private final JdbcCursorItemReader<GroupedRow> delegate;

    private final boolean withDays;

    private final List<DayTotal> days = new ArrayList<>();

    private boolean daysRead;

    /** A day's cost beyond a long: no days are saved, and the files step sums the days itself (and says why it cannot). */
    private boolean daysFit = true;

    /** {@code withDays}: the delegate's statement gives the day totals after the lines. */
    CostLineItemReader(JdbcCursorItemReader<GroupedRow> delegate, boolean withDays) {
        this.delegate = delegate;
        this.withDays = withDays;
    }

    /** A row of the grouping statement: an account's line, or (the month's statement) a day's total. */
    record GroupedRow(CostLine line, LocalDate day, long records, BigDecimal cost) {
    }

    @Override
    public CostLine read() throws Exception {
        GroupedRow row = delegate.read();
        while (row != null && row.line() == null) {
            if (CostReportJobConfiguration.fitsLong(row.cost())) {
                days.add(new DayTotal(row.day(), row.records(), row.cost().longValueExact()));
            }
            else {
                daysFit = false;
            }
            row = delegate.read();
        }
        if (row == null) {
            daysRead = true;
            return null;
        }
        return row.line();
    }

    @Override
    public void open(ExecutionContext executionContext) {
        delegate.open(executionContext);
        days.clear();
        daysRead = false;
        daysFit = true;
        days(executionContext).ifPresent(saved -> { // a restart after every row was read: the delegate reads none again
            days.addAll(saved);
            daysRead = true;
        });
    }

    @Override
    public void update(ExecutionContext executionContext) {
        delegate.update(executionContext);
        if (withDays && daysRead && daysFit) {
            StringBuilder text = new StringBuilder(days.size() * 32);
            for (DayTotal day : days) {
                text.append(day.day()).append(' ').append(day.records()).append(' ').append(day.cost()).append('\n');
            }
            executionContext.putString(DAYS, text.toString());
        }
    }

    @Override
    public void close() {
        delegate.close();
    }

    /**
     * The month's day totals that the aggregation step read with its lines, ordered by day; empty when it
     * did not (a day's or a provisional report, a partitioned step, a day's cost beyond a long).
     */
    static Optional<List<DayTotal>> days(StepExecution aggregation) {
        return aggregation == null ? Optional.empty() : days(aggregation.getExecutionContext());
    }

    private static Optional<List<DayTotal>> days(ExecutionContext context) {
        if (!context.containsKey(DAYS)) {
            return Optional.empty();
        }
        List<DayTotal> saved = new ArrayList<>();
        for (String line : context.getString(DAYS).split("\n")) {
            if (!line.isEmpty()) {
                String[] fields = line.split(" ");
                saved.add(new DayTotal(LocalDate.parse(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2])));
            }
        }
        return Optional.of(List.copyOf(saved));
    }
}
