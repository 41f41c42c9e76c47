package io.billingbatch.launch;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.billingbatch.testing.BillingTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run's connections are named after it on every thread that works for it: also the partitions of
 * its steps that run on the local partition pool, so that a launch taking over a dead run ends their
 * queries too ({@code RunHeartbeats} terminates the sessions named after the execution).
 */
@BillingTest
class JobConnectionTagsTest {

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ThreadPoolTaskExecutor partitionPool;

    @AfterEach
    void untag() {
        JobConnectionTags.untag();
    }

    @Test
    void aPartitionOnThePoolTakesConnectionsNamedAfterTheRunThatSubmittedIt() throws Exception {
        JobConnectionTags.tagThread("reconciliation", 4242);

        Future<String> partition = partitionPool.submit(this::applicationName);

        assertThat(partition.get(30, TimeUnit.SECONDS)).isEqualTo("billing-batch/reconciliation/4242");
        assertThat(applicationName()).isEqualTo("billing-batch/reconciliation/4242");
    }

    @Test
    void aTaskSubmittedByNoRunTakesUntaggedConnectionsEvenOnAThreadThatWorkedForARunBefore() throws Exception {
        JobConnectionTags.tagThread("cost-report", 7);
        partitionPool.submit(this::applicationName).get(30, TimeUnit.SECONDS);
        JobConnectionTags.untag();

        for (int i = 0; i < partitionPool.getMaxPoolSize() + 1; i++) {
            assertThat(partitionPool.submit(this::applicationName).get(30, TimeUnit.SECONDS)).isEqualTo("billing-batch");
        }
    }

    private String applicationName() {
        return jdbc.queryForObject("SELECT current_setting('application_name')", String.class);
    }
}
