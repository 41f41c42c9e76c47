package io.billingbatch.report;

/**
 * One report file of a period folder, as listed in its manifest.
 * @param name the file name inside the period folder
 * @param size the size in bytes
 * @param sha256 the SHA-256 of the content, 64 lower-case hex digits
 */
public record ReportFile(String name, long size, String sha256) {
}
