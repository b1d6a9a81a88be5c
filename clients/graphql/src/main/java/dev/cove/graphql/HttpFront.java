package dev.cove.graphql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.ExecutionResult;
import graphql.language.OperationDefinition;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketCreator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every HTTP request: the security checks, then GraphQL over HTTP on {@code /graphql} (per the
 * GraphQL-over-HTTP spec), the WebSocket upgrade on the same path, and GraphiQL with its bundled
 * assets on {@code /}.
 */
final class HttpFront extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(HttpFront.class);
    static final String GRAPHQL_RESPONSE = "application/graphql-response+json";
    static final String JSON = "application/json";
    static final String METRICS_METHOD = "query:metrics.scrape.v1";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Engine engine;
    private final Daemon daemon;
    private final Guard guard;
    private final long maxBody;
    private final long requestTimeoutMillis;
    private final ServerWebSocketContainer ws;
    private final WebSocketCreator wsCreator;
    private final Map<String, Asset> assets = new ConcurrentHashMap<>();
    private final Map<String, String> assetPaths;
    private final String instance;

    private record Asset(byte[] bytes, String contentType) {
    }

    HttpFront(Engine engine, Daemon daemon, Guard guard, long maxBody, long requestTimeoutMillis, ServerWebSocketContainer ws,
              WebSocketCreator wsCreator, String instance) {
        this.instance = instance;
        this.engine = engine;
        this.daemon = daemon;
        this.guard = guard;
        this.maxBody = maxBody;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.ws = ws;
        this.wsCreator = wsCreator;
        this.assetPaths = assetPaths();
    }

    /** The five files GraphiQL needs, served from the WebJars on the class path. */
    private static Map<String, String> assetPaths() {
        Properties p = new Properties();
        try (InputStream in = HttpFront.class.getResourceAsStream("graphiql.properties")) {
            p.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("graphiql.properties is missing from the jar", e);
        }
        String gv = p.getProperty("graphiql.version");
        String rv = p.getProperty("react.version");
        String w = "META-INF/resources/webjars/";
        return Map.of(
                "/assets/graphiql.min.js", w + "graphiql/" + gv + "/graphiql.min.js",
                "/assets/graphiql.min.css", w + "graphiql/" + gv + "/graphiql.min.css",
                "/assets/react.production.min.js", w + "react/" + rv + "/umd/react.production.min.js",
                "/assets/react-dom.production.min.js", w + "react-dom/" + rv + "/umd/react-dom.production.min.js",
                "/assets/cove-graphiql.js", "dev/cove/graphql/cove-graphiql.js",
                "/", "dev/cove/graphql/graphiql.html");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Guard.Verdict v = guard.checkSource(request);
        if (!v.allowed()) {
            log.warn("refused {} {} from {}: {}", request.getMethod(), Request.getPathInContext(request),
                    Request.getRemoteAddr(request), v.reason());
            return plain(response, callback, v.status(), v.reason());
        }
        String path = Request.getPathInContext(request);
        if (path.equals("/graphql")) {
            String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
            if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
                String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
                if (auth != null && !guard.tokenMatches(auth)) {
                    return plain(response, callback, 401, "wrong token in the Authorization header");
                }
                if (!engine.whole()) {
                    return notYet(response, callback, null);
                }
                if (ws.upgrade(wsCreator, request, response, callback)) {
                    return true;
                }
                return plain(response, callback, 400, "not a valid WebSocket upgrade");
            }
            Guard.Verdict t = guard.checkToken(request);
            if (!t.allowed()) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"cove\"");
                // the body is not read: Jetty will close the connection, so say so, or a client reusing it fails
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                return plain(response, callback, t.status(), t.reason());
            }
            if (!engine.whole()) {
                return notYet(response, callback, negotiate(request.getHeaders().get(HttpHeader.ACCEPT)));
            }
            graphql(request, response, callback);
            return true;
        }
        if (path.equals("/metrics")) {
            return metrics(request, response, callback);
        }
        String asset = path.equals("/graphiql") || path.equals("/index.html") ? "/" : path;
        if (assetPaths.containsKey(asset)) {
            if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                return plain(response, callback, 405, "only GET here");
            }
            Asset a = assets.computeIfAbsent(asset, this::load);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, a.contentType());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, asset.equals("/") ? "no-cache" : "max-age=3600");
            response.getHeaders().put("X-Content-Type-Options", "nosniff");
            if (asset.equals("/")) {
                // the page may only run what it loads from here, and may only be framed by itself
                response.getHeaders().put("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                        + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'");
            }
            response.write(true, request.getMethod().equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(a.bytes()),
                    callback);
            return true;
        }
        return plain(response, callback, 404, "nothing here: GraphiQL is at /, the GraphQL endpoint at /graphql, "
                + "Prometheus metrics at /metrics");
    }

    /**
     * The daemon's Prometheus exposition, behind the same token as /graphql: a scraper reads the token from
     * the 0600 token file ({@code credentials_file}), so no new unauthenticated door opens on the machine.
     */
    private boolean metrics(Request request, Response response, Callback callback) {
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            return plain(response, callback, 405, "only GET here");
        }
        Guard.Verdict t = guard.checkToken(request);
        if (!t.allowed()) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"cove\"");
            return plain(response, callback, t.status(), t.reason() + " (Prometheus: authorization: credentials_file: "
                    + "the token file)");
        }
        JsonNode m;
        try {
            m = daemon.call(METRICS_METHOD, MAPPER.createObjectNode());
        } catch (RuntimeException e) {
            log.debug("/metrics: the daemon did not answer: {}", e.toString());
            // 503, not an empty 200: Prometheus then records up == 0 for this target
            return plain(response, callback, 503, "the Cove daemon did not answer: " + e.getMessage());
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, m.path("contentType").asText("text/plain; version=0.0.4; charset=utf-8"));
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        byte[] body = m.path("text").asText("").getBytes(StandardCharsets.UTF_8);
        response.write(true, request.getMethod().equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
        return true;
    }

    private Asset load(String path) {
        String resource = assetPaths.get(path);
        try (InputStream in = HttpFront.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the class path (is the GraphiQL WebJar "
                        + "in clients/graphql/target/lib?)");
            }
            String type = resource.endsWith(".js") ? "text/javascript; charset=utf-8"
                    : resource.endsWith(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8";
            return new Asset(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    // ---- GraphQL over HTTP ----

    /** A request the spec says to refuse before executing: its status and why. */
    private record Refusal(int status, String message) {
    }

    private void graphql(Request request, Response response, Callback callback) {
        String method = request.getMethod();
        String media = negotiate(request.getHeaders().get(HttpHeader.ACCEPT));
        if (media == null) {
            plain(response, callback, 406, "Accept must allow " + GRAPHQL_RESPONSE + " or " + JSON);
            return;
        }
        String query;
        String operationName;
        Map<String, Object> variables;
        try {
            JsonNode params;
            if (method.equals("POST")) {
                String ct = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
                if (!isJson(ct)) {
                    refuse(response, callback, media, new Refusal(415, "POST bodies must be application/json, not "
                            + (ct == null ? "missing" : "'" + ct + "'")));
                    return;
                }
                byte[] body = readBody(request, response, callback, media);
                if (body == null) {
                    return;
                }
                params = MAPPER.readTree(body);
            } else if (method.equals("GET")) {
                params = fromQueryString(request);
            } else {
                response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
                refuse(response, callback, media, new Refusal(405, method + " is not supported: use POST (or GET for queries)"));
                return;
            }
            if (params == null || !params.isObject()) {
                refuse(response, callback, media, new Refusal(400, "the request body must be a JSON object"));
                return;
            }
            JsonNode q = params.get("query");
            if (q == null || !q.isTextual() || q.asText().isBlank()) {
                refuse(response, callback, media, new Refusal(400, "the request needs a 'query' string"));
                return;
            }
            query = q.asText();
            JsonNode on = params.get("operationName");
            if (on != null && !on.isNull() && !on.isTextual()) {
                refuse(response, callback, media, new Refusal(400, "'operationName' must be a string"));
                return;
            }
            operationName = on == null || on.isNull() ? null : on.asText();
            JsonNode vars = params.get("variables");
            if (vars != null && !vars.isNull() && !vars.isObject()) {
                refuse(response, callback, media, new Refusal(400, "'variables' must be a JSON object"));
                return;
            }
            variables = vars == null || vars.isNull() ? Map.of() : MAPPER.convertValue(vars, Map.class);
        } catch (JsonProcessingException e) {
            refuse(response, callback, media, new Refusal(400, "the request is not valid JSON: " + e.getOriginalMessage()));
            return;
        } catch (BadParams e) {
            refuse(response, callback, media, new Refusal(400, e.getMessage()));
            return;
        } catch (IOException e) {
            refuse(response, callback, media, new Refusal(400, "cannot read the request: " + e.getMessage()));
            return;
        }

        OperationDefinition.Operation op = engine.operationOf(query, operationName);
        if (op == OperationDefinition.Operation.MUTATION && method.equals("GET")) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            refuse(response, callback, media, new Refusal(405, "mutations are not allowed over GET: use POST"));
            return;
        }
        if (op == OperationDefinition.Operation.SUBSCRIPTION) {
            refuse(response, callback, media, new Refusal(400, "subscriptions run over WebSocket "
                    + "(graphql-transport-ws) at /graphql, not over plain HTTP"));
            return;
        }
        ExecutionResult result;
        try {
            result = engine.execute(query, operationName, variables, Map.of())
                    .get(requestTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            refuse(response, callback, media, new Refusal(504, "the request took longer than " + requestTimeoutMillis + " ms"));
            return;
        } catch (ExecutionException e) {
            log.error("GraphQL execution failed", e.getCause());
            refuse(response, callback, media, new Refusal(500, "internal error: " + e.getCause()));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            refuse(response, callback, media, new Refusal(503, "the server is stopping"));
            return;
        }
        // no data at all means nothing ran (syntax, validation, limits): a request error, which
        // graphql-response+json reports as 400; application/json keeps 200 for well-formed requests
        int status = media.equals(GRAPHQL_RESPONSE) && !result.isDataPresent() ? 400 : 200;
        write(response, callback, status, media, result.toSpecification());
    }

    private static final class BadParams extends Exception {
        BadParams(String m) {
            super(m);
        }
    }

    private static JsonNode fromQueryString(Request request) throws BadParams, JsonProcessingException {
        Fields f = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        var node = MAPPER.createObjectNode();
        String q = f.getValue("query");
        if (q != null) {
            node.put("query", q);
        }
        String on = f.getValue("operationName");
        if (on != null && !on.isEmpty()) {
            node.put("operationName", on);
        }
        String vars = f.getValue("variables");
        if (vars != null && !vars.isEmpty()) {
            JsonNode v;
            try {
                v = MAPPER.readTree(vars);
            } catch (JsonProcessingException e) {
                throw new BadParams("'variables' is not valid JSON: " + e.getOriginalMessage());
            }
            node.set("variables", v);
        }
        return node;
    }

    /** Reads the body up to the size limit; answers 413 and returns null beyond it. */
    private byte[] readBody(Request request, Response response, Callback callback, String media) throws IOException {
        long declared = request.getLength();
        if (declared > maxBody) {
            // the body is not read: close after answering rather than drain it
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            refuse(response, callback, media, new Refusal(413, "the request body is " + declared + " bytes; the limit is "
                    + maxBody + " (--max-body)"));
            return null;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
            if (bytes.length > maxBody) {
                refuse(response, callback, media, new Refusal(413, "the request body is over the limit of " + maxBody
                        + " bytes (--max-body)"));
                return null;
            }
            return bytes;
        }
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].strip().equalsIgnoreCase(JSON)) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip().toLowerCase(Locale.ROOT);
            if (p.startsWith("charset=") && !p.substring(8).replace("\"", "").equals("utf-8")) {
                return false; // JSON is UTF-8; another charset is a different media type for our purposes
            }
        }
        return true;
    }

    /**
     * Picks the response media type from Accept, by q-value; graphql-response+json wins ties. No Accept
     * header means application/json (what pre-spec clients expect). Null when neither is acceptable.
     */
    static String negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return JSON;
        }
        double best = 0;
        String pick = null;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (q <= 0) {
                continue;
            }
            String candidate = switch (type) {
                case GRAPHQL_RESPONSE, "*/*", "application/*" -> GRAPHQL_RESPONSE;
                case JSON -> JSON;
                default -> null;
            };
            if (candidate != null && (q > best || q == best && candidate.equals(GRAPHQL_RESPONSE))) {
                best = q;
                pick = candidate;
            }
        }
        return pick;
    }

    private static void refuse(Response response, Callback callback, String media, Refusal r) {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("message", r.message());
        err.put("extensions", Map.of("code", r.status() == 413 ? "REQUEST_TOO_LARGE" : "BAD_REQUEST"));
        // with application/json, the spec wants 200 only for well-formed requests; these are not
        write(response, callback, r.status(), media, Map.of("errors", List.of(err)));
    }

    private static void write(Response response, Callback callback, int status, String media, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            log.error("cannot serialize a GraphQL result", e);
            status = 500;
            bytes = "{\"errors\":[{\"message\":\"internal error: the result could not be serialized\"}]}"
                    .getBytes(StandardCharsets.UTF_8);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, media + "; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /**
     * 503 with {@code Retry-After} while the daemon's description is not in: answering from the placeholder schema
     * would hand introspecting clients (GraphiQL, code generators) a schema without mutations and subscriptions.
     */
    private boolean notYet(Response response, Callback callback, String media) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        // the request's body may be left unread, after which Jetty drops the connection: say so, or a client that
        // keeps connections alive sends its retry down a closed one ("header parser received no bytes")
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        String why = "the GraphQL schema is not ready: no answer yet from the Cove daemon of instance '"
                + instance + "' (start it with `cove start`, or let this server start it); retry shortly";
        if (media == null) {
            return plain(response, callback, 503, why);
        }
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("message", why);
        err.put("extensions", Map.of("code", "UNAVAILABLE"));
        write(response, callback, 503, media, Map.of("errors", List.of(err)));
        return true;
    }

    private static boolean plain(Response response, Callback callback, int status, String message) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.write(true, ByteBuffer.wrap((message + "\n").getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
