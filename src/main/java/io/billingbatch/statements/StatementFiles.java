package io.billingbatch.statements;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportStore;

import org.springframework.stereotype.Component;

/** Where a month's statements are: {@code reports/<month>/statements/} (a zone other than UTC in the folder's name). */
@Component
public class StatementFiles {

    private final ReportStore store;

    public StatementFiles(ReportStore store) {
        this.store = store;
    }

    /** {@code statements}, or {@code statements-Europe_Berlin} for another zone. */
    public static String folderName(ReportPeriod period) {
        String zone = period.zone().getId();
        return "statements" + ("UTC".equals(zone) ? "" : "-" + zone.replace('/', '_'));
    }

    /** The index of the month's statements in the month folder, {@code statements-2026-10.csv}. */
    public static String indexName(ReportPeriod period) {
        String zone = period.zone().getId();
        return "statements-" + period.key() + ("UTC".equals(zone) ? "" : "-" + zone.replace('/', '_')) + ".csv";
    }

    public static String fileName(ReportPeriod period, UUID accountId) {
        return "statement-" + period.key() + "-" + accountId + ".pdf";
    }

    public Path folder(ReportPeriod period) {
        return store.directory(period.key()).resolve(folderName(period));
    }

    /**
     * The account's issued statement of the month, if there is one: a regular file in a real folder
     * under the reports root (the id is a UUID, so the name cannot escape it).
     */
    public Optional<Path> find(ReportPeriod period, UUID accountId) {
        Optional<Path> month = store.existingDirectory(period.key());
        if (month.isEmpty()) {
            return Optional.empty();
        }
        Path folder = month.get().resolve(folderName(period));
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Path file = folder.resolve(fileName(period, accountId));
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Optional.of(file) : Optional.empty();
    }
}
