package io.billingbatch.api;

import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The error path the servlet container forwards to (a {@code sendError} of a filter, an exception
 * no handler took): the documented JSON body for every caller, never Boot's own shape or its HTML
 * page. Reached directly, it is a path like any other that does not exist.
 */
@RestController
class ApiErrorController implements ErrorController {

    @RequestMapping(path = "/error", produces = MediaType.ALL_VALUE)
    ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        int status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code && code >= 400
                ? code : 404;
        String message = status == 404 ? "no such resource: " + path(request) : ApiErrorBody.reason(status);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(ApiErrorBody.of(status, ApiErrorBody.code(status), message));
    }

    private static String path(HttpServletRequest request) {
        Object original = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        return original instanceof String uri ? uri : request.getRequestURI();
    }
}
