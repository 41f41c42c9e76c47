package io.billingbatch.partition;

import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.billingbatch.BillingBatchApplication;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Another application, as another process would be: its own context that shares nothing with the
 * test's but the database (and the broker, in amqp mode).
 */
public final class SharedDatabaseContexts {

    private SharedDatabaseContexts() {
    }

    public static ConfigurableApplicationContext start(DataSource database, String... properties) throws Exception {
        HikariDataSource hikari = database.unwrap(HikariDataSource.class);
        List<String> all = new ArrayList<>(List.of("spring.datasource.url=" + hikari.getJdbcUrl(),
                "spring.datasource.username=" + (hikari.getUsername() == null ? "postgres" : hikari.getUsername()),
                "spring.datasource.hikari.maximum-pool-size=12"));
        all.addAll(List.of(properties));
        // as command-line arguments: they win over application.properties, as a process's own would
        java.util.Map<String, String> byName = new java.util.LinkedHashMap<>(); // a later value of a name replaces an earlier
        all.forEach(property -> byName.put(property.substring(0, property.indexOf('=')), property));
        return new SpringApplicationBuilder(BillingBatchApplication.class).web(WebApplicationType.NONE)
                .run(byName.values().stream().map(property -> "--" + property).toArray(String[]::new));
    }

    /** A worker application consuming {@code queue} (amqp mode), started. */
    public static ConfigurableApplicationContext worker(DataSource database, String queue, String... more) throws Exception {
        ConfigurableApplicationContext worker = start(database, with(more, "billing.partitions.mode=amqp",
                "billing.partitions.worker=true", "billing.partitions.queue=" + queue));
        worker.getBean(PartitionWorker.class).start();
        return worker;
    }

    /** A manager application sending four partitions to {@code queue} (amqp mode). */
    public static ConfigurableApplicationContext manager(DataSource database, String queue, String... more) throws Exception {
        return start(database, with(more, "billing.partitions.mode=amqp", "billing.partitions.grid-size=4",
                "billing.partitions.queue=" + queue, "billing.partitions.poll-interval=100ms"));
    }

    private static String[] with(String[] more, String... properties) {
        List<String> all = new ArrayList<>(List.of(properties));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
