package io.billingbatch.demo;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Set;

import io.billingbatch.launch.Command;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.CommandLine;
import io.billingbatch.launch.Invocation;
import io.billingbatch.launch.UsageException;
import io.billingbatch.ledger.ReportPeriod;

/** {@code demo-data [...]}: fills an empty ledger with a deterministic demo ledger, and breaks some rows on request. */
public class DemoDataCommand implements Command<DemoDataCommand.Arguments> {

    /** The options as given; the end month defaults to the current month (UTC) on the application's clock. */
    public record Arguments(Invocation invocation, int faultsPerKind, int spikes) {
    }

    @Override
    public String name() {
        return "demo-data";
    }

    @Override
    public Set<String> options() {
        return Set.of("accounts", "months", "rows", "seed", "end-month", "faults", "spikes");
    }

    @Override
    public String usage() {
        return """
                demo-data      [--accounts=2000] [--months=3] [--rows=300000] [--seed=42] [--end-month=yyyy-MM]
                               [--faults=N: break N rows of each fault kind in the last month, for reconciliation]
                               [--spikes=N: plant N spend spikes in the last month, for spend-anomalies]""";
    }

    @Override
    public Arguments check(Invocation invocation) {
        spec(invocation, YearMonth.of(2000, 1));
        return new Arguments(invocation, (int) invocation.longOption("faults", 0, 0, 1_000),
                (int) invocation.longOption("spikes", 0, 0, 1_000));
    }

    @Override
    public int run(Arguments arguments, CommandContext context) {
        DemoLedgerSpec spec = spec(arguments.invocation(), YearMonth.now(context.clock().withZone(ZoneOffset.UTC)));
        DemoLedgerGenerator demoLedger = context.bean(DemoLedgerGenerator.class);
        if (!demoLedger.isLedgerEmpty()) {
            throw new UsageException("the ledger is not empty: demo-data only fills an empty ledger");
        }
        DemoLedgerResult generated = demoLedger.generate(spec, arguments.spikes());
        print(generated, context);
        generated.spikes().forEach(spike -> context.out().printf("Planted a spend spike: %s, %s (%s): %,d extra %s costing %s USD%n",
                spike.day(), spike.accountId(), spike.accountName(), spike.events(), "call".equals(spike.type()) ? "calls" : "messages",
                io.billingbatch.ledger.Money.toUsd(spike.amount())));
        int faultsPerKind = arguments.faultsPerKind();
        if (faultsPerKind > 0) {
            YearMonth lastMonth = spec.firstMonth().plusMonths(spec.months() - 1);
            var injection = context.bean(DemoFaultInjector.class).inject(ReportPeriod.parse(lastMonth.toString(), "UTC"),
                    faultsPerKind, spec.seed());
            context.out().printf("Injected %d fault(s) of each kind into %s: reconciliation of %s must report %d finding(s);"
                    + " of the current month, %d stored balance mismatch(es)%n", faultsPerKind, lastMonth, lastMonth,
                    injection.periodFindings().size(), injection.storedBalanceDrift().size() + injection.duplicatedAccounts().size());
        }
        return CommandLine.OK;
    }

    private static DemoLedgerSpec spec(Invocation invocation, YearMonth defaultEnd) {
        YearMonth end;
        try {
            end = invocation.options().containsKey("end-month") ? YearMonth.parse(invocation.options().get("end-month")) : defaultEnd;
        }
        catch (DateTimeParseException ex) {
            throw new UsageException("--end-month must be a month like 2026-11, was '" + invocation.options().get("end-month") + "'");
        }
        DemoLedgerSpec defaults = DemoLedgerSpec.defaults(end);
        int months = (int) invocation.longOption("months", defaults.months(), 1, 120);
        return new DemoLedgerSpec(invocation.longOption("seed", defaults.seed(), Long.MIN_VALUE, Long.MAX_VALUE),
                (int) invocation.longOption("accounts", defaults.accounts(), 1, 10_000_000), end.minusMonths(months), months,
                invocation.longOption("rows", defaults.targetRows(), 2, 2_000_000_000L));
    }

    static void print(DemoLedgerResult result, CommandContext context) {
        context.out().printf("Demo ledger: %,d accounts, %,d ledger rows posted %s .. %s, loaded in %.1f s%n", result.accounts(),
                result.rows(), result.firstPosted(), result.lastPosted(), result.elapsed().toMillis() / 1000.0);
    }
}
