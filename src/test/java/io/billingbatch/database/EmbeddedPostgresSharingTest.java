package io.billingbatch.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.billingbatch.database.EmbeddedPostgresConfiguration.EmbeddedPostgresServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded server of a data directory shared by several processes. Whoever started it, it
 * stops only when the last process using it ends: never under a process that still holds
 * sessions on it. (Here the "processes" are servers of one JVM; a session is a connection, as a
 * running command's or {@code serve}'s pool holds.)
 * <p>
 * The tests share one data directory: initdb runs once for the class (about 2 s), and each test's
 * server starts on the directory the one before left stopped (about 0.5 s).
 */
class EmbeddedPostgresSharingTest {

    /** A pid no process has: the command that started the server with keep-running has exited. */
    private static final String EXITED = "2147483646";

    @TempDir
    static Path root;

    final EmbeddedPostgresConfiguration configuration = new EmbeddedPostgresConfiguration();

    /** What this test's servers started: each holds zonky's lock on the data directory until it is closed. */
    final List<EmbeddedPostgres> startedHere = new ArrayList<>();

    /**
     * Releases the data directory for the next test: closes what the test's servers started, which stops the
     * server if a failed test left it running. Once it is stopped, as every passing test leaves it, zonky's close
     * only finds no server for pg_ctl to stop and logs that as an ERROR: silenced then.
     */
    @AfterEach
    void releaseTheDataDirectory() throws IOException {
        Logger zonky = (Logger) LoggerFactory.getLogger(EmbeddedPostgres.class);
        Level level = zonky.getLevel();
        if (!Files.exists(root.resolve("postgres").resolve("postmaster.pid"))) {
            zonky.setLevel(Level.OFF);
        }
        try {
            for (EmbeddedPostgres postgres : startedHere) {
                postgres.close();
            }
        }
        finally {
            zonky.setLevel(level);
        }
    }

    /** A process's server on the shared data directory, as {@code configuration.embeddedPostgresServer} makes it. */
    private EmbeddedPostgresServer server(Path data, boolean keepRunning) throws IOException {
        EmbeddedPostgresServer server = configuration.embeddedPostgresServer(data.toString(), keepRunning);
        if (server.started() != null) {
            startedHere.add(server.started());
        }
        return server;
    }

    @Test
    void aServerKeptRunningAndSharedIsNotStoppedUnderItsSharerByTheNextCommand() throws Exception {
        Path data = root.resolve("postgres");
        Path owner = root.resolve("postgres.owner");
        EmbeddedPostgresServer started = server(data, true);
        int port = started.port();
        try {
            started.close(); // a command with keep-running: the server stays up
            Files.writeString(owner, EXITED); // ... and the command has exited
            EmbeddedPostgresServer serve = server(data, true);
            try (Connection serving = DriverManager.getConnection(serve.jdbcUrl("postgres"))) {
                EmbeddedPostgresServer command = server(data, false);
                command.close();
                assertAnswers(serving);
            }
            serve.close();
        }
        finally {
            Files.writeString(owner, EXITED);
            server(data, false).close(); // adopted, so stopped
        }
        assertThat(port).isPositive();
        assertThat(data.resolve("postmaster.pid")).as("the last one out stopped it").doesNotExist();
    }

    @Test
    void theCommandThatStartedTheServerEndsWhileAnotherStillUsesItAndTheLastOneOutStopsIt() throws Exception {
        Path data = root.resolve("postgres");
        EmbeddedPostgresServer first = server(data, false);
        EmbeddedPostgresServer second = server(data, false);
        try (Connection running = DriverManager.getConnection(second.jdbcUrl("postgres"))) {
            first.close(); // e.g. the main job ends while serve, started after it, still runs
            assertAnswers(running);
        }
        second.close();
        assertThat(data.resolve("postmaster.pid")).as("the last one out stopped it").doesNotExist();
    }

    private static void assertAnswers(Connection connection) throws Exception {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery("SELECT 1")) {
            assertThat(row.next()).isTrue();
        }
    }
}
