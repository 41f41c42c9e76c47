package io.billingbatch.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The embedded default: when no {@code spring.datasource.url} is configured, a real PostgreSQL
 * (shipped as a Maven artifact) runs on a data directory that survives between runs, so the
 * demo ledger and the job history are still there next time.
 * <p>
 * A second command started while the first still runs finds the server through its
 * {@code postmaster.pid} and shares it instead of failing on the data directory's lock.
 * <p>
 * With {@code billing.embedded.keep-running=true} a command leaves the server it started (or
 * found left running) up when it ends, so the next command skips PostgreSQL's start-up, most of
 * a short command's wall time (README, "Start-up of the command line"); stop it with
 * {@code kill $(head -1 .data/postgres/postmaster.pid)}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}' == ''")
public class EmbeddedPostgresConfiguration {

    private static final Logger logger = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgresServer embeddedPostgresServer(@Value("${billing.embedded.data-dir:}") String dataDirectory,
            @Value("${billing.embedded.keep-running:false}") boolean keepRunning) throws IOException {
        if (dataDirectory.isBlank()) {
            // A throw-away server, as the tests use: a fresh temporary data directory removed on close.
            EmbeddedPostgres postgres = tuned(EmbeddedPostgres.builder()).setCleanDataDirectory(true).start();
            return new EmbeddedPostgresServer(postgres, postgres.getPort(), null);
        }
        Path directory = Path.of(dataDirectory).toAbsolutePath();
        Path ownerFile = directory.resolveSibling(directory.getFileName() + ".owner");
        Optional<RunningServer> running = runningServer(directory);
        if (running.isPresent()) {
            Optional<Long> owner = readPid(ownerFile);
            boolean ownerAlive = owner.flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
            if (ownerAlive || keepRunning) {
                logger.info("Sharing the embedded PostgreSQL on {} (port {}) that process {} started", directory,
                        running.get().port(), owner.orElse(null));
                if (!ownerAlive) {
                    // its starter has exited: this process answers for it now, so that a command coming while it
                    // runs shares the server instead of adopting it and stopping it under this process
                    Files.writeString(ownerFile, Long.toString(ProcessHandle.current().pid()));
                }
                return new EmbeddedPostgresServer(null, running.get().port(), null);
            }
            // The process that started it was killed: adopt the server and stop it when done.
            Files.writeString(ownerFile, Long.toString(ProcessHandle.current().pid()));
            logger.info("Adopting the embedded PostgreSQL left running on {} (port {})", directory, running.get().port());
            return new EmbeddedPostgresServer(null, running.get().port(), running.get().pid());
        }
        Files.createDirectories(directory.getParent());
        long started = System.nanoTime();
        EmbeddedPostgres postgres = tuned(EmbeddedPostgres.builder())
                .setDataDirectory(directory)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(!keepRunning)
                .start();
        logger.info("Embedded PostgreSQL started on {} (port {}) in {} ms", directory, postgres.getPort(),
                (System.nanoTime() - started) / 1_000_000);
        Files.writeString(ownerFile, Long.toString(ProcessHandle.current().pid()));
        if (keepRunning) {
            logger.info("Embedded PostgreSQL on {} (port {}) keeps running after this command"
                    + " (billing.embedded.keep-running)", directory, postgres.getPort());
            return new EmbeddedPostgresServer(null, postgres.getPort(), null);
        }
        return new EmbeddedPostgresServer(postgres, postgres.getPort(), null);
    }

    private static Optional<Long> readPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        }
        catch (IOException | NumberFormatException ex) {
            return Optional.empty();
        }
    }

    private static EmbeddedPostgres.Builder tuned(EmbeddedPostgres.Builder builder) {
        return builder.setServerConfig("max_connections", "100")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("work_mem", "64MB")
                .setServerConfig("maintenance_work_mem", "256MB")
                .setServerConfig("max_wal_size", "4GB")
                .setServerConfig("synchronous_commit", "off")
                // no replication here: bulk loads into tables created or truncated in their own
                // transaction (the demo ledger) skip the WAL
                .setServerConfig("wal_level", "minimal")
                .setServerConfig("max_wal_senders", "0")
                .setPGStartupWait(java.time.Duration.ofSeconds(60));
    }

    @Bean
    DataSource dataSource(EmbeddedPostgresServer server, @Value("${billing.embedded.database}") String database,
            @Value("${spring.datasource.hikari.maximum-pool-size:24}") int poolSize,
            @Value("${spring.datasource.hikari.minimum-idle:2}") int minimumIdle,
            @Value("${spring.datasource.hikari.connection-init-sql:#{null}}") String connectionInitSql) throws SQLException {
        if (!"postgres".equals(database)) {
            createDatabaseIfAbsent(server, database);
        }
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setPoolName("embedded-postgres");
        dataSource.setJdbcUrl(server.jdbcUrl(database) + "&reWriteBatchedInserts=true");
        dataSource.setUsername("postgres");
        dataSource.setMaximumPoolSize(poolSize);
        dataSource.setMinimumIdle(minimumIdle);
        dataSource.setConnectionInitSql(connectionInitSql);
        return dataSource;
    }

    private static void createDatabaseIfAbsent(EmbeddedPostgresServer server, String database) throws SQLException {
        if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("billing.embedded.database must be a plain lower-case name: " + database);
        }
        try (HikariDataSource admin = new HikariDataSource()) {
            admin.setJdbcUrl(server.jdbcUrl("postgres"));
            admin.setUsername("postgres");
            admin.setMaximumPoolSize(1);
            try (Connection connection = admin.getConnection();
                    var exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, database);
                try (var rows = exists.executeQuery()) {
                    if (!rows.next()) {
                        connection.createStatement().execute("CREATE DATABASE " + database);
                    }
                }
            }
        }
    }

    /** A live server already serving this data directory, from its postmaster.pid. */
    private static Optional<RunningServer> runningServer(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.isReadable(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.size() < 4) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(lines.get(0).trim());
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive ? Optional.of(new RunningServer(pid, Integer.parseInt(lines.get(3).trim()))) : Optional.empty();
        }
        catch (NumberFormatException ex) {
            return Optional.empty();
        }
    }

    private record RunningServer(long pid, int port) {
    }

    /** The server this process started (and stops on close), or one it shares with another process. */
    public record EmbeddedPostgresServer(EmbeddedPostgres owned, int port, Long adoptedPid) implements AutoCloseable {

        String jdbcUrl(String database) {
            return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres";
        }

        @Override
        public void close() throws IOException {
            if (owned != null) {
                owned.close();
            }
            else if (adoptedPid != null) {
                // SIGTERM: PostgreSQL's smart shutdown; our connection pool is already closed
                ProcessHandle.of(adoptedPid).ifPresent(postmaster -> {
                    postmaster.destroy();
                    try {
                        postmaster.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    catch (Exception ex) {
                        logger.warn("The adopted embedded PostgreSQL (pid {}) did not stop within 30 s", adoptedPid);
                    }
                });
            }
        }
    }
}
