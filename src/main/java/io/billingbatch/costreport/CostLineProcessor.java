package io.billingbatch.costreport;

import io.billingbatch.ledger.PostedCharges;

import org.springframework.batch.infrastructure.item.ItemProcessor;

/**
 * Lets through posted usage of a known charge type ({@link PostedCharges}); anything else is rejected
 * with its reason, as is a line the reader found a problem with (a row without an amount or beyond the
 * bound, a sum too large).
 */
public class CostLineProcessor implements ItemProcessor<CostLine, CostLine> {

    @Override
    public CostLine process(CostLine line) {
        if (line.problem() != null) {
            throw new InvalidCostLineException(line);
        }
        if (!PostedCharges.USAGE.equals(line.transactionType())) {
            throw new InvalidCostLineException(line, "unknown transaction_type '" + line.transactionType() + "'");
        }
        if (!PostedCharges.POSTED.equals(line.status())) {
            throw new InvalidCostLineException(line, "unknown status '" + line.status() + "'");
        }
        if (!PostedCharges.isChargeType(line.type())) {
            throw new InvalidCostLineException(line, "unknown reference_type '" + line.type() + "'");
        }
        return line;
    }
}
