package io.billingbatch.demo;

import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import io.billingbatch.ledger.Money;
import io.billingbatch.ledger.RateCard;

/**
 * Simulates the ledger one UTC day at a time: that day's events for all accounts (plus calls
 * of the day before still being processed), sorted by posting time, posted with a global
 * posting sequence and per-account running balances. Only one day is in memory at a time.
 * <p>
 * Usage per day is budgeted from the rows still to write, so the total meets the target
 * within a few percent whatever the top-ups add; weekends are quieter than weekdays.
 */
final class DemoLedgerSimulation {

    /** Receives the rows in posting order. */
    @FunctionalInterface
    interface RowSink {

        void accept(DemoLedgerRow row) throws SQLException;
    }

    /** A charge that would take the balance below this floor is preceded by a top-up. */
    static final long BALANCE_FLOOR = 20 * Money.MICROS_PER_USD;

    static final long MICROS_PER_SECOND = 1_000_000L;

    private static final long MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;

    private static final long MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;

    static final long MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

    private static final int MAX_CALL_SECONDS = 2 * 3_600;

    /** Traffic by UTC hour: quiet nights, busy office hours. */
    private static final double[] HOURLY_TRAFFIC = { 1, 1, 1, 1, 1.5, 2, 3, 5, 7, 8, 8, 8, 7, 8, 8, 8, 7, 6, 5, 4,
            3, 2.5, 2, 1.5 };

    private static final Comparator<DemoEvent> POSTING_ORDER = Comparator.comparingLong(DemoEvent::posted)
            .thenComparingLong(DemoEvent::order);

    private final DemoLedgerSpec spec;

    private final List<DemoAccount> accounts;

    private final SplittableRandom activity;

    private final SplittableRandom topUps;

    private final TimeOrderedUuids uuids;

    private final double[] cumulativeActivity;

    private final double[] cumulativeHourlyTraffic;

    private final long historyStart;

    private final long historyEnd;

    /** Events posted later than this are left to the next (not generated) month. */
    private final long lastPostable;

    private final long[] balances;

    private final long[] lastPostedByAccount;

    private final RateCard rates;

    private long eventOrder;

    private final List<SpikePlan> spikePlans;

    /** A planted spike: {@code events} extra calls (of {@code seconds} each) or messages of one account on one day. */
    private record SpikePlan(int account, int day, DemoRowType type, int events, int seconds) {
    }

    /** Calls of a planted call spike: 500 calls of 2 minutes, $1,200.00 in a day. */
    static final int SPIKE_CALLS = 500;

    static final int SPIKE_CALL_SECONDS = 120;

    /** Messages of a planted SMS spike: 6,000 messages, $48.00 in a day. */
    static final int SPIKE_MESSAGES = 6_000;

    /**
     * Plans {@code count} spikes on distinct accounts, each on a weekday of the last month at least
     * 14 days into the history (so the account has recent days to compare with), calls and messages
     * in turn, spread over the month.
     */
    private static List<SpikePlan> planSpikes(DemoLedgerSpec spec, List<DemoAccount> accounts, int count,
            SplittableRandom random) {
        if (count <= 0) {
            return List.of();
        }
        if (count > accounts.size()) {
            throw new IllegalArgumentException("spikes must be at most the number of accounts (" + accounts.size()
                    + "), was " + count);
        }
        long historyStart = toMicros(spec.start());
        int lastMonthFirstDay = Math.toIntExact((toMicros(spec.firstMonth().plusMonths(spec.months() - 1).atDay(1)
                .atStartOfDay().toInstant(ZoneOffset.UTC)) - historyStart) / MICROS_PER_DAY);
        int days = Math.toIntExact((toMicros(spec.end()) - historyStart) / MICROS_PER_DAY);
        int firstDay = Math.max(lastMonthFirstDay, 15);
        if (firstDay >= days - 1) {
            throw new IllegalArgumentException("spikes need a history of at least 16 days before the last day");
        }
        List<SpikePlan> plans = new ArrayList<>();
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        for (int k = 0; k < count; k++) {
            int account;
            do {
                account = random.nextInt(accounts.size());
            } while (!taken.add(account));
            int day = firstDay + (int) ((long) k * (days - 1 - firstDay) / count) + random.nextInt(2);
            day = Math.min(day, days - 2);
            DayOfWeek weekday = LocalDate.ofEpochDay(Math.floorDiv(historyStart, MICROS_PER_DAY) + day).getDayOfWeek();
            if (weekday == DayOfWeek.SATURDAY) {
                day = day >= days - 3 ? day - 1 : day + 2;
            }
            else if (weekday == DayOfWeek.SUNDAY) {
                day = day >= days - 2 ? day - 2 : day + 1;
            }
            boolean calls = k % 2 == 0;
            plans.add(new SpikePlan(account, day, calls ? DemoRowType.CALL : DemoRowType.SMS,
                    calls ? SPIKE_CALLS : SPIKE_MESSAGES, calls ? SPIKE_CALL_SECONDS : 0));
        }
        return List.copyOf(plans);
    }

