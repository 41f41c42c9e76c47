package io.billingbatch.launch;

import java.time.Clock;

import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;

/** Runs a checked command in the started application, with the CLI's exit codes and one-line reasons. */
@Component
public class CommandRunner {

    private final ApplicationContext application;

    public CommandRunner(ApplicationContext application) {
        this.application = application;
    }

    /** Parses, checks and runs {@code args} here (the command line checks them before the application starts). */
    public int execute(String... args) throws UsageException {
        Invocation invocation = Invocation.parse(args);
        return run(invocation, check(invocation));
    }

    /** The command's arguments as its {@link Command#check} reads them; a bad one is a {@link UsageException}. */
    static Object check(Invocation invocation) {
        try {
            return invocation.command().check(invocation);
        }
        catch (IllegalArgumentException ex) {
            throw new UsageException(ex.getMessage());
        }
    }

    int run(Invocation invocation, Object arguments) throws UsageException {
        return inContext(context -> run(invocation.command(), arguments, context));
    }

    /** The command's answer from the database alone (see {@link Command#answerFromDatabase}), with the same exit codes. */
    java.util.Optional<Integer> answerFromDatabase(Invocation invocation, Object arguments) throws UsageException {
        return inContext(context -> answer(invocation.command(), arguments, context));
    }

    /** Runs a command's code with this application's context; a bad argument is a usage error, a fault an IllegalStateException. */
    private <T> T inContext(CommandCall<T> call) throws UsageException {
        // System.out is looked up on each run so a caller (or a test) that redirects it sees the output
        CommandContext context = new CommandContext(application, application.getBean(Clock.class), System.out);
        try {
            return call.call(context);
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

    private interface CommandCall<T> {

        T call(CommandContext context) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static <A> java.util.Optional<Integer> answer(Command<A> command, Object arguments, CommandContext context)
            throws Exception {
        return command.answerFromDatabase((A) arguments, context);
    }

    @SuppressWarnings("unchecked")
    static <A> int run(Command<A> command, Object arguments, CommandContext context) throws Exception {
        return command.run((A) arguments, context);
    }
}
