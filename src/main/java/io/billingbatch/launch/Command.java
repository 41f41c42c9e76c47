package io.billingbatch.launch;

import java.util.List;
import java.util.Set;

/**
 * A command of {@code billing-batch <command> [--name=value ...]}. A command is declared in the
 * package of the feature it drives and registered once, in {@code META-INF/spring.factories} under
 * this interface's name (README, "Adding a job"). It is created before the application starts, so
 * its name, options and {@link #check} cost no start-up; {@link #run} then gets what it needs from
 * the started application.
 *
 * @param <A> the command's arguments, as {@link #check} reads them from the command line (once)
 */
public interface Command<A> {

    /** How much of the application a command needs. */
    enum Startup {
        /** Nothing: the command answers from its arguments alone ({@code help}). */
        NONE,
        /** The database, the jobs and the command's own beans; no web server, no schedule. */
        BATCH,
        /** The web server, the API and the schedule ({@code serve}). */
        WEB
    }

    /** The word that names it on the command line. */
    String name();

    /** The {@code --name=value} options it accepts (configuration options aside). */
    Set<String> options();

    /** Its lines of {@code help}, each beginning with the command's name, aligned as the others. */
    String usage();

    /**
     * Reads and checks the options before anything starts.
     *
     * @throws UsageException (or {@link IllegalArgumentException}) with the one-line reason
     */
    A check(Invocation invocation);

    /** Runs the checked command in the started application; returns the exit code ({@link CommandLine#OK} ...). */
    int run(A arguments, CommandContext context) throws Exception;

    default Startup startup() {
        return Startup.BATCH;
    }

    /** The option a bare argument fills ({@code run-definition jobs/nightly.properties}), or null when none may be given. */
    default String positionalOption() {
        return null;
    }

    /**
     * The beans (component classes) beyond the database layer that {@link #answerFromDatabase} needs; none
     * (the default) when the command has no such answer. The database layer is the data source (the embedded
     * PostgreSQL or {@code spring.datasource.*}), JDBC, transactions, the clock and the job repository: see
     * {@link CommandDatabase}.
     */
    default List<Class<?>> databaseBeans() {
        return List.of();
    }

    /**
     * The command's answer from the database alone, in a small application of the database layer and
     * {@link #databaseBeans} that starts in a fraction of the whole one's time: a refused launch, a token.
     * Called before the whole application starts, only when {@link #databaseBeans} names some and the schema
     * is current (no migration pending); empty when only the whole application can answer, which then starts
     * and {@link #run}s the command. It must give the answer {@link #run} would give, by the same code.
     */
    default java.util.Optional<Integer> answerFromDatabase(A arguments, CommandContext context) throws Exception {
        return java.util.Optional.empty();
    }

    /** Configuration the command adds for its own start-up ({@code --billing.embedded.database=...}). */
    default List<String> configuration(List<String> given) {
        return List.of();
    }
}
