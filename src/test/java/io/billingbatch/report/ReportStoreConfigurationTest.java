package io.billingbatch.report;

import io.billingbatch.testing.BillingTest;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The store alone, with the test configuration's {@code billing.reports.root}; no database needed. */
@BillingTest
class ReportStoreConfigurationTest {

    @Autowired
    ReportStore store;

    @Test
    void placesPeriodFoldersUnderTheConfiguredRoot() {
        assertThat(store.directory("2026-10")).isEqualTo(Path.of("target", "test-reports", "2026-10"));
    }
}
