package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The §8 policy as each client carries it out against the real mock server: a server clock 600 s
 * ahead or behind ({@code --clock-offset}), redirects and a 503 from {@code --test-routes}. The
 * sends are recorded below each client (a recording {@code HttpClient}, an OkHttp network
 * interceptor) to check every token.
 */
class ClientPolicyMockServerTest {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final String CUSTOMER = "{\"companyName\":\"Skewed Clock Ltd\"}";

    /** A client under test: sends a request, and lists the Authorization header of every send. */
    interface Client extends AutoCloseable {
        int get(String url) throws Exception;

        int post(String url, String json) throws Exception;

        List<String> tokens();

        /** The methods of every send, in order. */
        List<String> methods();

        @Override
        void close();
    }

    static Client javaNet(Signer signer, ClientPolicy policy, boolean async) {
        RecordingHttpClient http = new RecordingHttpClient();
        NuveraHttpClient client = NuveraHttpClient.create(signer, http).withPolicy(policy);
        return new Client() {
            private int send(NuveraRequest request) throws Exception {
                HttpResponse<String> r = async
                        ? client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get()
                        : client.send(request, HttpResponse.BodyHandlers.ofString());
                return r.statusCode();
            }

            @Override
            public int get(String url) throws Exception {
                return send(NuveraRequest.get(url));
            }

            @Override
            public int post(String url, String json) throws Exception {
                return send(NuveraRequest.post(url).json(json));
            }

            @Override
            public List<String> tokens() {
                List<String> out = new ArrayList<>();
                for (HttpRequest r : http.sent) {
                    out.add(r.headers().firstValue("Authorization").orElse(null));
                }
                return out;
            }

            @Override
            public List<String> methods() {
                List<String> out = new ArrayList<>();
                http.sent.forEach(r -> out.add(r.method()));
                return out;
            }

            @Override
            public void close() {}
        };
    }

    static Client okHttp(Signer signer, ClientPolicy policy) {
        List<Request> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        OkHttpClient client = NuveraOkHttpInterceptor.install(new OkHttpClient.Builder(), signer, policy)
                .addNetworkInterceptor(chain -> {
                    sent.add(chain.request());
                    return chain.proceed(chain.request());
                })
                .build();
        return new Client() {
            private int send(Request request) throws IOException {
                try (Response r = client.newCall(request).execute()) {
                    return r.code();
                }
            }

            @Override
            public int get(String url) throws IOException {
                return send(new Request.Builder().url(url).build());
            }

            @Override
            public int post(String url, String json) throws IOException {
                return send(new Request.Builder().url(url).post(RequestBody.create(json, JSON)).build());
            }

            @Override
            public List<String> tokens() {
                List<String> out = new ArrayList<>();
                sent.forEach(r -> out.add(r.header("Authorization")));
                return out;
            }

            @Override
            public List<String> methods() {
                List<String> out = new ArrayList<>();
                sent.forEach(r -> out.add(r.method()));
                return out;
            }

            @Override
            public void close() {
                client.dispatcher().executorService().shutdown();
                client.connectionPool().evictAll();
            }
        };
    }

    interface ClientFactory {
        Client create(Signer signer, ClientPolicy policy);
    }

    static ClientFactory factory(String name) {
        switch (name) {
            case "java.net.http":
                return (s, p) -> javaNet(s, p, false);
            case "java.net.http async":
                return (s, p) -> javaNet(s, p, true);
            case "OkHttp":
                return ClientPolicyMockServerTest::okHttp;
            default:
                throw new IllegalArgumentException(name);
        }
    }

    private static JsonNode claims(String authorization) throws IOException {
        String payload = authorization.substring("Bearer ".length()).split("\\.")[1];
        return TestData.JSON.readTree(Base64.getUrlDecoder().decode(payload));
    }

    /** No jti twice, and every token's lifetime (exp − iat) the same as the first's. */
    private static void assertFreshTokens(List<String> tokens) throws IOException {
        Set<String> jtis = new HashSet<>();
        long lifetime = claims(tokens.get(0)).get("exp").asLong() - claims(tokens.get(0)).get("iat").asLong();
        for (String t : tokens) {
            JsonNode c = claims(t);
            assertTrue(jtis.add(c.get("jti").asText()), "a jti sent twice: " + c);
            assertEquals(lifetime, c.get("exp").asLong() - c.get("iat").asLong(), "exp - iat changed: " + c);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {600, -600})
    void eachClientCorrectsItsSignersClockOnceFromDate(long serverOffset, @TempDir Path dir) throws Exception {
        try (MockServer server = MockServer.start(dir, "--clock-offset", Long.toString(serverOffset));
                PrivateKey key = PrivateKey.fromFile(TestData.PRIVATE_PEM)) {
            for (String name : List.of("java.net.http", "java.net.http async", "OkHttp")) {
                try (Signer signer = Signer.create(key, TestData.API_KEY);
                        Client client = factory(name).create(signer, ClientPolicy.defaults())) {
                    assertEquals(200, client.get(server.baseUrl + "/api/v1/customers"), name);
                    assertEquals(2, client.tokens().size(), name + ": refused for the clock, then corrected");
                    long learnt = signer.clockOffsetSeconds();
                    assertTrue(Math.abs(learnt - serverOffset) <= 2, name + ": learnt " + learnt + " for " + serverOffset);
                    assertEquals(201, client.post(server.baseUrl + "/api/v1/customers", CUSTOMER), name);
                    assertEquals(3, client.tokens().size(), name + ": the signer's later requests need no extra send");
                    assertFreshTokens(client.tokens());
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"java.net.http", "java.net.http async", "OkHttp"})
    void redirects307And303FromTheTestRoutes(String name, @TempDir Path dir) throws Exception {
        try (MockServer server = MockServer.start(dir, "--test-routes");
                PrivateKey key = PrivateKey.fromFile(TestData.PRIVATE_PEM);
                Signer signer = Signer.create(key, TestData.API_KEY);
                Client client = factory(name).create(signer, ClientPolicy.defaults())) {
            String target = server.baseUrl + "/api/v1/customers";
            assertEquals(201, client.post(server.baseUrl + "/__test/redirect?status=307&to=" + target, CUSTOMER));
            assertEquals(List.of("POST", "POST"), client.methods(), "307 keeps the method and body");
            assertEquals(200, client.post(server.baseUrl + "/__test/redirect?status=303&to=" + target, CUSTOMER));
            assertEquals(List.of("POST", "POST", "POST", "GET"), client.methods(), "303 continues as GET");
            assertFreshTokens(client.tokens());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"java.net.http", "java.net.http async", "OkHttp"})
    void a503IsRetriedWhenRetriesAreOn(String name, @TempDir Path dir) throws Exception {
        try (MockServer server = MockServer.start(dir, "--test-routes");
                PrivateKey key = PrivateKey.fromFile(TestData.PRIVATE_PEM);
                Signer signer = Signer.create(key, TestData.API_KEY)) {
            String url = server.baseUrl + "/api/v1/customers?__unavailable=" + name.replace(' ', '-')
                    + "&__times=1&__retry_after=0";
            try (Client off = factory(name).create(signer, ClientPolicy.defaults())) {
                assertEquals(503, off.get(url.replace("__unavailable=", "__unavailable=off-")), "retries are opt-in");
                assertEquals(1, off.tokens().size());
            }
            try (Client on = factory(name).create(signer, ClientPolicy.withRetries())) {
                assertEquals(200, on.get(url));
                assertEquals(2, on.tokens().size(), "the 503, then the retry");
                assertFreshTokens(on.tokens());
            }
        }
    }
}
