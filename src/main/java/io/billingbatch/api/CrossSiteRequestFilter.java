package io.billingbatch.api;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a state-changing request (anything but GET, HEAD, OPTIONS) that a browser made for
 * another site: its {@code Origin} must be this server's own origin, or, when a browser sends no
 * {@code Origin} or the opaque {@code Origin: null} (which the page's {@code Referrer-Policy: no-referrer}
 * makes browsers send with its own forms), its {@code Sec-Fetch-Site} must be {@code same-origin} or {@code none}. This
 * stops login CSRF (a foreign page signing a victim in to an attacker's session), a forged sign-out
 * and forged changes with the page's session. A request with neither header does not come from a
 * browser page ({@code curl}, scripts) and carries its own token, so it passes.
 */
class CrossSiteRequestFilter extends OncePerRequestFilter {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private static final Set<String> OWN_FETCH_SITES = Set.of("same-origin", "none");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!SAFE_METHODS.contains(request.getMethod())) {
            String origin = request.getHeader("Origin");
            String fetchSite = request.getHeader("Sec-Fetch-Site");
            boolean crossSite;
            if (origin != null && !"null".equals(origin)) {
                crossSite = !origin.equalsIgnoreCase(ownOrigin(request));
            }
            else if (fetchSite != null) {
                crossSite = !OWN_FETCH_SITES.contains(fetchSite.toLowerCase(Locale.ROOT));
            }
            else {
                crossSite = origin != null; // an opaque origin ("null") the browser says nothing more about
            }
            if (crossSite) {
                ApiErrorBody.write(response, HttpServletResponse.SC_FORBIDDEN, "forbidden", "refused: this change was sent"
                        + " from another site (" + (origin != null ? "Origin " + origin : "Sec-Fetch-Site " + fetchSite)
                        + "); changes are accepted only from this server's own pages or from clients with a token");
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** This server's origin as the browser sees it: the scheme and the Host it sent the request to. */
    private static String ownOrigin(HttpServletRequest request) {
        String host = request.getHeader("Host");
        if (host == null) {
            int port = request.getServerPort();
            boolean defaultPort = ("http".equals(request.getScheme()) && port == 80)
                    || ("https".equals(request.getScheme()) && port == 443);
            host = request.getServerName() + (defaultPort ? "" : ":" + port);
        }
        return request.getScheme() + "://" + host;
    }
}
