package io.billingbatch.api;

import org.springframework.http.HttpStatus;

/** A refusal with its status, a stable error code and a one-line message for the caller. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;

    private final String error;

    public ApiException(HttpStatus status, String error, String message) {
        super(message);
        this.status = status;
        this.error = error;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "bad_request", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(HttpStatus.NOT_FOUND, "not_found", message);
    }

    public HttpStatus status() {
        return status;
    }

    public String error() {
        return error;
    }
}
