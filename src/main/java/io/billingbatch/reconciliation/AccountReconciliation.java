package io.billingbatch.reconciliation;

import java.util.List;

/** An account's equation with the findings it raised; what the account step writes. */
record AccountReconciliation(AccountBalance balance, List<Finding> findings) {

    String findingKinds() {
        return String.join(",", findings.stream().map(Finding::kind).distinct().sorted().toList());
    }
}
