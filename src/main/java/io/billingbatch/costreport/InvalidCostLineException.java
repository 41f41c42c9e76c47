package io.billingbatch.costreport;

import io.billingbatch.ledger.Money;

/** Ledger rows that cannot be counted as a charge; the step skips and records them. */
public class InvalidCostLineException extends RuntimeException {

    public InvalidCostLineException(CostLine line, String reason) {
        super("account " + line.accountId() + ": " + line.records() + " ledger row(s) of " + reason
                + " (cost " + Money.toUsd(line.cost()) + " USD) left out of the report");
    }

    /** A line whose {@link CostLine#problem()} the reader found. */
    public InvalidCostLineException(CostLine line) {
        super("account " + line.accountId() + (line.ledgerId() != null ? ", ledger row " + line.ledgerId() + ": "
                : ", " + line.records() + " " + line.type() + " ledger row(s): ") + line.problem() + "; left out of the report");
    }
}
