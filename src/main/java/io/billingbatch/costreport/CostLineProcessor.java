package io.billingbatch.costreport;

import java.util.Set;

import org.springframework.batch.infrastructure.item.ItemProcessor;

/** Lets through posted usage of a known charge type; anything else is rejected with its reason. */
public class CostLineProcessor implements ItemProcessor<CostLine, CostLine> {

    static final Set<String> TYPES = Set.of("call", "sms", "number");

    @Override
    public CostLine process(CostLine line) {
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
