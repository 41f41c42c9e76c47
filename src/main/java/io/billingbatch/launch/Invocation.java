package io.billingbatch.launch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed command line: {@code <command> [--name=value | --flag ...]}. Options named
 * {@code spring.*}, {@code billing.*}, {@code logging.*} or {@code server.*} are configuration and go to
 * Spring; the others belong to the command and are checked against what it accepts.
 */
public record Invocation(Command<?> command, Map<String, String> options, List<String> springArguments) {

    private static final List<String> CONFIGURATION_PREFIXES = List.of("spring.", "billing.", "logging.", "server.");

    public static Invocation parse(String[] args) {
        int first = 0;
        Command<?> command;
        if (args.length > 0 && !args[0].startsWith("--")) {
            command = Commands.named(args[0]);
            first = 1;
        }
        else {
            command = Commands.main();
        }
        return parse(command, args, first);
    }

    /** The arguments after the command's name, for {@code command}. */
    public static Invocation parse(Command<?> command, String[] args, int first) {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> springArguments = new ArrayList<>();
        String positional = command.positionalOption();
        for (int i = first; i < args.length; i++) {
            String arg = args[i];
            if (positional != null && !arg.startsWith("--") && !options.containsKey(positional)) {
                options.put(positional, arg); // run-definition jobs/nightly.properties
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument '" + arg + "': options are written --name=value");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg.substring(2) : arg.substring(2, equals);
            String value = equals < 0 ? "true" : arg.substring(equals + 1);
            if (CONFIGURATION_PREFIXES.stream().anyMatch(name::startsWith)) {
                springArguments.add(arg);
            }
            else if (command.options().contains(name)) {
                String earlier = options.putIfAbsent(name, value);
                if (earlier != null) {
                    // the last one silently winning would run, e.g., another period than the one read first
                    throw new UsageException("--" + name + " is given twice ('" + earlier + "', then '" + value
                            + "'): give it once");
                }
            }
            else {
                throw new UsageException("unknown option --" + name + " for " + command.name()
                        + (command.options().isEmpty() ? " (it takes none)"
                                : " (it takes: --" + String.join(", --", command.options().stream().sorted().toList()) + ")"));
            }
        }
        return new Invocation(command, Map.copyOf(options), List.copyOf(springArguments));
    }

    public String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    public boolean flag(String name) {
        String value = options.get(name);
        if (value == null || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw new UsageException("--" + name + " is a flag: give it alone or as --" + name + "=true|false");
    }

    public long longOption(String name, long fallback, long min, long max) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value.replace("_", ""));
        }
        catch (NumberFormatException ex) {
            throw new UsageException("--" + name + " must be a whole number, was '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw new UsageException("--" + name + " must be between " + min + " and " + max + ", was " + parsed);
        }
        return parsed;
    }
}
