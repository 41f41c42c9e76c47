package io.billingbatch.launch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: {@code <command> [--name=value | --flag ...]}. Options named
 * {@code spring.*}, {@code billing.*} or {@code logging.*} are configuration and go to Spring;
 * the others belong to the command and are checked against what it accepts.
 */
public record Invocation(Command command, Map<String, String> options, List<String> springArguments) {

    private static final List<String> CONFIGURATION_PREFIXES = List.of("spring.", "billing.", "logging.", "server.");

    /** The commands and the options each accepts. */
    public enum Command {
        RUN("run", Set.of("zone")),
        COST_REPORT("cost-report", Set.of("period", "zone", "rerun", "provisional")),
        RECONCILIATION("reconciliation", Set.of("period", "zone", "rerun", "provisional")),
        VERIFY_SEALS("verify-seals", Set.of("period", "zone", "rerun")),
        STATEMENTS("statements", Set.of("period", "zone", "rerun")),
        AUTO_TOPUP("auto-topup", Set.of("date", "dry-run", "rerun")),
        TOPUP_POLICY("topup-policy", Set.of("account", "threshold", "mode", "amount", "target", "max-per-day",
                "monthly-cap", "disable", "funding", "max-failures")),
        DISPATCH_WEBHOOKS("dispatch-webhooks", Set.of("max")),
        RUN_DEFINITION("run-definition", Set.of("file")),
        SERVE("serve", Set.of()),
        CREATE_TOKEN("create-token", Set.of("name", "role", "customer")),
        DEMO_DATA("demo-data", Set.of("accounts", "months", "rows", "seed", "end-month", "faults")),
        BENCHMARK("benchmark", Set.of("rows", "accounts", "month", "seed", "skip-generate", "jobs", "history-months", "day",
                "floor-work-mem")),
        HELP("help", Set.of());

        private final String word;

        private final Set<String> options;

        Command(String word, Set<String> options) {
            this.word = word;
            this.options = options;
        }

        public String word() {
            return word;
        }

        /** The command spelled {@code word}, if there is one. */
        public static java.util.Optional<Command> find(String word) {
            for (Command command : values()) {
                if (command.word.equals(word)) {
                    return java.util.Optional.of(command);
                }
            }
            return java.util.Optional.empty();
        }

        static Command of(String word) {
            return find(word).orElseThrow(() -> new UsageException("unknown command '" + word + "' (commands: cost-report, reconciliation, verify-seals, statements, auto-topup, topup-policy, dispatch-webhooks, run-definition, serve, create-token, demo-data, benchmark, help;"
                    + " none runs the main job)"));
        }
    }

    public static Invocation parse(String[] args) {
        int first = 0;
        Command command = Command.RUN;
        if (args.length > 0 && !args[0].startsWith("--")) {
            command = Command.of(args[0]);
            first = 1;
        }
        Map<String, String> options = new LinkedHashMap<>();
        List<String> springArguments = new ArrayList<>();
        for (int i = first; i < args.length; i++) {
            String arg = args[i];
            if (command == Command.RUN_DEFINITION && !arg.startsWith("--") && !options.containsKey("file")) {
                options.put("file", arg); // run-definition jobs/nightly.properties
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
            else if (command.options.contains(name)) {
                options.put(name, value);
            }
            else {
                throw new UsageException("unknown option --" + name + " for " + command.word
                        + (command.options.isEmpty() ? " (it takes none)" : " (it takes: --" + String.join(", --", command.options.stream().sorted().toList()) + ")"));
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
