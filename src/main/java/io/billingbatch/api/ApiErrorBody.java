package io.billingbatch.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The documented error body {@code {"status", "error", "message"}}, for the places that answer
 * before (or outside) Spring MVC: filters, the error path and Tomcat's own refusals.
 */
final class ApiErrorBody {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ApiErrorBody() {
    }

    static Map<String, Object> of(int status, String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", error);
        body.put("message", message);
        return body;
    }

    static byte[] bytes(int status, String error, String message) {
        return JSON.writeValueAsBytes(of(status, error, message));
    }

    /** Writes the body with its status; the response must not be committed yet. */
    static void write(HttpServletResponse response, int status, String error, String message) throws IOException {
        byte[] body = bytes(status, error, message);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The stable error code of a status without a more specific one. */
    static String code(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 408 -> "timeout";
            case 413 -> "too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 431 -> "headers_too_large";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
    }

    /** A one-line reason for a status refused before any controller saw the request. */
    static String reason(int status) {
        return switch (status) {
            case 400 -> "the request is not valid: its path, query or headers are malformed or not allowed"
                    + " (encoded slashes, backslashes, NUL bytes and '..' are refused)";
            case 404 -> "no such resource";
            case 405 -> "this method is not allowed here";
            case 408 -> "the request took too long to arrive";
            case 413 -> "the request is larger than this server accepts";
            case 414 -> "the request's address is longer than this server accepts";
            case 431 -> "the request's headers are larger than this server accepts";
            default -> status >= 500 ? "the request failed; the server log has the details" : "the request was refused";
        };
    }
}
