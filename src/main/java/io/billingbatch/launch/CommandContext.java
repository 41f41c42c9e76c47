package io.billingbatch.launch;

import java.io.PrintStream;
import java.time.Clock;

import org.springframework.context.ApplicationContext;

/** What a command runs with: the started application's beans, its clock and the CLI's own output. */
public record CommandContext(ApplicationContext application, Clock clock, PrintStream out) {

    public <T> T bean(Class<T> type) {
        return application.getBean(type);
    }
}
