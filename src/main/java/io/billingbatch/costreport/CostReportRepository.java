package io.billingbatch.costreport;

import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Consumer;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.costreport.JdbcCostReportRepository.TypeTotal;
import io.billingbatch.ledger.ReportPeriod;

/** Cost report results as finance and the other jobs read them. */
public interface CostReportRepository {

    /** Makes a run's lines the period's result and removes the lines of the run it replaces. */
    void publish(PeriodJobParameters parameters, long jobInstanceId, long jobExecutionId);

    List<TypeTotal> totalsByType(ReportPeriod period);

    /**
     * Cost per month and charge type of the published monthly cost reports from {@code first} to
     * {@code last} (inclusive), ordered by month then type; months without a report are absent.
     */
    List<MonthlyCost> costByMonth(YearMonth first, YearMonth last, ZoneId zone);

    /** Streams the published lines ordered by account then type. Call inside a transaction to stream. */
    void forEachLine(ReportPeriod period, Consumer<CostLine> consumer);

    /** Totals by type of one run's own lines (a provisional run's, which is never published). */
    List<TypeTotal> totalsOfRun(long jobInstanceId);

    /** Streams one run's own lines ordered by account then type. Call inside a transaction to stream. */
    void forEachLineOfRun(long jobInstanceId, Consumer<CostLine> consumer);

    /** Removes one run's lines (a provisional run's, once its files are written). */
    void discardRun(long jobInstanceId);

    /**
     * The period's charges per day of its zone, ordered by day: the rows the cost report counts
     * (posted usage of a known charge type, an amount within {@code maxMicros}), grouped by the day
     * they were posted. Days without charges are absent.
     */
    List<DayTotal> totalsByDay(ReportPeriod period, long maxMicros);

    /** The charges of one day: {@code cost} in micro-USD. */
    record DayTotal(java.time.LocalDate day, long records, long cost) {
    }

    /** The cost of one charge type in one month, in micro-USD. */
    record MonthlyCost(YearMonth month, String type, long cost) {
    }
}
