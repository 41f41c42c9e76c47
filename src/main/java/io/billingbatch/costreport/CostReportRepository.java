package io.billingbatch.costreport;

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

    /** Streams the published lines ordered by account then type. Call inside a transaction to stream. */
    void forEachLine(ReportPeriod period, Consumer<CostLine> consumer);
}
