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
 * {@code postmaster.pid} and shares it instead of failing on the data directory's lock. The server
 * stops when the last process using it ends, whichever started it: a process that ends while other
 * sessions are connected leaves it to them (the process recorded as its owner, or any process once
 * that one has exited, stops it when it ends with no other session connected).
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
            return new EmbeddedPostgresServer(postgres, postgres.getPort(), null, false);
        }
        Path directory = Path.of(dataDirectory).toAbsolutePath();
        Path ownerFile = ownerFile(directory);
        Optional<RunningServer> running = runningServer(directory);
        if (running.isPresent()) {
            Optional<Long> owner = readPid(ownerFile);
            boolean ownerAlive = owner.flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
            if (ownerAlive) {
                logger.info("Sharing the embedded PostgreSQL on {} (port {}) that process {} started", directory,
                        running.get().port(), owner.get());
            }
            else {
                // its starter has exited (kept it running, or was killed): this process answers for it now
                Files.writeString(ownerFile, Long.toString(ProcessHandle.current().pid()));
                logger.info("Taking over the embedded PostgreSQL left running on {} (port {})", directory,
                        running.get().port());
            }
            return new EmbeddedPostgresServer(null, running.get().port(), directory, keepRunning);
        }
        Files.createDirectories(directory.getParent());
        long started = System.nanoTime();
        EmbeddedPostgres postgres = tuned(EmbeddedPostgres.builder())
                .setDataDirectory(directory)
                .setCleanDataDirectory(false)
                // stopped by close() only, once no other process uses it (a hook would stop it under them)
                .setRegisterShutdownHook(false)
                .start();
        logger.info("Embedded PostgreSQL started on {} (port {}) in {} ms", directory, postgres.getPort(),
                (System.nanoTime() - started) / 1_000_000);
        Files.writeString(ownerFile, Long.toString(ProcessHandle.current().pid()));
        if (keepRunning) {
            logger.info("Embedded PostgreSQL on {} (port {}) keeps running after this command"
                    + " (billing.embedded.keep-running)", directory, postgres.getPort());
        }
        return new EmbeddedPostgresServer(postgres, postgres.getPort(), directory, keepRunning);
    }

    private static Path ownerFile(Path directory) {
        return directory.resolveSibling(directory.getFileName() + ".owner");
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

    /**
     * The embedded server as this process uses it: one it started ({@code started}), or one it
     * shares with other processes. {@code directory} is null for a throw-away server.
     */
    public record EmbeddedPostgresServer(EmbeddedPostgres started, int port, Path directory, boolean keepRunning)
            implements AutoCloseable {

        String jdbcUrl(String database) {
            return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres";
        }

        /**
         * Stops the server if this process answers for it (it is the recorded owner, or the owner has
         * exited) and no other session is connected: never under another process still using it. Runs
         * after this process's own connection pool is closed.
         */
        @Override
        public void close() throws IOException {
            if (directory == null) {
                started.close();
                return;
            }
            if (keepRunning || !answersForServer()) {
                return;
            }
            long others = otherSessions();
            if (others > 0) {
                logger.info("The embedded PostgreSQL on {} (port {}) keeps running: {} other session(s) use it"
                        + " (another process, or another context of this one); the last one out stops it", directory,
                        port, others);
                return;
            }
            if (started != null) {
                started.close();
                return;
            }
            runningServer(directory).ifPresent(server -> ProcessHandle.of(server.pid()).ifPresent(postmaster -> {
                // SIGTERM: PostgreSQL's smart shutdown, which lets a session that connected meanwhile finish
                postmaster.destroy();
                try {
                    postmaster.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                }
                catch (Exception ex) {
                    logger.warn("The embedded PostgreSQL (pid {}) did not stop within 30 s", server.pid());
                }
            }));
        }

        private boolean answersForServer() {
            Optional<Long> owner = readPid(ownerFile(directory));
            return owner.map(pid -> pid == ProcessHandle.current().pid()
                    || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).orElse(true);
        }

        /** Sessions connected to the server other than the one asking (this process's pool is closed by now). */
        private long otherSessions() {
            try (Connection connection = java.sql.DriverManager.getConnection(jdbcUrl("postgres"));
                    var count = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                            + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
                    var rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
            catch (SQLException ex) {
                logger.warn("Could not ask the embedded PostgreSQL on {} (port {}) who else uses it ({}); leaving it"
                        + " running", directory, port, ex.getMessage());
                return 1;
            }
        }
    }
}
