package io.billingbatch.launch;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import io.billingbatch.api.JdbcApiTokens;
import io.billingbatch.api.Role;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.costreport.CostReportRepository;
import io.billingbatch.costreport.JdbcCostReportRepository.TypeTotal;
import io.billingbatch.demo.DemoFaultInjector;
import io.billingbatch.demo.DemoLedgerGenerator;
import io.billingbatch.demo.DemoLedgerResult;
import io.billingbatch.demo.DemoLedgerSpec;
import io.billingbatch.ledger.JdbcBillingAccounts;
import io.billingbatch.ledger.Money;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.reconciliation.JdbcReconciliationRepository;
import io.billingbatch.topup.JdbcTopUpPolicies;
import io.billingbatch.topup.TopUpPolicy;
import io.billingbatch.webhook.WebhookDispatcher;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.report.ReportStore;
import io.billingbatch.seals.JdbcSealVerifications;
import io.billingbatch.seals.SealFinding;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/** What each command does once the application has started. Output here is the CLI's own. */
@Component
public class BillingCommands {

    static final String USAGE = """
            usage: billing-batch [command] [--name=value ...]
              (no command)   the main job: fill an empty ledger with demo data, then run cost-report for
                             the last complete month and print the totals and where the reports landed
              cost-report    --period=2026-10|2026-10-05 [--zone=UTC] [--rerun]   (a period that has ended;
                             --provisional for the running period so far, never its result)
              reconciliation --period=2026-10|2026-10-05 [--zone=UTC] [--rerun | --provisional]
              verify-seals   --period=2026-10|2026-10-05 [--zone=UTC] [--rerun]   recompute every range the
                             reconciliation sealed by the period's end; a change is sealed_period_changed
              statements     --period=2026-10 [--zone=UTC] [--rerun]   one PDF statement per account from the
                             month's published reconciliation, under reports/<month>/statements/
              auto-topup     [--date=yyyy-MM-dd (today, UTC)] [--dry-run] [--rerun]
              topup-policy   --account=<id> [--threshold=50.00] [--mode=fixed|target] [--amount=100.00]
                             [--target=200.00] [--max-per-day=1] [--monthly-cap=1000.00] [--disable]
                             [--funding=grant|http] [--max-failures=3]
              dispatch-webhooks [--max=10000]   deliver the due webhook events of the outbox now
              run-definition jobs/<file>.properties   run a launch definition's jobs now, in order
              serve          the HTTP API, finance page and nightly schedules of jobs/ [--server.port=8080]
              create-token   --name=<who> --role=admin|finance|customer [--customer=<customer id>]
                             prints the token's secret once (only its hash is stored)
              demo-data      [--accounts=2000] [--months=3] [--rows=300000] [--seed=42] [--end-month=yyyy-MM]
                             [--faults=N: break N rows of each fault kind in the last month, for reconciliation]
              benchmark      [--rows=10000000] [--accounts=20000] [--month=2020-01] [--seed=7]
                             [--jobs=cost-report,reconciliation,statements] [--skip-generate] [--history-months=0]
                             [--day=yyyy-MM-dd: also a day's reconciliation] [--floor-work-mem=1GB]
              help
            configuration options (--spring.datasource.url=..., --billing.reports.root=...) may follow any command""";

    private final PeriodJobLauncher launcher;

    private final Job costReportJob;

    private final Job reconciliationJob;

    private final Job autoTopUpJob;

    private final Job verifySealsJob;

    private final Job statementsJob;

    private final JdbcSealVerifications sealVerifications;

    private final JdbcTopUpPolicies topUpPolicies;

    private final WebhookDispatcher webhookDispatcher;

    private final JdbcReconciliationRepository reconciliations;

    private final CostReportRepository costReports;

    private final ReportStore reportStore;

    private final DemoLedgerGenerator demoLedger;

    private final Benchmark benchmark;

    private final DemoFaultInjector faultInjector;

    private final JdbcApiTokens tokens;

    private final JdbcBillingAccounts accounts;

    private final DefinitionRunner definitions;

    private final Clock clock;

