package io.billingbatch.launch;

/**
 * A launch the launcher refuses before anything runs, such as a period that has not ended: the
 * command line exits 2 and the HTTP API answers 409, both with this one-line reason.
 */
public class LaunchRefusedException extends UsageException {

    public LaunchRefusedException(String message) {
        super(message);
    }

    /** A refusal is an answer, not a fault: its message says it all, so a log shows one line, not frames. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