    /** The planted spikes, as the result reports them. */
    List<DemoSpike> spikes() {
        return spikePlans.stream().map(plan -> {
            DemoAccount account = accounts.get(plan.account());
            long rate = rate(plan.type(), historyStart + plan.day() * MICROS_PER_DAY);
            long perEvent = plan.type() == DemoRowType.CALL ? plan.seconds() * rate : rate;
            return new DemoSpike(account.id(), account.name(),
                    LocalDate.ofEpochDay(Math.floorDiv(historyStart, MICROS_PER_DAY) + plan.day()),
                    plan.type().referenceType(), plan.events(), Math.multiplyExact(perEvent, (long) plan.events()));
        }).toList();
    }

    /** The spike's events, between 09:00 and 17:00 UTC of its day, so all of them post that day. */
    private void addSpikeEvents(int day, long dayStart, List<DemoEvent> slice) {
        for (SpikePlan plan : spikePlans) {
            if (plan.day() != day) {
                continue;
            }
            for (int i = 0; i < plan.events(); i++) {
                long start = dayStart + 9 * MICROS_PER_HOUR + (long) i * (8 * MICROS_PER_HOUR) / plan.events();
                long end = start + plan.seconds() * MICROS_PER_SECOND;
                long posted = plan.type() == DemoRowType.CALL ? end + MICROS_PER_SECOND : start + MICROS_PER_SECOND;
                slice.add(new DemoEvent(posted, eventOrder++, plan.account(), plan.type(), plan.seconds(), start, end));
            }
        }
    }

    private long rows;

    private long firstPosted = DemoLedgerRow.NO_TIME;

    private long lastPosted = DemoLedgerRow.NO_TIME;

    DemoLedgerSimulation(DemoLedgerSpec spec, List<DemoAccount> accounts, SplittableRandom random, RateCard rates) {
        this(spec, accounts, random, rates, 0);
    }

    DemoLedgerSimulation(DemoLedgerSpec spec, List<DemoAccount> accounts, SplittableRandom random, RateCard rates, int spikes) {
        this.spec = spec;
        this.rates = rates;
        this.accounts = accounts;
        this.activity = random.split();
        this.topUps = random.split();
        this.uuids = new TimeOrderedUuids(random.split());
        this.historyStart = toMicros(spec.start());
        this.historyEnd = toMicros(spec.end());
        this.lastPostable = historyEnd - MICROS_PER_SECOND;
        this.balances = new long[accounts.size()];
        this.lastPostedByAccount = new long[accounts.size()];
        this.cumulativeActivity = cumulative(accounts.stream().mapToDouble(DemoAccount::activity).toArray());
        this.cumulativeHourlyTraffic = cumulative(HOURLY_TRAFFIC);
        // a random stream of their own: without spikes the ledger is exactly the one it always was
        this.spikePlans = planSpikes(spec, accounts, spikes, new SplittableRandom(spec.seed() ^ 0x5B1CE5L));
    }