    // looked up on each use so a caller (or a test) that redirects System.out sees the output
    private static PrintStream out() {
        return System.out;
    }

    public BillingCommands(PeriodJobLauncher launcher, @Qualifier("costReportJob") Job costReportJob,
            @Qualifier("reconciliationJob") Job reconciliationJob, JdbcReconciliationRepository reconciliations,
            @Qualifier("autoTopUpJob") Job autoTopUpJob, JdbcTopUpPolicies topUpPolicies,
            WebhookDispatcher webhookDispatcher,
            CostReportRepository costReports, ReportStore reportStore, DemoLedgerGenerator demoLedger,
            Benchmark benchmark, DemoFaultInjector faultInjector, JdbcApiTokens tokens, DefinitionRunner definitions,
            Clock clock, JdbcBillingAccounts accounts, @Qualifier("verifySealsJob") Job verifySealsJob,
            JdbcSealVerifications sealVerifications, @Qualifier("statementsJob") Job statementsJob) {
        this.statementsJob = statementsJob;
        this.verifySealsJob = verifySealsJob;
        this.sealVerifications = sealVerifications;
        this.tokens = tokens;
        this.accounts = accounts;
        this.definitions = definitions;
        this.launcher = launcher;
        this.costReportJob = costReportJob;
        this.reconciliationJob = reconciliationJob;
        this.autoTopUpJob = autoTopUpJob;
        this.topUpPolicies = topUpPolicies;
        this.webhookDispatcher = webhookDispatcher;
        this.reconciliations = reconciliations;
        this.costReports = costReports;
        this.reportStore = reportStore;
        this.demoLedger = demoLedger;
        this.benchmark = benchmark;
        this.faultInjector = faultInjector;
        this.clock = clock;
    }

    /** Checks what can be checked before the application starts. */
    static void checkOptions(Invocation invocation) {
        try {
            switch (invocation.command()) {
                case STATEMENTS -> {
                    JobRequest.from(invocation, java.time.Clock.systemUTC());
                }
                case VERIFY_SEALS -> {
                    ReportPeriod.parse(invocation.options().get("period"), invocation.option("zone", "UTC"));
                    invocation.flag("rerun");
                }
                case COST_REPORT, RECONCILIATION -> {
                    ReportPeriod.parse(invocation.options().get("period"), invocation.option("zone", "UTC"));
                    invocation.flag("rerun");
                    invocation.flag("provisional");
                }
                case RUN -> ReportPeriod.parseZone(invocation.option("zone", "UTC"));
                case DEMO_DATA -> {
                    demoSpec(invocation, YearMonth.of(2000, 1));
                    invocation.longOption("faults", 0, 0, 1_000);
                }
                case BENCHMARK -> Benchmark.Settings.from(invocation);
                case AUTO_TOPUP -> {
                    JobRequest.topUpDay(invocation, java.time.LocalDate.of(2000, 1, 1));
                    invocation.flag("dry-run");
                    invocation.flag("rerun");
                }
                case TOPUP_POLICY -> {
                    policy(invocation);
                    funding(invocation);
                    invocation.longOption("max-failures", 3, 1, 1_000);
                }
                case DISPATCH_WEBHOOKS -> invocation.longOption("max", 10_000, 1, 10_000_000);
                case RUN_DEFINITION -> definition(invocation);
                case CREATE_TOKEN -> tokenRequest(invocation);
                default -> {
                }
            }
        }
        catch (IllegalArgumentException ex) {
            throw new UsageException(ex.getMessage());
        }
    }

