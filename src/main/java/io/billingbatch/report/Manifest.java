package io.billingbatch.report;

import java.util.List;

/**
 * The {@code manifest.json} of a period folder: every report file in it, sorted by name.
 * No timestamps, so the same files always give the same manifest.
 */
public record Manifest(String period, List<ReportFile> files) {

    public Manifest {
        files = List.copyOf(files);
    }
}
