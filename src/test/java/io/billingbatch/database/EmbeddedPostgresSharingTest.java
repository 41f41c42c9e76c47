package io.billingbatch.database;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;

import io.billingbatch.database.EmbeddedPostgresConfiguration.EmbeddedPostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded server of a data directory shared by several processes: one kept running by a
 * command that has exited, then {@code serve} using it, then another command. The last one must
 * share it with {@code serve}, not adopt it and stop it under {@code serve} on its way out.
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
            EmbeddedPostgresServer command = configuration.embeddedPostgresServer(data.toString(), false);
            assertThat(command.adoptedPid()).as("the next command adopts a server that serve is using").isNull();
            command.close();
            try (Connection connection = DriverManager.getConnection(serve.jdbcUrl("postgres"))) {
                assertThat(connection.isValid(5)).isTrue();
            }
            serve.close();
        }
        finally {
            Files.writeString(owner, EXITED);
            configuration.embeddedPostgresServer(data.toString(), false).close(); // adopted, so stopped
        }
        assertThat(port).isPositive();
    }
}
