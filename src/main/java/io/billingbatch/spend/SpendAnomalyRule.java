package io.billingbatch.spend;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Map;

import io.billingbatch.ledger.Money;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * When a day's spend of one type stands far outside the account's own recent days. For an account
 * and a type, with {@code x} the day's spend and the baseline the spend of each of the
 * {@code baselineDays} days before it (0 for a day without spend; days before the account was
 * created are left out), {@code m} the baseline's median and {@code s} its spread (1.4826 × the
 * median absolute deviation, the standard deviation of normal data without the outliers' pull),
 * the day is an anomaly when all three hold:
 * <ol>
 * <li>{@code x − m > spreads × s}: far outside the usual spread (default 6);</li>
 * <li>{@code x ≥ ratio × m}: a multiple of a usual day (default 3), so a busy account's ordinary
 * swings are not anomalies;</li>
 * <li>{@code x − m ≥} the type's minimum excess (default call $250.00, sms $20.00, number $100.00),
 * so a quiet account's one long call or a number renewal is not an anomaly.</li>
 * </ol>
 * An account with fewer than {@code minBaselineDays} baseline days (new) is not judged. Configured
 * by {@code billing.anomalies.*}; see the README for how the defaults were chosen on the demo ledger.
 */
@Component
public class SpendAnomalyRule {

    private static final BigDecimal MAD_TO_SIGMA = new BigDecimal("1.4826");

    private final int baselineDays;

    private final int minBaselineDays;

    private final BigDecimal spreads;

    private final BigDecimal ratio;

    private final Map<String, Long> minExcess;

    public SpendAnomalyRule(@Value("${billing.anomalies.baseline-days:14}") int baselineDays,
            @Value("${billing.anomalies.min-baseline-days:7}") int minBaselineDays,
            @Value("${billing.anomalies.spreads:6}") BigDecimal spreads,
            @Value("${billing.anomalies.ratio:3}") BigDecimal ratio,
            @Value("${billing.anomalies.min-excess.call:250.00}") String minCall,
            @Value("${billing.anomalies.min-excess.sms:20.00}") String minSms,
            @Value("${billing.anomalies.min-excess.number:100.00}") String minNumber) {
        if (baselineDays < 3 || baselineDays > 90 || minBaselineDays < 1 || minBaselineDays > baselineDays) {
            throw new IllegalArgumentException("billing.anomalies.baseline-days must be 3..90 and min-baseline-days 1..baseline-days,"
                    + " were " + baselineDays + " and " + minBaselineDays);
        }
        this.baselineDays = baselineDays;
        this.minBaselineDays = minBaselineDays;
        this.spreads = spreads;
        this.ratio = ratio;
        this.minExcess = Map.of("call", Money.fromUsd(minCall), "sms", Money.fromUsd(minSms), "number", Money.fromUsd(minNumber));
    }

    public int baselineDays() {
        return baselineDays;
    }

    /** The baseline's figures, micro-USD. */
    public record Baseline(long median, long spread, int days) {
    }

    /** The baseline of {@code days} daily spends, or null when there are too few days to judge. */
    public Baseline baseline(long[] days) {
        if (days.length < minBaselineDays) {
            return null;
        }
        long median = median(days);
        long[] deviations = Arrays.stream(days).map(day -> Math.abs(day - median)).toArray();
        long spread = MAD_TO_SIGMA.multiply(BigDecimal.valueOf(median(deviations))).setScale(0, RoundingMode.CEILING).longValueExact();
        return new Baseline(median, spread, days.length);
    }

    /** Whether {@code spend} of {@code type} on a day is an anomaly against {@code baseline}. */
    public boolean anomalous(String type, long spend, Baseline baseline) {
        if (baseline == null) {
            return false;
        }
        BigDecimal excess = BigDecimal.valueOf(spend - baseline.median());
        return excess.compareTo(spreads.multiply(BigDecimal.valueOf(baseline.spread()))) > 0
                && BigDecimal.valueOf(spend).compareTo(ratio.multiply(BigDecimal.valueOf(baseline.median()))) >= 0
                && spend - baseline.median() >= minExcess.getOrDefault(type, Long.MAX_VALUE);
    }

    /** How many times over the thresholds a day is: the smallest of the three margins (for calibration). */
    public double score(String type, long spend, Baseline baseline) {
        double excess = spend - baseline.median();
        double bySpread = baseline.spread() == 0 ? Double.POSITIVE_INFINITY : excess / (spreads.doubleValue() * baseline.spread());
        double byRatio = baseline.median() == 0 ? Double.POSITIVE_INFINITY : spend / (ratio.doubleValue() * baseline.median());
        double byMinimum = excess / minExcess.getOrDefault(type, Long.MAX_VALUE);
        return Math.min(bySpread, Math.min(byRatio, byMinimum));
    }

    static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : Math.floorDiv(Math.addExact(sorted[n / 2 - 1], sorted[n / 2]), 2);
    }
}
