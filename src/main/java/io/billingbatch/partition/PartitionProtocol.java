package io.billingbatch.partition;

import java.io.IOException;
import java.util.Arrays;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What a partition request says besides the partition ({@link StepExecutionRequest}: worker step and
 * step execution, as a line of text, never Java serialization): the database it was
 * made for ({@code billing_installation}) and the version of the code that made it (the newest
 * Flyway migration the code ships). A worker runs a request only when both are its own.
 */
public final class PartitionProtocol {

    static final String INSTALLATION = "billing_installation";

    static final String CODE_VERSION = "billing_code_version";

    private static final Pattern MIGRATION = Pattern.compile("V([0-9]+)__.*\\.sql");

    private final JdbcClient jdbc;

    private final String codeVersion;

    private volatile UUID installation;

    PartitionProtocol(JdbcClient jdbc, String codeVersion) {
        this.jdbc = jdbc;
        this.codeVersion = codeVersion == null || codeVersion.isBlank() ? shippedSchema() : codeVersion;
    }

    /** This database's identity. */
    UUID installation() {
        UUID known = installation;
        if (known == null) {
            known = jdbc.sql("SELECT id FROM billing_installation").query(UUID.class).single();
            installation = known;
        }
        return known;
    }

    String codeVersion() {
        return codeVersion;
    }

    static String encode(StepExecutionRequest request) {
        return request.getStepName() + " " + request.getStepExecutionId();
    }

    static StepExecutionRequest decode(String payload) {
        String[] parts = payload.trim().split(" ");
        if (parts.length != 2) {
            throw new IllegalArgumentException("not a partition request: '" + payload + "'");
        }
        return new StepExecutionRequest(parts[0], Long.parseLong(parts[1]));
    }

    /** "schema V27": the newest migration on this code's class path. */
    static String shippedSchema() {
        try {
            Resource[] scripts = new PathMatchingResourcePatternResolver().getResources("classpath*:db/migration/V*__*.sql");
            int newest = Arrays.stream(scripts).map(Resource::getFilename).filter(name -> name != null)
                    .map(MIGRATION::matcher).filter(Matcher::matches).mapToInt(m -> Integer.parseInt(m.group(1))).max()
                    .orElse(0);
            return "schema V" + newest;
        }
        catch (IOException ex) {
            throw new IllegalStateException("cannot list the migrations on the class path: " + ex.getMessage(), ex);
        }
    }
}
