package io.billingbatch.report;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes the content of one report file for {@link ReportStore#write}. The stream belongs to
 * the store: write to it, do not close it (closing is harmless but not needed).
 */
@FunctionalInterface
public interface ContentWriter {

    void writeTo(OutputStream out) throws IOException;
}
