package io.billingbatch.testing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * The log of the test running now, kept in memory instead of printed (logback-test.xml): a green
 * run prints nothing, a failing test prints its own lines ({@link ShowLogOnFailure}), and a test
 * may assert on a line ({@link #text()}) or wait for one ({@link #awaitLine}) without polling.
 * Every line also goes to {@code target/tests-<fork>.log}.
 */
public final class TestLog extends AppenderBase<ILoggingEvent> {

    /** Lines kept per test: enough for any test here, bounded for a runaway loop. */
    private static final int LIMIT = 20_000;

    private static final Object LOCK = new Object();

    private static final Deque<String> LINES = new ArrayDeque<>();

    private static int dropped;

    private PatternLayout layout;

    @Override
    public void start() {
        layout = new PatternLayout();
        layout.setContext(getContext());
        layout.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n%ex{40}");
        layout.start();
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        String line = layout.doLayout(event);
        synchronized (LOCK) {
            if (LINES.size() == LIMIT) {
                LINES.removeFirst();
                dropped++;
            }
            LINES.addLast(line);
            LOCK.notifyAll();
        }
    }

    /** Forgets what was logged so far: the next test starts with an empty log. */
    public static void clear() {
        synchronized (LOCK) {
            LINES.clear();
            dropped = 0;
        }
    }

    /** What was logged since the current test (class) started, formatted as on a console. */
    public static String text() {
        synchronized (LOCK) {
            return String.join("", LINES);
        }
    }

    static List<String> lines() {
        synchronized (LOCK) {
            List<String> lines = new ArrayList<>();
            if (dropped > 0) {
                lines.add("(" + dropped + " earlier lines dropped; all are in target/tests-<fork>.log)\n");
            }
            lines.addAll(LINES);
            return lines;
        }
    }

    /** Waits until a line containing {@code text} is logged (woken by each new line, no polling). */
    public static void awaitLine(String text, Duration timeout) throws InterruptedException {
        awaitLine(line -> line.contains(text), "\"" + text + "\"", timeout);
    }

    /** Waits until a line that {@code matches} is logged (woken by each new line, no polling). */
    public static void awaitLine(Predicate<String> matches, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (LOCK) {
            while (LINES.stream().noneMatch(matches)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the log did not say " + what + " within " + timeout);
                }
                LOCK.wait(Math.max(1, left / 1_000_000));
            }
        }
    }
}
