package io.billingbatch.testing;

import java.util.List;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Registered for every test (META-INF/services, junit-platform.properties): the log a test class
 * and test made ({@link TestLog}) is printed only when the test fails, so a green run is quiet
 * and a red one shows what led to it. Expected failures (a job made to fail) stay out of sight.
 */
public final class ShowLogOnFailure implements BeforeAllCallback, TestWatcher {

    @Override
    public void beforeAll(ExtensionContext context) {
        TestLog.clear();
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        TestLog.clear();
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        TestLog.clear();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        List<String> lines = TestLog.lines();
        StringBuilder out = new StringBuilder();
        out.append("---- log of ").append(context.getRequiredTestClass().getSimpleName()).append('.')
                .append(context.getDisplayName()).append(" (").append(lines.size()).append(" lines) ----\n");
        lines.forEach(out::append);
        out.append("---- end of the log of ").append(context.getDisplayName()).append(" ----\n");
        System.out.print(out);
        TestLog.clear();
    }
}