    /** Posts the whole history to the sink, day by day; returns the number of rows. */
    long run(RowSink sink) throws SQLException {
        List<DemoEvent> scheduled = scheduledEvents();
        int days = Math.toIntExact((historyEnd - historyStart) / MICROS_PER_DAY);
        double[] dayWeights = dayWeights(days);
        double[] remainingWeight = new double[days + 1];
        for (int day = days - 1; day >= 0; day--) {
            remainingWeight[day] = remainingWeight[day + 1] + dayWeights[day];
        }
        List<DemoEvent> carried = new ArrayList<>();
        int nextScheduled = 0;
        for (int day = 0; day < days; day++) {
            long sliceStart = historyStart + day * MICROS_PER_DAY;
            long sliceEnd = sliceStart + MICROS_PER_DAY;
            List<DemoEvent> slice = new ArrayList<>();
            List<DemoEvent> later = new ArrayList<>();
            for (DemoEvent event : carried) {
                (event.posted() < sliceEnd ? slice : later).add(event);
            }
            carried = later;
            while (nextScheduled < scheduled.size() && scheduled.get(nextScheduled).posted() < sliceEnd) {
                slice.add(scheduled.get(nextScheduled++));
            }
            addSpikeEvents(day, sliceStart, slice);
            long budget = spec.targetRows() - rows - slice.size() - carried.size()
                    - (scheduled.size() - nextScheduled);
            long quota = Math.max(0, Math.round(budget * dayWeights[day] / remainingWeight[day]));
            for (long i = 0; i < quota; i++) {
                DemoEvent event = usageEvent(sliceStart);
                if (event != null) {
                    (event.posted() < sliceEnd ? slice : carried).add(event);
                }
            }
            slice.sort(POSTING_ORDER);
            for (DemoEvent event : slice) {
                post(event, sink);
            }
        }
        return rows;
    }

    long balance(int account) {
        return balances[account];
    }

    long lastPostedMicros(int account) {
        return lastPostedByAccount[account];
    }

    long firstPostedMicros() {
        return firstPosted;
    }

    long lastPostedMicros() {
        return lastPosted;
    }

    /** Opening top-ups, number purchases in the first days and their monthly renewals, in time order. */
    private List<DemoEvent> scheduledEvents() {
        List<DemoEvent> events = new ArrayList<>();
        for (DemoAccount account : accounts) {
            long activation = account.activationMicros();
            events.add(new DemoEvent(activation, eventOrder++, account.index(), DemoRowType.TOP_UP, 0, activation,
                    activation));
            for (int number = 0; number < account.numbers(); number++) {
                long purchase = activation + MICROS_PER_MINUTE + activity.nextLong(72 * MICROS_PER_HOUR);
                ZonedDateTime purchased = toDateTime(purchase);
                for (int month = 0;; month++) {
                    long paidFrom = toMicros(purchased.plusMonths(month).toInstant());
                    if (paidFrom >= lastPostable) {
                        break;
                    }
                    long paidUntil = toMicros(purchased.plusMonths(month + 1L).toInstant());
                    DemoRowType type = month == 0 ? DemoRowType.NUMBER : DemoRowType.NUMBER_RENEW;
                    events.add(new DemoEvent(paidFrom, eventOrder++, account.index(), type, 0, paidFrom, paidUntil));
                }
            }
        }
        events.sort(POSTING_ORDER);
        return events;
    }

    /** A call or SMS of some account started on this day, or null if it would post after the history. */
    private DemoEvent usageEvent(long dayStart) {
        DemoAccount account = accounts.get(pick(cumulativeActivity, activity));
        long start = dayStart + pick(cumulativeHourlyTraffic, activity) * MICROS_PER_HOUR
                + activity.nextLong(MICROS_PER_HOUR);
        if (start < account.activationMicros()) {
            start = account.activationMicros() + MICROS_PER_SECOND + activity.nextLong(10 * MICROS_PER_MINUTE);
        }
        DemoEvent event;
        if (activity.nextDouble() < account.callShare()) {
            int seconds = activity.nextInt(100) < 6 ? 0 : callSeconds();
            long end = start + seconds * MICROS_PER_SECOND;
            event = new DemoEvent(end + postingDelay(), eventOrder++, account.index(), DemoRowType.CALL, seconds,
                    start, end);
        }
        else {
            event = new DemoEvent(start + activity.nextLong(2 * MICROS_PER_SECOND), eventOrder++, account.index(),
                    DemoRowType.SMS, 0, start, start);
        }
        return event.posted() < lastPostable ? event : null;
    }

    /** Log-normal around a 45 s median: many short calls, a long tail capped at two hours. */
    private int callSeconds() {
        long seconds = Math.round(45 * Math.exp(1.1 * activity.nextGaussian()));
        return (int) Math.max(1, Math.min(MAX_CALL_SECONDS, seconds));
    }

    /** Mostly 0–3 s, 5% of the calls wait 10 s to 10 min in a rating queue: posting order is not end order. */
    private long postingDelay() {
        return activity.nextInt(100) < 5
                ? 10 * MICROS_PER_SECOND + activity.nextLong(590 * MICROS_PER_SECOND)
                : activity.nextLong(3 * MICROS_PER_SECOND);
    }

