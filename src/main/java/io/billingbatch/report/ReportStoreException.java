package io.billingbatch.report;

/**
 * A report file could not be written or its folder not be read; names the period and file.
 * When writing failed, any previous version of the file and the manifest are left as they were.
 */
public class ReportStoreException extends RuntimeException {

    private final String period;

    private final String fileName;

    public ReportStoreException(String message, String period, String fileName, Throwable cause) {
        super(message + " [period=" + period + (fileName != null ? ", file=" + fileName : "") + "]", cause);
        this.period = period;
        this.fileName = fileName;
    }

    public String getPeriod() {
        return period;
    }

    /** The report file concerned, or {@code null} for the whole period folder. */
    public String getFileName() {
        return fileName;
    }
}
