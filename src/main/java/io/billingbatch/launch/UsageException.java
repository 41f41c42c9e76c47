package io.billingbatch.launch;

/** A command line that cannot be run as given; the message is the one-line reason shown to the user. */
public class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
