package io.billingbatch.launch;

import java.util.Set;

/** {@code serve}: the HTTP API, the finance page and the schedules of {@code jobs/}, until the process is stopped. */
public class ServeCommand implements Command<Void> {

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public String usage() {
        return "serve          the HTTP API, finance page and nightly schedules of jobs/ [--server.port=8080]";
    }

    @Override
    public Void check(Invocation invocation) {
        return null;
    }

    /** The web application runs until it is shut down (see {@link CommandLine}); there is nothing more to do. */
    @Override
    public int run(Void arguments, CommandContext context) {
        return CommandLine.OK;
    }

    @Override
    public Startup startup() {
        return Startup.WEB;
    }
}
