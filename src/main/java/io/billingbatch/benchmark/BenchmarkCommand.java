package io.billingbatch.benchmark;

import java.util.List;
import java.util.Set;

import io.billingbatch.launch.Command;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.Invocation;

/** {@code benchmark [...]}: the jobs against their floors, in a database of its own. */
public class BenchmarkCommand implements Command<Benchmark.Settings> {

    @Override
    public String name() {
        return "benchmark";
    }

    @Override
    public Set<String> options() {
        return Set.of("rows", "accounts", "month", "seed", "skip-generate", "jobs", "history-months", "day", "month-from-days",
                "floor-work-mem");
    }

    @Override
    public String usage() {
        return """
                benchmark      [--rows=10000000] [--accounts=20000] [--month=2020-01] [--seed=7]
                               [--jobs=cost-report,reconciliation,statements (default), also account-cost, webhooks]
                               [--skip-generate] [--history-months=0]
                               [--day=yyyy-MM-dd: also a day's reconciliation] [--floor-work-mem=1GB]
                               [--month-from-days: also the month from its sealed days, after every day is reconciled]""";
    }

    @Override
    public Benchmark.Settings check(Invocation invocation) {
        return Benchmark.Settings.from(invocation);
    }

    @Override
    public int run(Benchmark.Settings settings, CommandContext context) throws Exception {
        return context.bean(Benchmark.class).run(settings, context.out());
    }

    /** The benchmark fills its own embedded database so it never touches the demo ledger. */
    @Override
    public List<String> configuration(List<String> given) {
        return given.stream().anyMatch(argument -> argument.startsWith("--billing.embedded.database=")) ? List.of()
                : List.of("--billing.embedded.database=" + Benchmark.BENCHMARK_DATABASE);
    }
}
