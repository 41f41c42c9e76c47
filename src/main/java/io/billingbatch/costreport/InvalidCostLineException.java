package io.billingbatch.costreport;

/** Ledger rows that cannot be counted as a charge; the step skips and records them. */
public class InvalidCostLineException extends RuntimeException {

    public InvalidCostLineException(CostLine line, String reason) {
        super("account " + line.accountId() + ": " + line.records() + " ledger row(s) of " + reason
                + " (cost " + io.billingbatch.ledger.Money.toUsd(line.cost()) + " USD) left out of the report");
    }
}
