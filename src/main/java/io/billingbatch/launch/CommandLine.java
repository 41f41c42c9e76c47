package io.billingbatch.launch;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

public final class CommandLine {

    private CommandLine() {
    }

    public static int run(Class<?> application, String[] args) {
        try (ConfigurableApplicationContext context = new SpringApplication(application).run(args)) {
            return 0;
        }
    }
}
