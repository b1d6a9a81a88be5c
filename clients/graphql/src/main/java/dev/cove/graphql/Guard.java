package dev.cove.graphql;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;

/**
 * Who may talk to the server. Three checks, applied to every HTTP request and WebSocket upgrade:
 * <ul>
 *   <li>Host: only loopback names (plus {@code --allow-host} names and the bound address), so a page
 *       whose DNS name was rebound to 127.0.0.1 is refused (403);</li>
 *   <li>Origin: a browser's cross-origin request is refused (403); same-origin pages (GraphiQL served
 *       here) and non-browser clients, which send no Origin, pass;</li>
 *   <li>token: always set unless the server runs with {@code --no-auth} (loopback only):
 *       {@code Authorization: Bearer} must carry it (401), on GET and POST alike; WebSocket clients may
 *       send it in {@code connection_init} instead (4403 when wrong or missing). Compared in constant
 *       time, on SHA-256 digests so that not even the length of the token leaks.</li>
 * </ul>
 */
final class Guard {
    /** The outcome of a check: null reason means allowed. */
    record Verdict(int status, String reason) {
        static final Verdict OK = new Verdict(200, null);

        boolean allowed() {
            return reason == null;
        }
    }

    private final Set<String> allowedHosts;
    private final Set<String> allowedOrigins;
    /** SHA-256 of the token; null with --no-auth. */
    private final byte[] token;

    Guard(Set<String> extraHosts, Set<String> allowedOrigins, String token) {
        this.allowedHosts = lower(extraHosts);
        this.allowedOrigins = lower(allowedOrigins);
        this.token = token == null ? null : sha256(token);
    }

    private static Set<String> lower(Set<String> s) {
        return Set.copyOf(s.stream().map(x -> x.toLowerCase(Locale.ROOT)).toList());
    }

    boolean tokenRequired() {
        return token != null;
    }

    /** Host and Origin checks. */
    Verdict checkSource(Request request) {
        String host = request.getHeaders().get(HttpHeader.HOST);
        String hostName = hostName(host);
        if (hostName == null || !(isLoopbackName(hostName) || allowedHosts.contains(hostName))) {
            return new Verdict(403, "Host '" + host + "' is not a loopback name: refused to guard against DNS "
                    + "rebinding (start the server with --allow-host NAME to accept it)");
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && !originAllowed(origin, host)) {
            return new Verdict(403, "cross-origin request from '" + origin + "' refused (start the server with "
                    + "--allow-origin ORIGIN to accept it)");
        }
        return Verdict.OK;
    }

    /** Token check on the Authorization header; OK when no token is configured. */
    Verdict checkToken(Request request) {
        if (token == null) {
            return Verdict.OK;
        }
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (auth == null) {
            return new Verdict(401, "this server requires a token: send 'Authorization: Bearer TOKEN'");
        }
        return tokenMatches(auth) ? Verdict.OK : new Verdict(401, "wrong token in the Authorization header");
    }

    /** Whether {@code value} ("Bearer X" or "X") carries the token. */
    boolean tokenMatches(String value) {
        if (token == null) {
            return true;
        }
        if (value == null) {
            return false;
        }
        String v = value.strip();
        if (v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            v = v.substring(7).strip();
        }
        return MessageDigest.isEqual(token, sha256(v));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private boolean originAllowed(String origin, String host) {
        String o = origin.toLowerCase(Locale.ROOT);
        if (allowedOrigins.contains(o) || allowedOrigins.contains("*")) {
            return true;
        }
        if (o.equals("null")) {
            return false;
        }
        try {
            URI u = URI.create(o);
            String authority = u.getRawAuthority();
            // same origin: the page was served from the very host:port the request goes to
            return authority != null && host != null && authority.equals(host.toLowerCase(Locale.ROOT))
                    && (u.getScheme().equals("http") || u.getScheme().equals("https"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The host part of a Host header, lower case, without port or IPv6 brackets; null if absent. */
    static String hostName(String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? null : h.substring(1, end);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    static boolean isLoopbackName(String h) {
        return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
}
