package io.billingbatch.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Resolves the token of every {@code /v1.0} request, from {@code ?token=} (as in the document),
 * {@code Authorization: Bearer}, or the session of the finance page, and answers 401 when there is
 * none or it is not a live token.
 */
class TokenAuthenticationFilter extends OncePerRequestFilter {

    private final JdbcApiTokens tokens;

    TokenAuthenticationFilter(JdbcApiTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<ApiPrincipal> principal = Optional.empty();
        String secret = secret(request);
        if (secret != null) {
            principal = tokens.resolve(secret);
        }
        else {
            HttpSession session = request.getSession(false);
            if (session != null && session.getAttribute(ApiPrincipal.SESSION_ATTRIBUTE) instanceof ApiPrincipal signedIn) {
                principal = tokens.live(signedIn.tokenId());
            }
        }
        if (principal.isEmpty()) {
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setHeader("WWW-Authenticate", "Bearer");
            response.setContentType("application/json");
            String message = secret == null ? "a token is required: add ?token=<token> or an Authorization: Bearer header"
                    : "the token is not valid (unknown or revoked)";
            response.getOutputStream().write(("{\"status\":401,\"error\":\"unauthorized\",\"message\":\"" + message + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        request.setAttribute(ApiPrincipal.ATTRIBUTE, principal.get());
        chain.doFilter(request, response);
    }

    private static String secret(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        return request.getParameter("token");
    }
}
