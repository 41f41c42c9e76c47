package io.billingbatch.launch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.billingbatch.database.EmbeddedPostgresConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.batch.autoconfigure.BatchAutoConfiguration;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The database layer alone, for a command's {@link Command#answerFromDatabase answer from the database}
 * (a refused launch, a token): the same data source as the whole application (the embedded PostgreSQL
 * or {@code spring.datasource.*}, through the same configuration), JDBC, transactions, the clock, the
 * job repository and the beans the command names, nothing else: no component scan, no other
 * auto-configuration, no Flyway. It answers only when the schema is current, that is when every
 * migration on the class path is applied (one query); otherwise the whole application starts and
 * Flyway migrates as always. While the whole application runs after it, this one stays open, so an
 * embedded PostgreSQL it started is shared rather than stopped and started again.
 */
final class CommandDatabase {

    private static final Logger logger = LoggerFactory.getLogger(CommandDatabase.class);

    private static final Pattern VERSIONED = Pattern.compile("V(\\d+(?:[._]\\d+)*)__.*\\.sql");

    private CommandDatabase() {
    }

    /** The small application of the database layer and {@code beans}, non-web and lazily initialised. */
    static ConfigurableApplicationContext start(Class<?> application, List<Class<?>> beans, String[] arguments) {
        List<Class<?>> sources = new ArrayList<>();
        sources.add(DatabaseLayer.class);
        sources.addAll(beans);
        SpringApplication spring = new SpringApplication(sources.toArray(Class<?>[]::new));
        spring.setMainApplicationClass(application);
        spring.setWebApplicationType(WebApplicationType.NONE);
        spring.setLazyInitialization(true);
        spring.setDefaultProperties(Map.of("spring.main.log-startup-info", "false"));
        return spring.run(arguments);
    }

    /**
     * Whether every versioned migration of {@code spring.flyway.locations} is applied, none failed: then
     * Flyway at start-up would only validate. An unreadable history (no table yet) is not current.
     */
    static boolean schemaCurrent(ConfigurableApplicationContext context) {
        Environment environment = context.getEnvironment();
        if (!environment.getProperty("spring.flyway.enabled", Boolean.class, true)) {
            return false;
        }
        try {
            Optional<java.util.Set<List<Long>>> migrations = migrations(environment.getProperty("spring.flyway.locations",
                    "classpath:db/migration"));
            if (migrations.isEmpty() || migrations.get().isEmpty()) {
                return false;
            }
            String table = environment.getProperty("spring.flyway.table", "flyway_schema_history");
            if (!table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                return false;
            }
            JdbcClient jdbc = context.getBean(JdbcClient.class);
            long failed = jdbc.sql("SELECT count(*) FROM " + table + " WHERE NOT success").query(Long.class).single();
            List<String> applied = jdbc.sql("SELECT version FROM " + table + " WHERE success AND version IS NOT NULL")
                    .query(String.class).list();
            boolean current = failed == 0 && applied.stream().map(CommandDatabase::version).toList().containsAll(migrations.get());
            if (!current) {
                logger.debug("A migration is pending (or failed): the whole application starts and Flyway migrates");
            }
            return current;
        }
        catch (RuntimeException ex) {
            logger.debug("Schema history not readable ({}): the whole application starts", ex.toString());
            return false;
        }
    }

    /** The versions of the versioned SQL migrations of the locations, if they are all on the class path. */
    static Optional<java.util.Set<List<Long>>> migrations(String locations) {
        PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(CommandDatabase.class.getClassLoader());
        java.util.Set<List<Long>> versions = new java.util.HashSet<>();
        for (String location : locations.split(",")) {
            String trimmed = location.trim();
            if (!trimmed.startsWith("classpath:")) {
                return Optional.empty(); // filesystem: or another scheme: Flyway's to read
            }
            try {
                for (Resource resource : resolver.getResources("classpath*:" + trimmed.substring("classpath:".length()) + "/*.sql")) {
                    Matcher name = VERSIONED.matcher(String.valueOf(resource.getFilename()));
                    if (name.matches()) {
                        versions.add(version(name.group(1)));
                    }
                }
            }
            catch (java.io.IOException ex) {
                return Optional.empty();
            }
        }
        return Optional.of(versions);
    }

    /** A version as Flyway compares them: its numbers, trailing zeros dropped (1.0 is 1). */
    static List<Long> version(String text) {
        List<Long> parts = new ArrayList<>(Arrays.stream(text.split("[._]")).map(Long::valueOf).toList());
        while (parts.size() > 1 && parts.get(parts.size() - 1) == 0) {
            parts.remove(parts.size() - 1);
        }
        return List.copyOf(parts);
    }

    /**
     * The data source as the whole application makes it (the embedded default, else Boot's from
     * {@code spring.datasource.*}, tagged per job run by {@link LaunchConfiguration}), JDBC, transactions
     * and Spring Batch's job repository and operator as Boot configures them.
     */
    @Configuration(proxyBeanMethods = false)
    @Import({ EmbeddedPostgresConfiguration.class, LaunchConfiguration.class, CommandRunner.class })
    @ImportAutoConfiguration({ PropertyPlaceholderAutoConfiguration.class, DataSourceAutoConfiguration.class,
            JdbcTemplateAutoConfiguration.class, JdbcClientAutoConfiguration.class,
            DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
            BatchAutoConfiguration.class, BatchJdbcAutoConfiguration.class })
    static class DatabaseLayer {
    }
}
