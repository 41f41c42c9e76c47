package io.billingbatch.launch;

/**
 * A launch the launcher refuses before anything runs, such as a period that has not ended: the
 * command line exits 2 and the HTTP API answers 409, both with this one-line reason.
 */
public class LaunchRefusedException extends UsageException {

    public LaunchRefusedException(String message) {
        super(message);
    }
}
