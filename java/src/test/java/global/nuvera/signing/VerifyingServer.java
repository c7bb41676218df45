package global.nuvera.signing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A JDK HttpServer that checks every request with the binding's {@link Verifier} (so the HTTP
 * helpers are tested against the real rules, replay cache included) and has the redirect routes
 * the mock server lacks:
 * {@code /api/v1/redirect/*} answers 307, {@code /api/v1/see-other} 303,
 * {@code /api/v1/loop} redirects to itself, {@code /api/v1/cross} to {@link #crossOrigin}.
 */
final class VerifyingServer implements AutoCloseable {
    /** What the server saw of one request. */
    static final class Seen {
        final String method;
        final String target;
        final String code;
        final String jti;
        final String contentType;
        final int size;
        /** Whether x-api-key or Authorization came with the request. */
        boolean credentials;

        Seen(String method, String target, String code, String jti, String contentType, int size) {
            this.method = method;
            this.target = target;
            this.code = code;
            this.jti = jti;
            this.contentType = contentType;
            this.size = size;
        }

        @Override
        public String toString() {
            return method + " " + target + " -> " + code;
        }
    }

    final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    volatile String crossOrigin = "http://localhost:9/elsewhere";
    private final HttpServer server;
    private final Verifier verifier;

    VerifyingServer() throws Exception {
        verifier = Verifier.builder().registryJson(TestData.registryJson()).build();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String method = exchange.getRequestMethod();
            String target = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
            String contentType = headers.get("Content-type");
            boolean credentials = headers.keySet().stream()
                    .anyMatch(n -> n.equalsIgnoreCase("x-api-key") || n.equalsIgnoreCase("authorization"));
            Verified verified;
            try {
                verified = verifier.verifyRequest(method, target, headers, body);
            } catch (VerificationException e) {
                Seen refused = new Seen(method, target, e.getCode(), null, contentType, body.length);
                refused.credentials = credentials;
                seen.add(refused);
                answer(exchange, e.getHttpStatus(), e.getResponseBody(), null);
                return;
            } catch (NuveraSigningException e) {
                seen.add(new Seen(method, target, e.getCode(), null, contentType, body.length));
                answer(exchange, 400, "{\"errors\":[{\"code\":\"" + e.getCode() + "\"}]}", null);
                return;
            }
            String jti = verified.getClaims().getJti();
            Seen ok = new Seen(method, target, "OK", jti, contentType, body.length);
            ok.credentials = credentials;
            seen.add(ok);
            String path = exchange.getRequestURI().getRawPath();
            if (path.startsWith("/api/v1/redirect/")) {
                answer(exchange, 307, "{}", "/api/v1/customers/after-redirect?hop=2");
            } else if (path.equals("/api/v1/see-other")) {
                answer(exchange, 303, "{}", "/api/v1/customers/after-303");
            } else if (path.equals("/api/v1/loop")) {
                answer(exchange, 302, "{}", "/api/v1/loop");
            } else if (path.equals("/api/v1/cross")) {
                answer(exchange, 307, "{}", crossOrigin);
            } else {
                answer(exchange, 200, "{\"ok\":true,\"uri\":" + TestData.JSON.valueToTree(verified.getClaims().getUri())
                        + ",\"size\":" + body.length + "}", null);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private static void answer(HttpExchange exchange, int status, String json, String location) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (location != null) {
            exchange.getResponseHeaders().set("Location", location);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        verifier.close();
    }
}
