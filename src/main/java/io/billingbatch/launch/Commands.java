package io.billingbatch.launch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;


/**
 * Every {@link Command}, as registered in {@code META-INF/spring.factories}, in the order listed
 * there (which is the order of {@code help}). Read once, before the application starts.
 */
public final class Commands {

    /** The command run when none is named: the main job. */
    public static final String MAIN = "run";

    private static final String HEADER = "usage: billing-batch [command] [--name=value ...]";

    private static final String FOOTER = "configuration options (--spring.datasource.url=..., --billing.reports.root=...) may follow any command";

    private static final String FACTORIES = "META-INF/spring.factories";

    private static volatile Map<String, Command<?>> all;

    private Commands() {
    }

    private static Map<String, Command<?>> all() {
        Map<String, Command<?>> commands = all;
        if (commands == null) {
            commands = new LinkedHashMap<>();
            for (Command<?> command : load()) {
                if (commands.putIfAbsent(command.name(), command) != null) {
                    throw new IllegalStateException("two commands are named " + command.name());
                }
            }
            all = commands;
        }
        return all;
    }

    /**
     * The registered commands, read as plain properties rather than through Spring's
     * {@code SpringFactoriesLoader}: {@code help} and a usage error then load no Spring class at all. They
     * are the application's own: the first {@code spring.factories} on the class path that names commands
     * (the application's classes come before its libraries). The files are found one by one, so the
     * libraries' are never opened: in the Spring Boot jar, opening its 120 nested jars to look for the
     * file took 0.1 - 0.17 s of a quick command's start-up (README, "Start-up of the command line").
     */
    private static List<Command<?>> load() {
        List<Command<?>> commands = new ArrayList<>();
        try {
            Enumeration<URL> files = Commands.class.getClassLoader().getResources(FACTORIES);
            while (commands.isEmpty() && files.hasMoreElements()) {
                Properties factories = new Properties();
                try (InputStream in = files.nextElement().openStream()) {
                    factories.load(in);
                }
                for (String type : factories.getProperty(Command.class.getName(), "").split(",")) {
                    if (!type.isBlank()) {
                        commands.add((Command<?>) Class.forName(type.trim(), true, Commands.class.getClassLoader())
                                .getDeclaredConstructor().newInstance());
                    }
                }
            }
        }
        catch (IOException | ReflectiveOperationException ex) {
            throw new IllegalStateException("cannot read the commands of " + FACTORIES + ": " + ex.getMessage(), ex);
        }
        return commands;
    }

    public static Optional<Command<?>> find(String name) {
        return Optional.ofNullable(name == null ? null : all().get(name));
    }

    /** The command named {@code name}, or a usage error listing them. */
    public static Command<?> named(String name) {
        return find(name).orElseThrow(() -> new UsageException("unknown command '" + name + "' (commands: "
                        + all().keySet().stream().filter(word -> !MAIN.equals(word)).collect(Collectors.joining(", "))
                        + "; none runs the main job)"));
    }

    public static Command<?> main() {
        return find(MAIN).orElseThrow(() -> new IllegalStateException("no main command is registered"));
    }

    /** The declared period jobs (their commands), by name. */
    public static List<PeriodJobCommand> periodJobs() {
        return all().values().stream().filter(PeriodJobCommand.class::isInstance).map(PeriodJobCommand.class::cast).toList();
    }

    /** The declaration of the period job {@code name}, if it has one. */
    public static Optional<PeriodJobCommand> periodJob(String name) {
        return find(name).filter(PeriodJobCommand.class::isInstance).map(PeriodJobCommand.class::cast);
    }

    /** The text of {@code help}: every command's lines, in order. */
    public static String usage() {
        StringBuilder usage = new StringBuilder(HEADER).append('\n');
        all().values().forEach(command -> command.usage().lines().forEach(line -> usage.append("  ").append(line).append('\n')));
        return usage.append(FOOTER).toString();
    }
}
