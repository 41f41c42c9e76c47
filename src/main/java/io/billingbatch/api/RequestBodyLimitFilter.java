package io.billingbatch.api;

import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request body over {@code billing.api.max-body-size} with 413 before anything parses
 * it. A declared length over the limit is refused at once; a body of unknown length (chunked) is
 * read up to the limit and handed on from memory. Form posts (the sign-in form) are read by the
 * container itself, which bounds them with {@code server.tomcat.max-http-form-post-size}.
 */
class RequestBodyLimitFilter extends OncePerRequestFilter {

    private final DataSize limit;

    RequestBodyLimitFilter(DataSize limit) {
        this.limit = limit;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit.toBytes()) {
            tooLarge(response);
            return;
        }
        boolean chunked = request.getHeader("Transfer-Encoding") != null;
        if (!chunked || isForm(request)) {
            chain.doFilter(request, response); // no body, or its declared length is within the limit
            return;
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes((int) limit.toBytes() + 1);
        }
        if (body.length > limit.toBytes()) {
            tooLarge(response);
            return;
        }
        chain.doFilter(new ReadBody(request, body), response);
    }

    private void tooLarge(HttpServletResponse response) throws IOException {
        ApiErrorBody.write(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "too_large",
                "the request body is larger than " + limit.toBytes() + " bytes, the most this API accepts");
    }

    private static boolean isForm(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    /** The request with its body already read into memory. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body was already read");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
