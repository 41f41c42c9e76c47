package io.billingbatch.reconciliation;

import java.util.ArrayList;
import java.util.List;

import io.billingbatch.ledger.Money;

import org.springframework.batch.infrastructure.item.ItemProcessor;

/** Checks an account's equation, its stored balance (when the period includes now) and its sign. */
class AccountBalanceProcessor implements ItemProcessor<AccountBalance, AccountReconciliation> {

    private final boolean periodIncludesNow;

    AccountBalanceProcessor(boolean periodIncludesNow) {
        this.periodIncludesNow = periodIncludesNow;
    }

    @Override
    public AccountReconciliation process(AccountBalance account) {
        List<Finding> findings = new ArrayList<>();
        // exact: a wrapped sum would "prove" a wrong balance; one beyond a long is a mismatch without an expected value
        Long expectedClosing = addExact(account.opening(), account.net());
        if (account.closingSnapshot() != null && !account.closingSnapshot().equals(expectedClosing)) {
            findings.add(new Finding(Finding.BALANCE_MISMATCH, account.accountId(), null, expectedClosing,
                    account.closingSnapshot(), "opening " + Money.toUsd(account.opening()) + " + posted "
                            + Money.toUsd(account.net()) + " != closing snapshot " + Money.toUsd(account.closingSnapshot())));
        }
        if (periodIncludesNow && account.accountExists() && account.storedBalance() != null) {
            long lastSnapshot = account.lastSnapshot();
            if (lastSnapshot != account.storedBalance()) {
                findings.add(new Finding(Finding.BALANCE_MISMATCH, account.accountId(), null, lastSnapshot,
                        account.storedBalance(), "stored balance_credit " + Money.toUsd(account.storedBalance())
                                + " != last snapshot " + Money.toUsd(lastSnapshot)));
            }
        }
        if (account.accountExists() && account.closing() < 0) { // an orphan's rows are reported as orphans
            findings.add(new Finding(Finding.NEGATIVE_BALANCE, account.accountId(), null, 0L, account.closing(),
                    "closing balance " + Money.toUsd(account.closing()) + " is below zero"));
        }
        // the stored balance is today's: shown beside a closing balance only when the period includes now
        return new AccountReconciliation(periodIncludesNow ? account : account.withoutStoredBalance(), findings);
    }

    private static Long addExact(long a, long b) {
        try {
            return Math.addExact(a, b);
        }
        catch (ArithmeticException ex) {
            return null;
        }
    }
}
