package io.billingbatch.costreport;

import java.util.Set;

import org.springframework.batch.infrastructure.item.ItemProcessor;

/**
 * Lets through posted usage of a known charge type; anything else is rejected with its reason, as is
 * a line the reader found a problem with (a row without an amount or beyond the bound, a sum too large).
 */
public class CostLineProcessor implements ItemProcessor<CostLine, CostLine> {

    static final Set<String> TYPES = Set.of("call", "sms", "number");

    @Override
    public CostLine process(CostLine line) {
        if (line.problem() != null) {
            throw new InvalidCostLineException(line);
        }
        if (!"usage".equals(line.transactionType())) {
            throw new InvalidCostLineException(line, "unknown transaction_type '" + line.transactionType() + "'");
        }
        if (!"end".equals(line.status())) {
            throw new InvalidCostLineException(line, "unknown status '" + line.status() + "'");
        }
        if (line.type() == null || !TYPES.contains(line.type())) {
            throw new InvalidCostLineException(line, "unknown reference_type '" + line.type() + "'");
        }
        return line;
    }
}
