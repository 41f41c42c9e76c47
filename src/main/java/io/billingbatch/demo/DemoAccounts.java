package io.billingbatch.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

import io.billingbatch.ledger.Money;

/** Builds the account population of a {@link DemoLedgerSpec}, the same one for the same seed. */
final class DemoAccounts {

    private static final String[] BRANDS = { "Acme", "Blue River", "Northwind", "Summit", "Harbor", "Redwood",
            "Silver Oak", "Granite", "Bright Path", "Cedar", "Lakeside", "Orion", "Pioneer", "Maple", "Evergreen",
            "Golden Gate", "Atlas", "Crescent", "Falcon", "Riverside", "Keystone", "Nimbus", "Sapphire", "Trident" };

    private static final String[] TRADES = { "Telecom", "Health", "Logistics", "Retail", "Bank", "Insurance",
            "Travel", "Foods", "Energy", "Media", "Clinic", "Realty", "Motors", "Labs", "Dental", "Couriers" };

    private static final String[] CITIES = { "Austin", "Berlin", "Lagos", "Lisbon", "Manila", "Melbourne",
            "Mexico City", "Mumbai", "Nairobi", "Seoul", "Toronto", "Warsaw" };

    /** Names a spreadsheet would read as formulas: the reports must neutralise them. */
    private static final String[] FORMULA_NAMES = { "+Plus Mobile", "-Minus Logistics", "=Equal Partners",
            "@At Home Care" };

    /** Positions (modulo {@link #FORMULA_CYCLE}) that get a formula-like name: four in every 199 accounts. */
    private static final int[] FORMULA_POSITIONS = { 3, 11, 23, 37 };

    private static final int FORMULA_CYCLE = 199;

    private static final long MICROS_PER_SECOND = 1_000_000L;

    private static final long MICROS_PER_HOUR = 3_600 * MICROS_PER_SECOND;

    private static final long MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

    private DemoAccounts() {
    }

    static List<DemoAccount> create(DemoLedgerSpec spec, SplittableRandom random) {
        long historyStart = DemoLedgerSimulation.toMicros(spec.start());
        TimeOrderedUuids uuids = new TimeOrderedUuids(random.split());
        List<DemoAccount> accounts = new ArrayList<>(spec.accounts());
        DemoAccount previous = null;
        int customers = 0;
        for (int index = 0; index < spec.accounts(); index++) {
            // A tenth of the customers run a second account (a second brand, a test account).
            boolean secondAccount = previous != null && random.nextInt(10) == 0
                    && (index < 2 || !accounts.get(index - 2).customerId().equals(previous.customerId()));
            long created = secondAccount
                    ? previous.createdMicros() + random.nextLong(historyStart - previous.createdMicros() + 1)
                    : historyStart - random.nextLong(730 * MICROS_PER_DAY);
            created -= Math.floorMod(created, MICROS_PER_SECOND);
            UUID customerId = secondAccount ? previous.customerId() : uuids.next(created, customers++);
            String trade = TRADES[random.nextInt(TRADES.length)];
            String name = nameOf(index, trade, random);
            String detail = trade + " customer in " + CITIES[random.nextInt(CITIES.length)]
                    + (secondAccount ? ", second account" : "");
            boolean prepaid = random.nextInt(5) != 0;
            long activation = historyStart + random.nextLong(12 * MICROS_PER_HOUR);
            long openingTopUp = (50 + random.nextInt(451)) * Money.MICROS_PER_USD;
            double activity = Math.exp(1.5 * random.nextGaussian());
            double callShare = 0.2 + 0.7 * random.nextDouble();
            int numbers = 1 + random.nextInt(3);
            DemoAccount account = new DemoAccount(index, uuids.next(created, index), customerId, name, detail,
                    prepaid ? "prepaid" : "", prepaid ? "card" : "", created, activation, openingTopUp, activity, callShare,
                    numbers);
            accounts.add(account);
            previous = account;
        }
        return accounts;
    }

    private static String nameOf(int index, String trade, SplittableRandom random) {
        int position = index % FORMULA_CYCLE;
        for (int i = 0; i < FORMULA_POSITIONS.length; i++) {
            if (FORMULA_POSITIONS[i] == position) {
                return FORMULA_NAMES[i] + " " + (index + 1);
            }
        }
        return BRANDS[random.nextInt(BRANDS.length)] + " " + trade + " " + (index + 1);
    }
}
