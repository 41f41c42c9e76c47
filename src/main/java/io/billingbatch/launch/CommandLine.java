package io.billingbatch.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * {@code billing-batch <command> [--name=value ...]}. Exit codes: 0 when the job completed (or
 * there was nothing to do), 1 when it failed, 2 for a usage error; every outcome ends with a
 * one-line reason. The command line is checked before the application starts, so a typo costs
 * no database start-up.
 */
public final class CommandLine {

    public static final int OK = 0;

    public static final int FAILED = 1;

    public static final int USAGE = 2;

    private CommandLine() {
    }

    public static int run(Class<?> application, String[] args) {
        Invocation invocation;
        try {
            invocation = Invocation.parse(args);
            BillingCommands.checkOptions(invocation);
        }
        catch (UsageException ex) {
            System.err.println("billing-batch: " + ex.getMessage());
            return USAGE;
        }
        if (invocation.command() == Invocation.Command.HELP) {
            System.out.println(BillingCommands.USAGE);
            return OK;
        }
        SpringApplication spring = new SpringApplication(application);
        if (invocation.command() == Invocation.Command.SERVE) {
            return serve(spring, invocation);
        }
        try (ConfigurableApplicationContext context = spring.run(springArguments(invocation))) {
            return context.getBean(BillingCommands.class).execute(invocation);
        }
        catch (UsageException ex) {
            System.err.println("billing-batch: " + ex.getMessage());
            return USAGE;
        }
        catch (RuntimeException ex) {
            Throwable cause = ex;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            System.err.println("billing-batch: " + invocation.command().word() + " failed: " + cause.getMessage());
            return FAILED;
        }
    }

    /** Starts the web server and returns only when the application is shut down (Ctrl-C, SIGTERM). */
    private static int serve(SpringApplication spring, Invocation invocation) {
        CountDownLatch closed = new CountDownLatch(1);
        spring.addListeners((ApplicationListener<ContextClosedEvent>) event -> closed.countDown());
        try {
            ConfigurableApplicationContext context = spring.run(springArguments(invocation));
            String port = context.getEnvironment().getProperty("local.server.port", "?");
            System.out.println("billing-batch serving on http://localhost:" + port + "/ (finance page), API under /v1.0,"
                    + " health /actuator/health; Ctrl-C stops it");
            closed.await();
            return OK;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return OK;
        }
        catch (RuntimeException ex) {
            Throwable cause = ex;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            System.err.println("billing-batch: serve failed to start: " + cause.getMessage());
            return FAILED;
        }
    }

    private static String[] springArguments(Invocation invocation) {
        List<String> arguments = new ArrayList<>(invocation.springArguments());
        if (invocation.command() == Invocation.Command.SERVE) {
            arguments.add(0, "--spring.main.web-application-type=servlet");
        }
        if (invocation.command() == Invocation.Command.BENCHMARK
                && arguments.stream().noneMatch(argument -> argument.startsWith("--billing.embedded.database="))) {
            // The benchmark fills its own embedded database so it never touches the demo ledger.
            arguments.add("--billing.embedded.database=" + Benchmark.BENCHMARK_DATABASE);
        }
        return arguments.toArray(String[]::new);
    }
}
