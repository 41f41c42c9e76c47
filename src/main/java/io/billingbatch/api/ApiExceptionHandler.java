package io.billingbatch.api;

import java.util.LinkedHashMap;
import java.util.Map;

import io.billingbatch.access.PermissionDeniedException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every refusal of the API as {@code {"status", "error", "message"}}. */
@RestControllerAdvice
class ApiExceptionHandler {

    private static final Logger logger = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Map<String, Object>> refused(ApiException ex) {
        return body(ex.status(), ex.error(), ex.getMessage());
    }

    @ExceptionHandler(PermissionDeniedException.class)
    ResponseEntity<Map<String, Object>> denied(PermissionDeniedException ex) {
        return body(HttpStatus.FORBIDDEN, "permission_denied", ex.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException ex) {
        return body(HttpStatus.BAD_REQUEST, "bad_request", JsonBodyProblem.reason(ex));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Map<String, Object>> mismatch(MethodArgumentTypeMismatchException ex) {
        return body(HttpStatus.BAD_REQUEST, "bad_request", ex.getName() + " '" + ex.getValue() + "' is not valid"
                + (ex.getRequiredType() == java.util.UUID.class ? ": it must be an id (uuid)" : ""));
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<Map<String, Object>> missing(MissingServletRequestParameterException ex) {
        return body(HttpStatus.BAD_REQUEST, "bad_request", "parameter " + ex.getParameterName() + " is required");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException ex) {
        String allowed = ex.getSupportedMethods() == null ? "" : " (allowed: " + String.join(", ", ex.getSupportedMethods()) + ")";
        return body(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed", ex.getMethod() + " is not allowed here" + allowed);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException ex) {
        return body(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the body as application/json");
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<Map<String, Object>> noResource(NoResourceFoundException ex) {
        return body(HttpStatus.NOT_FOUND, "not_found", "no such resource: /" + ex.getResourcePath());
    }

    @ExceptionHandler(NoHandlerFoundException.class)
    ResponseEntity<Map<String, Object>> noHandler(NoHandlerFoundException ex) {
        return body(HttpStatus.NOT_FOUND, "not_found", "no such resource: " + ex.getRequestURL());
    }

    @ExceptionHandler(ServletRequestBindingException.class)
    ResponseEntity<Map<String, Object>> binding(ServletRequestBindingException ex) {
        return body(HttpStatus.BAD_REQUEST, "bad_request", "the request is not valid: a required header or parameter"
                + " is missing or malformed");
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<Map<String, Object>> invalid(IllegalArgumentException ex) {
        return body(HttpStatus.BAD_REQUEST, "bad_request", ex.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception ex) {
        if (ex instanceof ErrorResponse refusal && refusal.getStatusCode().value() < 500) {
            // Spring MVC's other refusals (406, ...): their status, with a reason of our own
            int status = refusal.getStatusCode().value();
            return body(HttpStatus.valueOf(status), ApiErrorBody.code(status), ApiErrorBody.reason(status));
        }
        String reference = java.util.UUID.randomUUID().toString();
        logger.error("Request failed (reference {})", reference, ex);
        return body(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "the request failed; the server log has the"
                + " details under reference " + reference);
    }

    static ResponseEntity<Map<String, Object>> body(HttpStatus status, String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status.value());
        body.put("error", error);
        body.put("message", message);
        return ResponseEntity.status(status).body(body);
    }
}
