package io.billingbatch.statements;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.billingbatch.ledger.ReportPeriod;

/**
 * One account's month as its statement shows it, in micro-USD: the reconciliation's figures, so a
 * statement always ties out with the reconciliation of the month.
 *
 * @param withheldReason why no statement is issued, {@code null} when it is
 */
public record Statement(UUID accountId, UUID customerId, String accountName, ReportPeriod period, long opening,
        long credits, List<Charge> charges, long otherDebits, long closing, long ledgerRows, List<TopUp> topUps,
        String withheldReason, Source source) {

    /** A type of charge: {@code records} and {@code units} from the cost report, null if it is not published. */
    public record Charge(String type, Long records, Long units, long cost) {
    }

    /** A top-up posted in the month. */
    public record TopUp(Instant posted, String kind, long amount) {
    }

    /** The reconciliation run the figures come from. */
    public record Source(long jobInstanceId, long revision, long jobExecutionId) {
    }

    public Statement {
        charges = List.copyOf(charges);
        topUps = List.copyOf(topUps);
    }

    public boolean issued() {
        return withheldReason == null;
    }

    public long totalCharges() {
        long total = 0;
        for (Charge charge : charges) {
            total = Math.addExact(total, charge.cost());
        }
        return total;
    }

    /** The statement's file name, {@code statement-2026-10-<account id>.pdf}. */
    public String fileName() {
        return StatementFiles.fileName(period, accountId);
    }
}
