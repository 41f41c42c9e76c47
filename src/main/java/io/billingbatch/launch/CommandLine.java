package io.billingbatch.launch;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * {@code billing-batch <command> [--name=value ...]}. Exit codes: 0 when the job completed (or
 * there was nothing to do), 1 when it failed, 2 for a usage error; every outcome ends with a
 * one-line reason. The command line is checked before the application starts, so a typo costs
 * no database start-up; only {@code serve} starts a web server.
 */
public final class CommandLine {

    public static final int OK = 0;

    public static final int FAILED = 1;

    public static final int USAGE = 2;

    /**
     * The quick JVM's exit code when the database layer cannot answer (a launch that must run, a schema that is
     * behind): nothing ran there, the command runs in the JVM that started it ({@link QuickStart}). Never the exit
     * code of {@code billing-batch} itself.
     */
    static final int NOT_ANSWERED = 3;

    static final String DATABASE_LAYER = "database layer";

    static final String APPLICATION = "application";

    static final String QUICK_JVM = "quick JVM";

    /** What answered the last command of this JVM ({@link #DATABASE_LAYER}, {@link #APPLICATION}, {@link #QUICK_JVM}), for tests. */
    static volatile String answeredBy;

    /** Spring Boot's switch for its background pre-initialisation (Jackson, message converters...). */
    static final String BACKGROUND_PREINITIALIZER_IGNORE = "spring.backgroundpreinitializer.ignore";

    private CommandLine() {
    }

    public static int run(Class<?> application, String[] args) {
        return run(application, args, QuickStart.answerOnly());
    }

    /**
     * @param answerOnly whether this is the quick JVM, which answers from the database layer or returns
     * {@link #NOT_ANSWERED} without running anything ({@link QuickStart})
     */
    static int run(Class<?> application, String[] args, boolean answerOnly) {
        Invocation invocation;
        Object arguments;
        try {
            invocation = Invocation.parse(args);
            arguments = CommandRunner.check(invocation);
        }
        catch (UsageException ex) {
            System.err.println("billing-batch: " + ex.getMessage());
            return USAGE;
        }
        Command<?> command = invocation.command();
        if (command.startup() == Command.Startup.NONE) {
            try {
                return CommandRunner.run(command, arguments, new CommandContext(null, Clock.systemUTC(), System.out));
            }
            catch (Exception ex) {
                System.err.println("billing-batch: " + command.name() + " failed: " + ex.getMessage());
                return FAILED;
            }
        }
        if (command.startup() == Command.Startup.WEB) {
            return serve(new SpringApplication(application), invocation);
        }
        // Boot warms up Jackson, the HTTP message converters and the conversion service on a thread of its own
        // for a web application: a command has no use for them, and on two cores that thread slows its start-up
        System.setProperty(BACKGROUND_PREINITIALIZER_IGNORE, "true");
        if (command.databaseBeans().isEmpty()) {
            return answerOnly ? NOT_ANSWERED : runApplication(application, invocation, arguments);
        }
        if (!answerOnly) {
            // the quick JVM, when the jar offers one (before any Spring class: its start-up is what this saves); it
            // answers in a fraction of this JVM's start-up, or it did nothing and the command runs here
            OptionalInt quick = QuickStart.answer(args, command.databaseBeans().contains(PeriodJobLauncher.class));
            if (quick.isPresent()) {
                answeredBy = QUICK_JVM;
                return quick.getAsInt() == NOT_ANSWERED ? runApplication(application, invocation, arguments) : quick.getAsInt();
            }
        }
        // first the database layer alone: a refused launch or a token needs no more (Command#answerFromDatabase)
        return exitCode(command, () -> {
            try (ConfigurableApplicationContext database = CommandDatabase.start(application, command.databaseBeans(),
                    springArguments(invocation))) {
                if (CommandDatabase.schemaCurrent(database)) {
                    answeredBy = DATABASE_LAYER; // a refusal is its answer too (a UsageException)
                    Optional<Integer> answer = database.getBean(CommandRunner.class).answerFromDatabase(invocation, arguments);
                    if (answer.isPresent()) {
                        return answer.get();
                    }
                }
                if (answerOnly) {
                    return NOT_ANSWERED; // the JVM that started this one runs it
                }
                return runApplication(application, invocation, arguments); // while the small one holds its PostgreSQL
            }
        });
    }

    /** Runs the command in the whole (non-web) application. */
    private static int runApplication(Class<?> application, Invocation invocation, Object arguments) {
        SpringApplication spring = new SpringApplication(application);
        // a command creates only the beans it uses: no web server, no schedule, no job it does not launch
        spring.setWebApplicationType(WebApplicationType.NONE);
        spring.setLazyInitialization(true);
        spring.setDefaultProperties(Map.of("spring.autoconfigure.exclude", String.join(",", serveOnlyAutoConfigurations())));
        answeredBy = APPLICATION;
        return exitCode(invocation.command(), () -> {
            try (ConfigurableApplicationContext context = spring.run(springArguments(invocation))) {
                return context.getBean(CommandRunner.class).run(invocation, arguments);
            }
        });
    }

    /** The exit code of a command's run: a usage error is 2, any other failure 1, each with its one-line reason. */
    private static int exitCode(Command<?> command, java.util.function.IntSupplier run) {
        try {
            return run.getAsInt();
        }
        catch (UsageException ex) {
            System.err.println("billing-batch: " + ex.getMessage());
            return USAGE;
        }
        catch (RuntimeException ex) {
            System.err.println("billing-batch: " + command.name() + " failed: " + rootCause(ex).getMessage());
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
            System.err.println("billing-batch: serve failed to start: " + rootCause(ex).getMessage());
            return FAILED;
        }
    }

    /**
     * Actuator endpoints, health and metrics: what {@code serve} offers its operators. A command has
     * no use for them, and their health contributors would start the database even for a command that
     * never touches it (they are created eagerly, lazy initialisation or not).
     */
    static List<String> serveOnlyAutoConfigurations() {
        return ImportCandidates.load(AutoConfiguration.class, CommandLine.class.getClassLoader()).getCandidates().stream()
                .filter(name -> name.startsWith("org.springframework.boot.actuate.")
                        || name.startsWith("org.springframework.boot.micrometer.") || name.contains(".health.")
                        || name.contains(".metrics.") || name.contains(".observation."))
                .toList();
    }

    private static Throwable rootCause(Throwable ex) {
        Throwable cause = ex;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String[] springArguments(Invocation invocation) {
        List<String> arguments = new ArrayList<>(invocation.springArguments());
        if (invocation.command().startup() == Command.Startup.WEB) {
            arguments.add(0, "--spring.main.web-application-type=servlet");
        }
        arguments.addAll(invocation.command().configuration(invocation.springArguments()));
        return arguments.toArray(String[]::new);
    }
}
