package io.billingbatch.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quick JVM's command line and the extracted form it runs (the quick JVM's answers from the
 * database: {@code CommandDatabaseTest}).
 */
class QuickStartTest {

    @Test
    void theQuickJvmGetsTheCallersJvmOptionsTheArchiveC1AloneAndTheCommandLine() {
        List<String> options = QuickStart.jvmOptions(List.of("-Xmx1g", "-Dsome.property=x", "-jar", "target/billing-batch.jar",
                "cost-report", "--period=2026-10")).orElseThrow();
        assertThat(options).containsExactly("-Xmx1g", "-Dsome.property=x");

        List<String> command = QuickStart.command("/jdk/bin/java", options, List.of("-XX:SharedArchiveFile=/app/application.jsa"),
                Path.of("/app/billing-batch.jar"), new String[] { "cost-report", "--period=2026-10" });

        assertThat(command).startsWith("/jdk/bin/java")
                .contains("-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=/app/application.jsa", "-Dbilling.cli.answer-only=true")
                .endsWith("-jar", Path.of("/app/billing-batch.jar").toString(), "cost-report", "--period=2026-10");
        // the JVM's own notes never reach the command's output (stdout); the caller's options (an -Xlog too) still apply
        assertThat(command).containsSubsequence("-Xlog:disable", "-Xlog:all=warning:stderr", "-Xmx1g", "-Dsome.property=x",
                "-XX:TieredStopAtLevel=1", "-jar");
    }

    @Test
    void aJvmWhoseCallerChoseItsSharingJitOrAnAgentIsNotRelaunched() {
        for (String choice : List.of("-XX:SharedArchiveFile=my.jsa", "-Xshare:off", "-XX:TieredStopAtLevel=1",
                "-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-javaagent:agent.jar", "-XX:StartFlightRecording")) {
            assertThat(QuickStart.jvmOptions(List.of(choice, "-jar", "billing-batch.jar", "create-token"))).as(choice).isEmpty();
        }
        assertThat(QuickStart.jvmOptions(List.of("-cp", "billing-batch.jar", "io.billingbatch.BillingBatchApplication")))
                .as("not java -jar").isEmpty();
    }

    @Test
    void theExtractedFormIsCurrentOnlyForTheJarAndJdkItWasMadeFrom(@TempDir Path folder) throws Exception {
        Path jar = Files.writeString(folder.resolve("billing-batch.jar"), "a build");
        Path layout = Files.createDirectories(folder.resolve("billing-batch.cds"));
        assertThat(QuickStart.current(layout, QuickStart.stamp(jar))).as("never extracted").isFalse();

        Files.writeString(layout.resolve("stamp"), QuickStart.stamp(jar));
        assertThat(QuickStart.current(layout, QuickStart.stamp(jar))).isTrue();
        assertThat(QuickStart.stamp(jar)).contains(System.getProperty("java.home"), System.getProperty("java.vm.version"));

        Files.writeString(jar, "another build");
        assertThat(QuickStart.current(layout, QuickStart.stamp(jar))).as("another build of the jar").isFalse();
        Files.writeString(layout.resolve("stamp"), QuickStart.stamp(jar));
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
        assertThat(QuickStart.current(layout, QuickStart.stamp(jar))).as("a build of the same size").isFalse();
    }

    @Test
    void aJarThatCannotBeExtractedLeavesNothingBehindAndTheCommandRunsInItsOwnJvm(@TempDir Path folder) throws Exception {
        Path jar = Files.writeString(folder.resolve("billing-batch.jar"), "not a Spring Boot jar");

        assertThat(QuickStart.layout(jar)).isEmpty();

        assertThat(folder.resolve("billing-batch.cds")).doesNotExist();
        assertThat(folder.resolve("billing-batch.cds.tmp")).doesNotExist();
    }
}
