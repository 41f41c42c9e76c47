package io.billingbatch.launch;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

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
        spring.setDefaultProperties(defaultProperties(invocation));
        try (ConfigurableApplicationContext context = spring.run(invocation.springArguments().toArray(String[]::new))) {
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

    private static Map<String, Object> defaultProperties(Invocation invocation) {
        Map<String, Object> properties = new HashMap<>();
        if (invocation.command() == Invocation.Command.BENCHMARK) {
            // The benchmark fills its own database so it never touches the demo ledger.
            properties.put("billing.embedded.database", "billing_benchmark");
        }
        return properties;
    }
}
