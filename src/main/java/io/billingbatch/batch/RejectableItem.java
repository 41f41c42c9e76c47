package io.billingbatch.batch;

/** An item that can be rejected as bad input; its key identifies it among the step's items. */
public interface RejectableItem {

    String rejectKey();
}
