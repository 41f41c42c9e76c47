package io.billingbatch.api;

import java.io.IOException;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's error report in the API's JSON shape instead of its HTML page. It answers what Tomcat
 * refuses before Spring sees the request (an encoded slash or backslash, a NUL byte, {@code ..}
 * above the root, a malformed request line) and any error no one else wrote a body for.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    private static final Logger logger = LoggerFactory.getLogger(JsonErrorReportValve.class);

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        try {
            response.resetBuffer();
            byte[] body = ApiErrorBody.bytes(status, ApiErrorBody.code(status), ApiErrorBody.reason(status));
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            response.finishResponse();
        }
        catch (IOException | IllegalStateException ex) {
            logger.debug("Could not write the error body of a {} response", status, ex);
        }
    }
}
