package io.billingbatch.launch;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The quick JVM of a command that may be answered from the database alone (a refused launch, a token):
 * {@code java -jar billing-batch.jar <command>} runs it in a second JVM started with the class data
 * sharing archive of the jar's extracted form and the quick JIT alone (C1), the way a user could start
 * it by hand (README, "Start-up of the command line"), because a JVM cannot choose its own options. The
 * second JVM only answers from the database layer ({@link CommandLine#NOT_ANSWERED} when it cannot, and
 * nothing has run); a launch that must run then runs here, in this JVM with its usual JIT.
 * <p>
 * The extracted jar (Spring Boot's {@code -Djarmode=tools extract}) and the archive live beside the jar,
 * in {@code <jar name>.cds/}; both are made on first use after each build: the extraction by a JVM of its
 * own, the archive by the first quick JVM of a launch that answers ({@code -XX:ArchiveClassesAtExit}, its
 * own command is the training run; a token command's trains a partial archive, which misses the job
 * repository and is used only until then). Nothing is relaunched when the jar is not a Spring Boot jar run with {@code -jar} (tests,
 * {@code spring-boot:run}, the extracted jar itself), when the caller chose the JVM's class sharing, JIT or
 * an agent, when the folder beside the jar cannot be written, or with {@code BILLING_QUICK_START=false}.
 */
final class QuickStart {

    /** Set on the quick JVM: answer from the database layer or exit {@link CommandLine#NOT_ANSWERED}. */
    static final String ANSWER_ONLY = "billing.cli.answer-only";

    static final String SWITCH = "BILLING_QUICK_START";

    /** The archive a launch's quick JVM trained (a period job, the main job): it holds what a token command loads too (measured). */
    private static final String ARCHIVE = "application.jsa";

    /** The archive a token command's quick JVM trained, used until a period job's has been trained. */
    private static final String PARTIAL_ARCHIVE = "partial.jsa";

    private static final String STAMP = "stamp";

    /** JVM options by which the caller chose how the JVM runs: then it runs as given, here. */
    private static final List<String> CALLERS_CHOICE = List.of("-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit",
            "-Xshare", "-XX:TieredStopAtLevel", "-XX:-TieredCompilation", "-agentlib", "-agentpath", "-javaagent",
            "-Xdebug", "-Xrunjdwp", "-XX:StartFlightRecording");

    private QuickStart() {
    }

    /** Whether this JVM is the quick one, which only answers from the database layer. */
    static boolean answerOnly() {
        return Boolean.getBoolean(ANSWER_ONLY);
    }

    /**
     * Runs the command line in the quick JVM and returns its exit code ({@link CommandLine#NOT_ANSWERED}: run
     * it here), or empty when there is no quick JVM for this one (see the class comment).
     *
     * @param launch whether the command's answer is a launch's (it reads Spring Batch's repository): its quick JVM
     * trains the archive every quick command uses; another's (a token's) trains a partial one, used until then
     */
    static OptionalInt answer(String[] args, boolean launch) {
        if ("false".equalsIgnoreCase(System.getenv(SWITCH)) || answerOnly()) {
            return OptionalInt.empty();
        }
        Optional<Path> jar = bootJar();
        Optional<List<String>> options = ProcessHandle.current().info().arguments().map(List::of).flatMap(QuickStart::jvmOptions);
        if (jar.isEmpty() || options.isEmpty()) {
            return OptionalInt.empty();
        }
        Optional<Path> layout = layout(jar.get());
        if (layout.isEmpty()) {
            return OptionalInt.empty();
        }
        Path archive = layout.get().resolve(ARCHIVE);
        if (!Files.isRegularFile(archive) && !launch) {
            archive = layout.get().resolve(PARTIAL_ARCHIVE);
        }
        boolean trained = Files.isRegularFile(archive);
        Path training = layout.get().resolve(archive.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        List<String> command = command(javaCommand(), options.get(), trained ? List.of("-XX:SharedArchiveFile=" + archive)
                // the training run: its notes on classes it leaves out of the archive are not the command's
                : List.of("-XX:ArchiveClassesAtExit=" + training, "-Xlog:cds*=off:stderr"),
                layout.get().resolve(jar.get().getFileName()), args);
        Process process;
        try {
            process = new ProcessBuilder(command).inheritIO().start();
        }
        catch (IOException ex) {
            return OptionalInt.empty(); // no JVM to start: the command runs here
        }
        // from here on the command has run (or is running) there: its exit code is the answer, whatever follows
        int exit = await(process);
        // an archive is kept from a run that answered, not from one that stopped early (no database, a schema to
        // migrate) and left out much of what the next commands load: the next quick JVM trains again
        if (!trained && Files.isRegularFile(training) && (exit == CommandLine.OK || exit == CommandLine.USAGE)) {
            try {
                move(training, archive);
                if (archive.getFileName().toString().equals(ARCHIVE)) {
                    Files.deleteIfExists(archive.resolveSibling(PARTIAL_ARCHIVE)); // no longer used
                }
            }
            catch (IOException ex) {
                // the next quick JVM trains again
            }
        }
        deleteQuietly(training);
        return OptionalInt.of(exit);
    }

    /** The quick JVM's command line: the caller's JVM options, C1 alone, the archive and the extracted jar. */
    static List<String> command(String java, List<String> options, List<String> archive, Path extractedJar, String[] args) {
        List<String> command = new ArrayList<>();
        command.add(java);
        // the JVM's own warnings (an archive of another JDK, say) go to stderr, never into a command's output; the
        // caller's own -Xlog options come after, so they still apply
        command.add("-Xlog:disable");
        command.add("-Xlog:all=warning:stderr");
        command.addAll(options);
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(archive);
        command.add("-D" + ANSWER_ONLY + "=true");
        command.add("-jar");
        command.add(extractedJar.toString());
        command.addAll(List.of(args));
        return command;
    }

    /**
     * The JVM options before {@code -jar} of this JVM's command line, or empty when it was not started
     * with {@code -jar} or its options chose class sharing, the JIT or an agent.
     */
    static Optional<List<String>> jvmOptions(List<String> arguments) {
        int jar = arguments.indexOf("-jar");
        if (jar < 0) {
            return Optional.empty();
        }
        List<String> options = arguments.subList(0, jar);
        if (options.stream().anyMatch(option -> CALLERS_CHOICE.stream().anyMatch(option::startsWith))) {
            return Optional.empty();
        }
        return Optional.of(List.copyOf(options));
    }

    /** The Spring Boot jar this JVM runs with {@code java -jar}, if it does. */
    private static Optional<Path> bootJar() {
        CodeSource source = CommandLine.class.getProtectionDomain().getCodeSource();
        String classPath = System.getProperty("java.class.path", "");
        if (source == null || source.getLocation() == null || !source.getLocation().toString().startsWith("jar:nested:")
                || !classPath.endsWith(".jar") || classPath.contains(java.io.File.pathSeparator)) {
            return Optional.empty();
        }
        Path jar = Path.of(classPath).toAbsolutePath();
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    /**
     * The extracted form of {@code jar} beside it, extracted now when it is missing or from another build
     * (or another JDK); empty when it cannot be made.
     */
    static Optional<Path> layout(Path jar) {
        String name = jar.getFileName().toString();
        Path layout = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".cds");
        try {
            String stamp = stamp(jar);
            if (current(layout, stamp)) {
                return Optional.of(layout);
            }
            if (!Files.isWritable(jar.getParent())) {
                return Optional.empty(); // a jar installed read-only: no extraction tried on every command
            }
            // one extraction at a time: a command that comes meanwhile waits for it and then uses it, and no
            // extraction replaces a folder another command's quick JVM has just started from
            try (FileChannel channel = FileChannel.open(jar.resolveSibling(layout.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                if (current(layout, stamp)) {
                    return Optional.of(layout);
                }
                Path extracted = jar.resolveSibling(layout.getFileName() + ".tmp");
                deleteQuietly(extracted);
                Process extract = new ProcessBuilder(javaCommand(), "-Djarmode=tools", "-jar", jar.toString(), "extract",
                        "--destination", extracted.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (await(extract) != 0 || !Files.isRegularFile(extracted.resolve(jar.getFileName()))) {
                    deleteQuietly(extracted);
                    return Optional.empty();
                }
                Files.writeString(extracted.resolve(STAMP), stamp, StandardCharsets.UTF_8);
                deleteQuietly(layout); // another build's
                Files.move(extracted, layout, StandardCopyOption.ATOMIC_MOVE);
            }
            return current(layout, stamp) ? Optional.of(layout) : Optional.empty();
        }
        catch (IOException | RuntimeException ex) {
            return Optional.empty(); // a folder that cannot be written, say: the command runs here
        }
    }

    /** What the extracted form was made from: the jar's size and time, and the JDK (the archive is the JDK's). */
    static String stamp(Path jar) throws IOException {
        return Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis() + " " + System.getProperty("java.home") + " "
                + System.getProperty("java.vm.version") + "\n";
    }

    static boolean current(Path layout, String stamp) {
        try {
            return stamp.equals(Files.readString(layout.resolve(STAMP), StandardCharsets.UTF_8));
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Waits for the process; when this JVM is stopped (SIGTERM, Ctrl-C) the process is stopped too. */
    private static int await(Process process) {
        Thread stop = new Thread(() -> {
            process.destroy();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return process.waitFor();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroy();
            return CommandLine.FAILED;
        }
        finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            }
            catch (IllegalStateException ex) {
                // shutting down: the hook runs
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (AtomicMoveNotSupportedException ex) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            paths.sorted(Comparator.reverseOrder()).forEach(each -> each.toFile().delete());
        }
        catch (IOException | RuntimeException ex) {
            // left for the next extraction to replace
        }
    }
}
