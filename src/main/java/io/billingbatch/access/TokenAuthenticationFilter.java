package io.billingbatch.access;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.dao.DataAccessException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Resolves the token of every {@code /v1.0} request, from {@code ?token=} (as in the document),
 * {@code Authorization: Bearer}, or the session of the finance page, and answers 401 when there is
 * none or it is not a live token (a revoked one is refused from the next request on).
 */
public class TokenAuthenticationFilter extends OncePerRequestFilter {

    /** Sent by the finance page's own scripts with every change it makes. */
    public static final String PAGE_HEADER = "X-Billing-Page";

    /** Writes a refusal in the API's error shape. */
    @FunctionalInterface
    public interface Refusals {

        void write(HttpServletResponse response, int status, String error, String message) throws IOException;
    }

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final JdbcApiTokens tokens;

    private final Refusals refusals;

    public TokenAuthenticationFilter(JdbcApiTokens tokens, Refusals refusals) {
        this.tokens = tokens;
        this.refusals = refusals;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<ApiPrincipal> principal = Optional.empty();
        String secret = secret(request);
        try {
            if (secret != null) {
                principal = tokens.resolve(secret);
            }
            else {
                HttpSession session = request.getSession(false);
                if (session != null && session.getAttribute(ApiPrincipal.SESSION_ATTRIBUTE) instanceof ApiPrincipal signedIn) {
                    principal = tokens.live(signedIn.tokenId());
                    if (principal.isPresent() && !SAFE_METHODS.contains(request.getMethod())
                            && !"1".equals(request.getHeader(PAGE_HEADER))) {
                        // A cookie rides along on cross-site requests; a custom header cannot without CORS, which is off.
                        refuse(response, HttpServletResponse.SC_FORBIDDEN, "forbidden", "a change made with the finance"
                                + " page's session must come from the page (header " + PAGE_HEADER + "), or use a token");
                        return;
                    }
                }
            }
        }
        catch (DataAccessException ex) {
            refuse(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "unavailable",
                    "the token could not be checked: the database is not answering; try again");
            return;
        }
        if (principal.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Bearer");
            refuse(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized", secret == null
                    ? "a token is required: add ?token=<token> or an Authorization: Bearer header"
                    : "the token is not valid (unknown or revoked)");
            return;
        }
        request.setAttribute(ApiPrincipal.ATTRIBUTE, principal.get());
        chain.doFilter(request, response);
    }

    private void refuse(HttpServletResponse response, int status, String error, String message) throws IOException {
        refusals.write(response, status, error, message);
    }

    /**
     * The token of the {@code Authorization: Bearer} header or of {@code ?token=} in the query string,
     * null when neither has one (an empty value is none). Never a form field of the body:
     * {@code getParameter} would read one, and a token has no business in a body.
     */
    static String secret(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return blankAsNull(header.substring(7));
        }
        String query = request.getQueryString();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            if ("token".equals(name)) {
                try {
                    return blankAsNull(equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
                }
                catch (IllegalArgumentException ex) {
                    return pair.substring(equals + 1); // not valid %-encoding: no token has that shape, so it is refused
                }
            }
        }
        return null;
    }

    private static String blankAsNull(String value) {
        return value.isBlank() ? null : value.trim();
    }
}