    private void post(DemoEvent event, RowSink sink) throws SQLException {
        DemoAccount account = accounts.get(event.account());
        DemoRowType type = event.type();
        if (type == DemoRowType.TOP_UP) {
            emit(account, type, 0, 0, account.openingTopUp(), event.posted(), DemoLedgerRow.NO_TIME,
                    DemoLedgerRow.NO_TIME, sink);
            return;
        }
        int units = type == DemoRowType.CALL ? event.duration() : 1;
        long amount = -(units * rate(type, event.start()));
        long balance = balances[account.index()];
        if (amount < 0 && balance + amount < BALANCE_FLOOR) {
            long needed = roundUpToTenUsd(BALANCE_FLOOR - balance - amount);
            long topUp = Math.max((100 + 10L * topUps.nextInt(91)) * Money.MICROS_PER_USD, needed);
            emit(account, DemoRowType.TOP_UP, 0, 0, topUp, event.posted(), DemoLedgerRow.NO_TIME,
                    DemoLedgerRow.NO_TIME, sink);
        }
        emit(account, type, event.duration(), units, amount, event.posted(), event.start(), event.end(), sink);
    }

    private void emit(DemoAccount account, DemoRowType type, int duration, int units, long amount, long posted,
            long billingStart, long billingEnd, RowSink sink) throws SQLException {
        // Rows sharing a microsecond are spread by one microsecond each: tm_posted stays strictly increasing.
        long postedAt = lastPosted == DemoLedgerRow.NO_TIME ? posted : Math.max(posted, lastPosted + 1);
        long postingSeq = ++rows;
        long snapshot = balances[account.index()] + amount;
        balances[account.index()] = snapshot;
        lastPostedByAccount[account.index()] = postedAt;
        if (firstPosted == DemoLedgerRow.NO_TIME) {
            firstPosted = postedAt;
        }
        lastPosted = postedAt;
        long referenceTime = billingStart == DemoLedgerRow.NO_TIME ? postedAt : billingStart;
        sink.accept(new DemoLedgerRow(uuids.next(postedAt, postingSeq), account, type,
                uuids.next(referenceTime, postingSeq), duration, units, rate(type, billingStart), amount, snapshot,
                postingSeq, postedAt, uuids.next(postedAt, postingSeq), billingStart, billingEnd));
    }

    /** The rate card's rate for a usage row starting then (micro-USD per unit); 0 for a credit. */
    private long rate(DemoRowType type, long billingStart) {
        if (type == DemoRowType.TOP_UP) {
            return 0;
        }
        return rates.rateAt(type.referenceType(), Instant.EPOCH.plus(billingStart, ChronoUnit.MICROS));
    }

    private double[] dayWeights(int days) {
        double[] weights = new double[days];
        for (int day = 0; day < days; day++) {
            DayOfWeek weekday = LocalDate.ofEpochDay(Math.floorDiv(historyStart, MICROS_PER_DAY) + day).getDayOfWeek();
            boolean weekend = weekday == DayOfWeek.SATURDAY || weekday == DayOfWeek.SUNDAY;
            // A business that grows a little over the history.
            weights[day] = (weekend ? 0.6 : 1.0) * (1.0 + 0.15 * day / days);
        }
        return weights;
    }

    private static long roundUpToTenUsd(long micros) {
        long ten = 10 * Money.MICROS_PER_USD;
        return Math.floorDiv(micros + ten - 1, ten) * ten;
    }

    private static double[] cumulative(double[] weights) {
        double[] cumulative = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            cumulative[i] = sum;
        }
        return cumulative;
    }

    /** An index drawn with probability proportional to its weight. */
    private static int pick(double[] cumulative, SplittableRandom random) {
        double point = random.nextDouble() * cumulative[cumulative.length - 1];
        int found = Arrays.binarySearch(cumulative, point);
        int index = found >= 0 ? found + 1 : -found - 1;
        return Math.min(index, cumulative.length - 1);
    }

    static long toMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), MICROS_PER_SECOND),
                instant.getNano() / 1_000);
    }

    static Instant toInstant(long epochMicros) {
        return Instant.ofEpochSecond(Math.floorDiv(epochMicros, MICROS_PER_SECOND),
                Math.floorMod(epochMicros, MICROS_PER_SECOND) * 1_000);
    }

    private static ZonedDateTime toDateTime(long epochMicros) {
        return toInstant(epochMicros).atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    /** Something that will be posted: a usage event or a scheduled charge or credit. */
    private record DemoEvent(long posted, long order, int account, DemoRowType type, int duration, long start,
            long end) {
    }
}
