package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** NuveraOkHttpInterceptor against a live server that verifies every request. */
class OkHttpTest {
    static final MediaType JSON = MediaType.get("application/json");

    VerifyingServer server;
    PrivateKey key;
    Signer signer;
    OkHttpClient client;

    @BeforeEach
    void start() throws Exception {
        server = new VerifyingServer();
        key = PrivateKey.fromFile(TestData.PRIVATE_PEM);
        signer = Signer.create(key, TestData.API_KEY);
        client = NuveraOkHttpInterceptor.install(new OkHttpClient.Builder(), signer).build();
    }

    @AfterEach
    void stop() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        server.close();
        signer.close();
        key.close();
    }

    private int send(Request request) throws IOException {
        try (Response r = client.newCall(request).execute()) {
            return r.code();
        }
    }

    private List<String> codes() {
        return server.seen.stream().map(s -> s.code).collect(java.util.stream.Collectors.toList());
    }

    @Test
    void jsonPost() throws Exception {
        assertEquals(200, send(new Request.Builder().url(server.baseUrl() + "/api/v1/customers")
                .post(RequestBody.create("{\"companyName\":\"Acme Imports\"}", JSON)).build()));
        assertEquals(List.of("OK"), codes());
    }

    @Test
    void getWithQuery() throws Exception {
        assertEquals(200, send(new Request.Builder()
                .url(server.baseUrl() + "/api/v1/customers?limit=20&offset=40&name=Zoë").build()));
        assertEquals(List.of("OK"), codes());
        assertEquals("/api/v1/customers?limit=20&offset=40&name=Zo%C3%AB", server.seen.get(0).target);
    }

    @Test
    void multipartUpload() throws Exception {
        byte[] pdf = new byte[200_000];
        new java.util.Random(3).nextBytes(pdf);
        MultipartBody body = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("type", "INCORPORATION")
                .addFormDataPart("tag", "b").addFormDataPart("tag", "a")
                .addFormDataPart("file", "certificate.pdf", RequestBody.create(pdf, MediaType.get("application/pdf")))
                .build();
        assertEquals(200, send(new Request.Builder().url(server.baseUrl() + "/api/v1/documents").post(body).build()));
        assertEquals(List.of("OK"), codes());
        assertTrue(server.seen.get(0).contentType.startsWith("multipart/form-data"));
    }

    @Test
    void redirectIsSignedAgainOnEveryHop() throws Exception {
        assertEquals(200, send(new Request.Builder().url(server.baseUrl() + "/api/v1/redirect/start")
                .post(RequestBody.create("{\"a\":1}", JSON)).build()));
        assertEquals(List.of("OK", "OK"), codes());
        assertEquals("/api/v1/customers/after-redirect?hop=2", server.seen.get(1).target);
        assertEquals("POST", server.seen.get(1).method);
        assertNotEquals(server.seen.get(0).jti, server.seen.get(1).jti);
    }

    @Test
    void see303IsFollowedAsASignedGet() throws Exception {
        assertEquals(200, send(new Request.Builder().url(server.baseUrl() + "/api/v1/see-other")
                .post(RequestBody.create("{}", JSON)).build()));
        assertEquals(List.of("OK", "OK"), codes());
        assertEquals("GET", server.seen.get(1).method);
        assertEquals(0, server.seen.get(1).size);
        assertNotEquals(server.seen.get(0).jti, server.seen.get(1).jti);
    }

    @Test
    void oneShotBodiesAreRefused() {
        RequestBody oneShot = new RequestBody() {
            @Override
            public MediaType contentType() {
                return JSON;
            }

            @Override
            public boolean isOneShot() {
                return true;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.writeUtf8("{}");
            }
        };
        NuveraSigningIOException e = assertThrows(NuveraSigningIOException.class, () -> send(
                new Request.Builder().url(server.baseUrl() + "/api/v1/customers").post(oneShot).build()));
        assertEquals("STREAMING_BODY", e.getCode());
        assertEquals("STREAMING_BODY", ((NuveraSigningException) e.getCause()).getCode());
        assertTrue(server.seen.isEmpty());
    }

    @Test
    void aNetworkInterceptorIsRefused() {
        OkHttpClient wrong = new OkHttpClient.Builder().addNetworkInterceptor(new NuveraOkHttpInterceptor(signer)).build();
        try {
            NuveraSigningIOException e = assertThrows(NuveraSigningIOException.class, () -> wrong.newCall(
                    new Request.Builder().url(server.baseUrl() + "/api/v1/customers").build()).execute().close());
            assertEquals("UNSUPPORTED", e.getCode());
            assertTrue(e.getMessage().contains("addInterceptor"));
            assertTrue(server.seen.isEmpty());
        } finally {
            wrong.dispatcher().executorService().shutdown();
            wrong.connectionPool().evictAll();
        }
    }

    @Test
    void aClientThatFollowsRedirectsItselfIsRefused() {
        // OkHttp's own follow-up would re-send the first hop's token: the interceptor refuses it.
        OkHttpClient wrong = new OkHttpClient.Builder().addInterceptor(new NuveraOkHttpInterceptor(signer)).build();
        try {
            NuveraSigningIOException e = assertThrows(NuveraSigningIOException.class, () -> wrong.newCall(
                    new Request.Builder().url(server.baseUrl() + "/api/v1/see-other")
                            .post(RequestBody.create("{}", JSON)).build()).execute().close());
            assertEquals("UNSUPPORTED", e.getCode());
            // The follow-up OkHttp sent on its own carried the first signature: the server refused it.
            assertEquals(2, server.seen.size());
            assertNotEquals("OK", server.seen.get(1).code);
        } finally {
            wrong.dispatcher().executorService().shutdown();
            wrong.connectionPool().evictAll();
        }
    }
}
