package io.billingbatch.report;

import io.billingbatch.testing.BillingTest;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The store alone, with the test configuration's {@code billing.reports.root}; no database needed. */
@BillingTest
class ReportStoreConfigurationTest {

    @Autowired
    ReportStore store;

    /** target/test-reports (config/application.properties), or target/test-reports-N in test JVM N (pom.xml) */
    @Value("${billing.reports.root}")
    String root;

    @Test
    void placesPeriodFoldersUnderTheConfiguredRoot() {
        assertThat(root).startsWith("target/test-reports");
        assertThat(store.directory("2026-10")).isEqualTo(Path.of(root, "2026-10"));
    }
}
