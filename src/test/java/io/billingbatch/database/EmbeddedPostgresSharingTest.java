package io.billingbatch.database;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import io.billingbatch.database.EmbeddedPostgresConfiguration.EmbeddedPostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded server of a data directory shared by several processes. Whoever started it, it
 * stops only when the last process using it ends: never under a process that still holds
 * sessions on it. (Here the "processes" are servers of one JVM; a session is a connection, as a
 * running command's or {@code serve}'s pool holds.)
 */
class EmbeddedPostgresSharingTest {

    /** A pid no process has: the command that started the server with keep-running has exited. */
    private static final String EXITED = "2147483646";

    @TempDir
    Path root;

    @Test
    void aServerKeptRunningAndSharedIsNotStoppedUnderItsSharerByTheNextCommand() throws Exception {
        EmbeddedPostgresConfiguration configuration = new EmbeddedPostgresConfiguration();
        Path data = root.resolve("postgres");
        Path owner = root.resolve("postgres.owner");
        EmbeddedPostgresServer started = configuration.embeddedPostgresServer(data.toString(), true);
        int port = started.port();
        try {
            started.close(); // a command with keep-running: the server stays up
            Files.writeString(owner, EXITED); // ... and the command has exited
            EmbeddedPostgresServer serve = configuration.embeddedPostgresServer(data.toString(), true);
            try (Connection serving = DriverManager.getConnection(serve.jdbcUrl("postgres"))) {
                EmbeddedPostgresServer command = configuration.embeddedPostgresServer(data.toString(), false);
                command.close();
                assertAnswers(serving);
            }
            serve.close();
        }
        finally {
            Files.writeString(owner, EXITED);
            configuration.embeddedPostgresServer(data.toString(), false).close(); // adopted, so stopped
        }
        assertThat(port).isPositive();
        assertThat(data.resolve("postmaster.pid")).as("the last one out stopped it").doesNotExist();
    }

    @Test
    void theCommandThatStartedTheServerEndsWhileAnotherStillUsesItAndTheLastOneOutStopsIt() throws Exception {
        EmbeddedPostgresConfiguration configuration = new EmbeddedPostgresConfiguration();
        Path data = root.resolve("postgres");
        EmbeddedPostgresServer first = configuration.embeddedPostgresServer(data.toString(), false);
        EmbeddedPostgresServer second = configuration.embeddedPostgresServer(data.toString(), false);
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
