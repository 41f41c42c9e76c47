package io.billingbatch.spend;

/**
 * The cost of planned usage at the rates in force, with a safety buffer, against the balance (the
 * document's "Pre-Call Balance Verification"). Money in micro-USD; the buffer is rounded up to the
 * micro-dollar, so the required balance never falls short of {@code cost × (1 + buffer%)}.
 */
public record SpendEstimate(RateCard.Rates rates, long calls, long avgCallSeconds, long sms, long numbers, long bufferPercent,
        long callsCost, long smsCost, long numbersCost, long balance) {

    /** The largest plan one request may describe: beyond these the request is refused, not estimated. */
    public static final long MAX_CALLS = 10_000_000;

    public static final long MAX_CALL_SECONDS = 86_400;

    public static final long MAX_SMS = 100_000_000;

    public static final long MAX_NUMBERS = 100_000;

    public static final long MAX_BUFFER_PERCENT = 1_000;

    /**
     * @throws IllegalArgumentException with a one-line reason for a plan out of range
     */
    public static SpendEstimate of(RateCard.Rates rates, long calls, long avgCallSeconds, long sms, long numbers,
            long bufferPercent, long balance) {
        check("calls", calls, MAX_CALLS);
        check("avg_call_seconds", avgCallSeconds, MAX_CALL_SECONDS);
        check("sms", sms, MAX_SMS);
        check("numbers", numbers, MAX_NUMBERS);
        check("buffer_percent", bufferPercent, MAX_BUFFER_PERCENT);
        try {
            long callsCost = Math.multiplyExact(Math.multiplyExact(calls, avgCallSeconds), rates.callPerSecond());
            long smsCost = Math.multiplyExact(sms, rates.smsPerMessage());
            long numbersCost = Math.multiplyExact(numbers, rates.number());
            SpendEstimate estimate = new SpendEstimate(rates, calls, avgCallSeconds, sms, numbers, bufferPercent, callsCost,
                    smsCost, numbersCost, balance);
            estimate.required(); // fits a 64-bit amount
            return estimate;
        }
        catch (ArithmeticException ex) {
            throw new IllegalArgumentException("the plan costs more than this API can estimate in one request: make it smaller");
        }
    }

    private static void check(String field, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " must be a whole number from 0 to " + max + ", was " + value);
        }
    }

    public long estimatedCost() {
        return Math.addExact(Math.addExact(callsCost, smsCost), numbersCost);
    }

    /** The estimated cost plus the buffer, rounded up. */
    public long required() {
        long cost = estimatedCost();
        long buffer = Math.multiplyExact(cost, bufferPercent);
        return Math.addExact(cost, buffer / 100 + (buffer % 100 == 0 ? 0 : 1));
    }

    public boolean canProceed() {
        return balance >= required();
    }

    /** What the balance lacks for the required balance; 0 when it can proceed. */
    public long shortfall() {
        return canProceed() ? 0 : Math.subtractExact(required(), balance);
    }
}