    public int execute(Invocation invocation) throws UsageException {
        try {
            return switch (invocation.command()) {
                case RUN -> runMainJob(invocation);
                case COST_REPORT -> costReport(invocation);
                case RECONCILIATION -> reconciliation(invocation);
                case VERIFY_SEALS -> verifySeals(invocation);
                case STATEMENTS -> statements(invocation);
                case AUTO_TOPUP -> autoTopUp(invocation);
                case TOPUP_POLICY -> {
                    TopUpPolicy policy = policy(invocation);
                    topUpPolicies.save(policy);
                    topUpPolicies.useFunding(policy.accountId(), funding(invocation),
                            (int) invocation.longOption("max-failures", TopUpPolicy.DEFAULT_MAX_CONSECUTIVE_FAILURES, 1, 1_000));
                    out().printf("auto top-up policy saved for account %s: %s, below %s USD, %s, at most %d a day and %s USD"
                            + " a month, funding %s%n", policy.accountId(), policy.enabled() ? "enabled" : "disabled",
                            Money.toUsd(policy.threshold()), "fixed".equals(policy.mode()) ? "add " + Money.toUsd(policy.amount())
                                    + " USD" : "up to " + Money.toUsd(policy.target()) + " USD", policy.maxPerDay(),
                            Money.toUsd(policy.monthlyCap()), funding(invocation));
                    yield CommandLine.OK;
                }
                case RUN_DEFINITION -> runDefinition(definition(invocation));
                case DISPATCH_WEBHOOKS -> {
                    int tried = webhookDispatcher.dispatchDue((int) invocation.longOption("max", 10_000, 1, 10_000_000));
                    out().printf("webhooks: %d delivery attempt(s) made; failed ones are retried with backoff, see webhook_outbox%n", tried);
                    yield CommandLine.OK;
                }
                case CREATE_TOKEN -> createToken(invocation);
                case SERVE -> CommandLine.OK;
                case DEMO_DATA -> demoData(invocation);
                case BENCHMARK -> benchmark.run(Benchmark.Settings.from(invocation), out());
                case HELP -> {
                    out().println(USAGE);
                    yield CommandLine.OK;
                }
            };
        }
        catch (IllegalArgumentException ex) {
            throw new UsageException(ex.getMessage());
        }
        catch (UsageException | IllegalStateException ex) {
            throw ex;
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex.getMessage(), ex);
        }
    }

    private int runMainJob(Invocation invocation) throws Exception {
        if (demoLedger.isLedgerEmpty()) {
            DemoLedgerSpec spec = DemoLedgerSpec.defaults(YearMonth.now(clock.withZone(ZoneOffset.UTC)));
            out().printf("The ledger is empty: generating the demo ledger (%,d accounts, %s to %s, about %,d rows)%n",
                    spec.accounts(), spec.firstMonth(), spec.firstMonth().plusMonths(spec.months() - 1), spec.targetRows());
            printDemoResult(demoLedger.generate(spec));
        }
        ReportPeriod period = ReportPeriod.lastCompleteMonth(clock.instant(), ReportPeriod.parseZone(invocation.option("zone", "UTC")));
        return launchCostReport(period, false, true);
    }

    private int costReport(Invocation invocation) throws Exception {
        JobRequest request = JobRequest.from(invocation, clock);
        if (request.parameters().provisional()) {
            ReportPeriod period = request.parameters().period();
            return launchPeriodJob(costReportJob, request.parameters(), false, false, () -> printFiles(period));
        }
        return launchCostReport(request.parameters().period(), request.rerun(), false);
    }

    private int launchCostReport(ReportPeriod period, boolean rerun, boolean completeIsFine) throws Exception {
        return launchPeriodJob(costReportJob, new PeriodJobParameters(period, 1), rerun, completeIsFine,
                () -> printReport(period));
    }

    private int autoTopUp(Invocation invocation) throws Exception {
        JobRequest request = JobRequest.from(invocation, clock);
        ReportPeriod day = request.parameters().period();
        return launchPeriodJob(autoTopUpJob, request.parameters(), request.rerun(), false, () -> printFiles(day));
    }

    private static LaunchDefinition definition(Invocation invocation) {
        String file = invocation.options().get("file");
        if (file == null) {
            throw new UsageException("run-definition needs the definition's file, e.g. run-definition jobs/nightly.properties");
        }
        return LaunchDefinition.load(Path.of(file));
    }

    /** Runs a definition's jobs in order for the periods its rules give now; stops at the first failure. */
    private int runDefinition(LaunchDefinition definition) throws Exception {
        out().printf("%s (%s, cron '%s', zone %s)%n", definition.name(), definition.file(), definition.cronText(),
                definition.zone().getId());
        DefinitionRunner.Run run = definitions.run(definition, clock.instant(),
                step -> report(step.job(), step.parameters(), step.outcome(), true, () -> { }));
        return run.result() == DefinitionRunner.Result.COMPLETED ? CommandLine.OK : CommandLine.FAILED;
    }

    private record TokenRequest(String name, Role role, UUID customerId) {
    }

    private static TokenRequest tokenRequest(Invocation invocation) {
        String name = invocation.options().get("name");
        if (name == null || name.isBlank()) {
            throw new UsageException("create-token needs --name=<who uses it>");
        }
        Role role = Role.of(invocation.option("role", ""));
        String customer = invocation.options().get("customer");
        UUID customerId = null;
        if (customer != null) {
            try {
                customerId = UUID.fromString(customer);
            }
            catch (IllegalArgumentException ex) {
                throw new UsageException("--customer must be a customer id (uuid), was '" + customer + "'");
            }
        }
        if ((role == Role.CUSTOMER) != (customerId != null)) {
            throw new UsageException(role == Role.CUSTOMER ? "a customer token needs --customer=<customer id>"
                    : "--customer is only for --role=customer");
        }
        return new TokenRequest(name, role, customerId);
    }

    private int createToken(Invocation invocation) {
        TokenRequest request = tokenRequest(invocation);
        if (request.customerId() != null && accounts.page(request.customerId(), null, 1).isEmpty()) {
            // a token that can read nothing is a typo in --customer, not something to hand out
            throw new UsageException("customer " + request.customerId() + " has no billing account: check --customer"
                    + " (a customer token reads only its customer's accounts)");
        }
        JdbcApiTokens.CreatedToken created = tokens.create(request.name(), request.role(), request.customerId());
        out().printf("token %s created for %s (role %s%s). Its secret, shown only now:%n%s%n", created.principal().tokenId(),
                created.principal().name(), request.role().word(),
                request.customerId() == null ? "" : ", customer " + request.customerId(), created.secret());
        return CommandLine.OK;
    }

    private static String funding(Invocation invocation) {
        String funding = invocation.option("funding", TopUpPolicy.DEFAULT_FUNDING);
        if (!"grant".equals(funding) && !"http".equals(funding)) {
            throw new UsageException("--funding must be grant or http, was '" + funding + "'");
        }
        return funding;
    }

    private static TopUpPolicy policy(Invocation invocation) {
        String account = invocation.options().get("account");
        UUID accountId;
        try {
            accountId = UUID.fromString(account == null ? "" : account);
        }
        catch (IllegalArgumentException ex) {
            throw new UsageException("--account must be a billing account id (uuid), was '" + account + "'");
        }
        String mode = invocation.option("mode", "fixed");
        String target = invocation.options().get("target");
        return new TopUpPolicy(accountId, !invocation.flag("disable"),
                Money.fromUsd(invocation.option("threshold", Money.toUsd(TopUpPolicy.DEFAULT_THRESHOLD))), mode,
                Money.fromUsd(invocation.option("amount", Money.toUsd(TopUpPolicy.DEFAULT_AMOUNT))),
                target == null ? null : Money.fromUsd(target),
                (int) invocation.longOption("max-per-day", TopUpPolicy.DEFAULT_MAX_PER_DAY, 1, 1_000),
                Money.fromUsd(invocation.option("monthly-cap", Money.toUsd(TopUpPolicy.DEFAULT_MONTHLY_CAP))));
    }

    private int reconciliation(Invocation invocation) throws Exception {
        JobRequest request = JobRequest.from(invocation, clock);
        ReportPeriod period = request.parameters().period();
        return launchPeriodJob(reconciliationJob, request.parameters(), request.rerun(), false,
                request.parameters().provisional() ? () -> printFiles(period) : () -> printReconciliation(period));
    }

    private int verifySeals(Invocation invocation) throws Exception {
        JobRequest request = JobRequest.from(invocation, clock);
        ReportPeriod period = request.parameters().period();
        return launchPeriodJob(verifySealsJob, request.parameters(), request.rerun(), false, () -> printSealCheck(period));
    }

    private int statements(Invocation invocation) throws Exception {
        JobRequest request = JobRequest.from(invocation, clock);
        return launchPeriodJob(statementsJob, request.parameters(), request.rerun(), false,
                () -> printFiles(request.parameters().period()));
    }

    private void printSealCheck(ReportPeriod period) {
        sealVerifications.summary(period).ifPresent(summary -> {
            out().printf("  sealed ranges checked %,d (seals %,d), ledger rows read %,d, rows checked %,d%n",
                    summary.rangesChecked(), summary.sealsChecked(), summary.rowsRead(), summary.rowsChecked());
            out().printf("  %s %,d%s%n", SealFinding.SEALED_PERIOD_CHANGED, summary.findings(),
                    summary.findings() == 0 ? ": every seal holds" : ": a sealed range changed after it was sealed, see the files");
        });
        printFiles(period);
    }

    private void printReconciliation(ReportPeriod period) {
        var summary = reconciliations.summary(period);
        out().printf("  accounts checked %,d, clean %,d, findings %,d%n", summary.accountsChecked(), summary.accountsClean(),
                summary.findings());
        summary.kinds().forEach(kind -> out().printf("  %-20s %,8d   |difference| %s USD%n", kind.kind(), kind.findings(),
                Money.toUsd(kind.absoluteDifference())));
        printFiles(period);
    }

    private int launchPeriodJob(Job job, PeriodJobParameters parameters, boolean rerun, boolean completeIsFine,
            Runnable printResult) throws Exception {
        int exit = report(job, parameters, launcher.launch(job, parameters, rerun), completeIsFine, printResult);
        if (exit == CommandLine.FAILED && rerun && !PeriodJobLauncher.DAY_ACTION_JOBS.contains(job.getName())) {
            // the same command with --rerun starts yet another revision from the ledger (the way out of a revision that
            // fails for ever); without it, the launch restarts this one where it stopped
            out().println("(Without --rerun the launch restarts this revision where it stopped; with --rerun it starts"
                    + " another revision.)");
        }
        return exit;
    }

    /** Prints what a launch did; a run that did not complete is exit 1, one running elsewhere a usage error. */
    private int report(Job job, PeriodJobParameters parameters, LaunchOutcome outcome, boolean completeIsFine,
            Runnable printResult) {
        ReportPeriod period = parameters.period();
        String what = job.getName() + " " + period.key() + " (" + period.zone().getId() + ")" + (parameters.dryRun() ? " dry run" : "")
                + (parameters.provisional() ? " provisional as of " + parameters.provisionalAsOf() : "");
        if (outcome instanceof LaunchOutcome.AlreadyRunning running) {
            throw new UsageException(what + " is already running" + (running.execution() == null ? ""
                    : " (execution " + running.execution().getId() + ")") + " in another process");
        }
        if (outcome instanceof LaunchOutcome.AlreadyComplete complete) {
            JobExecution done = complete.execution();
            String message = what + " is already reported (execution " + done.getId() + ", finished "
                    + done.getEndTime() + ")";
            if (!completeIsFine) {
                printResult.run();
                throw new UsageException(message + "; nothing was run: add --rerun to replace it");
            }
            out().println(message + "; nothing to do.");
            printResult.run();
            return CommandLine.OK;
        }
        JobExecution execution = ((LaunchOutcome.Ran) outcome).execution();
        Duration took = execution.getStartTime() == null || execution.getEndTime() == null ? Duration.ZERO
                : Duration.between(execution.getStartTime(), execution.getEndTime());
        long skipped = execution.getStepExecutions().stream().mapToLong(step -> step.getSkipCount()).sum();
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            out().printf("%s: %s (execution %d): %s%n", what, execution.getStatus(), execution.getId(), failureReason(execution));
            out().println("Run the same command again to restart it where it stopped.");
            return CommandLine.FAILED;
        }
        out().printf("%s: COMPLETED in %.1f s (execution %d, revision %d)%n", what, took.toMillis() / 1000.0,
                execution.getId(), execution.getJobParameters().getLong(PeriodJobParameters.REVISION));
        if (skipped > 0) {
            out().printf("  %d item(s) were rejected as bad input and left out: see the log and table batch_item_rejects%n", skipped);
        }
        printResult.run();
        return CommandLine.OK;
    }

    private void printReport(ReportPeriod period) {
        List<TypeTotal> totals = costReports.totalsByType(period);
        out().printf("  %-7s %14s %16s %20s%n", "type", "records", "billable_units", "cost_usd");
        long records = 0;
        long cost = 0;
        for (TypeTotal total : totals) {
            out().printf("  %-7s %,14d %,16d %20s%n", total.type(), total.records(), total.billableUnits(), Money.toUsd(total.cost()));
            records = Math.addExact(records, total.records());
            cost = Math.addExact(cost, total.cost());
        }
        out().printf("  %-7s %,14d %16s %20s%n", "total", records, "", Money.toUsd(cost));
        printFiles(period);
    }

    private void printFiles(ReportPeriod period) {
        Path directory = reportStore.directory(period.key()).toAbsolutePath();
        out().println("Reports in " + directory + ":");
        reportStore.list(period.key()).forEach(file -> out().printf("  %s (%,d bytes)%n", file.name(), file.size()));
    }

    private int demoData(Invocation invocation) {
        DemoLedgerSpec spec = demoSpec(invocation, YearMonth.now(clock.withZone(ZoneOffset.UTC)));
        if (!demoLedger.isLedgerEmpty()) {
            throw new UsageException("the ledger is not empty: demo-data only fills an empty ledger");
        }
        printDemoResult(demoLedger.generate(spec));
        int faultsPerKind = (int) invocation.longOption("faults", 0, 0, 1_000);
        if (faultsPerKind > 0) {
            YearMonth lastMonth = spec.firstMonth().plusMonths(spec.months() - 1);
            var injection = faultInjector.inject(ReportPeriod.parse(lastMonth.toString(), "UTC"), faultsPerKind, spec.seed());
            out().printf("Injected %d fault(s) of each kind into %s: reconciliation of %s must report %d finding(s);"
                    + " of the current month, %d stored balance mismatch(es)%n", faultsPerKind, lastMonth, lastMonth,
                    injection.periodFindings().size(), injection.storedBalanceDrift().size() + injection.duplicatedAccounts().size());
        }
        return CommandLine.OK;
    }

    private static DemoLedgerSpec demoSpec(Invocation invocation, YearMonth defaultEnd) {
        YearMonth end;
        try {
            end = invocation.options().containsKey("end-month") ? YearMonth.parse(invocation.options().get("end-month")) : defaultEnd;
        }
        catch (java.time.format.DateTimeParseException ex) {
            throw new UsageException("--end-month must be a month like 2026-11, was '" + invocation.options().get("end-month") + "'");
        }
        DemoLedgerSpec defaults = DemoLedgerSpec.defaults(end);
        int months = (int) invocation.longOption("months", defaults.months(), 1, 120);
        return new DemoLedgerSpec(invocation.longOption("seed", defaults.seed(), Long.MIN_VALUE, Long.MAX_VALUE),
                (int) invocation.longOption("accounts", defaults.accounts(), 1, 10_000_000), end.minusMonths(months), months,
                invocation.longOption("rows", defaults.targetRows(), 2, 2_000_000_000L));
    }

    private void printDemoResult(DemoLedgerResult result) {
        out().printf("Demo ledger: %,d accounts, %,d ledger rows posted %s .. %s, loaded in %.1f s%n", result.accounts(),
                result.rows(), result.firstPosted(), result.lastPosted(), result.elapsed().toMillis() / 1000.0);
    }

    private static String failureReason(JobExecution execution) {
        String description = execution.getExitStatus().getExitDescription();
        if (description == null || description.isBlank()) {
            return execution.getAllFailureExceptions().stream().findFirst().map(Throwable::getMessage).orElse("no reason recorded");
        }
        return description.lines().findFirst().orElse(description);
    }

}
