package io.billingbatch.access;

/** A token acting beyond its role: the API answers 403 {@code permission_denied} with this one-line reason. */
public class PermissionDeniedException extends RuntimeException {

    public PermissionDeniedException(String message) {
        super(message);
    }
}
