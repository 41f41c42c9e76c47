package io.billingbatch.launch;

import java.util.Set;

/** {@code help}: every command's usage, without starting anything. */
public class HelpCommand implements Command<Void> {

    @Override
    public String name() {
        return "help";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public String usage() {
        return "help";
    }

    @Override
    public Void check(Invocation invocation) {
        return null;
    }

    @Override
    public int run(Void arguments, CommandContext context) {
        context.out().println(Commands.usage());
        return CommandLine.OK;
    }

    @Override
    public Startup startup() {
        return Startup.NONE;
    }
}
