package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both HTTP integrations against the project's mock server ({@code nuvera-sign serve}). */
class MockServerTest {
    static MockServer server;
    static String baseUrl;
    static PrivateKey key;
    static Signer signer;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        server = MockServer.start(dir);
        baseUrl = server.baseUrl;
        key = PrivateKey.fromFile(TestData.PRIVATE_PEM);
        signer = Signer.create(key, TestData.API_KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (signer != null) {
            signer.close();
            key.close();
        }
    }

    @Test
    void httpClientJsonGetAndMultipart(@TempDir Path dir) throws Exception {
        NuveraHttpClient client = NuveraHttpClient.create(signer);
        HttpResponse<String> created = client.send(NuveraRequest.post(baseUrl + "/api/v1/customers")
                .json("{\"companyName\":\"Acme Imports\",\"registrationNumber\":\"ACME-123\"}"), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());

        HttpResponse<String> listed = client.send(NuveraRequest.get(baseUrl + "/api/v1/customers?limit=20&offset=0"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, listed.statusCode(), listed.body());
        assertTrue(listed.body().contains("Acme Imports"), listed.body());

        Path pdf = Files.write(dir.resolve("certificate.pdf"), new byte[] {'%', 'P', 'D', 'F', '-', '1', '.', '4'});
        try (MultipartForm form = MultipartForm.create()) {
            form.addField("type", "INCORPORATION").addFile("file", pdf, "certificate.pdf", "application/pdf");
            HttpResponse<String> uploaded = client.send(NuveraRequest.post(baseUrl + "/api/v1/documents").multipart(form),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, uploaded.statusCode(), uploaded.body());
            assertTrue(uploaded.body().contains("certificate.pdf"), uploaded.body());
        }
    }

    @Test
    void okHttpJsonGetAndMultipart() throws Exception {
        OkHttpClient client = NuveraOkHttpInterceptor.install(new OkHttpClient.Builder(), signer).build();
        try {
            try (Response r = client.newCall(new Request.Builder().url(baseUrl + "/api/v1/customers")
                    .post(RequestBody.create("{\"companyName\":\"OkHttp Ltd\"}", MediaType.get("application/json"))).build()).execute()) {
                assertEquals(201, r.code(), r.body().string());
            }
            try (Response r = client.newCall(new Request.Builder().url(baseUrl + "/api/v1/customers?limit=5").build()).execute()) {
                assertEquals(200, r.code());
            }
            MultipartBody body = new MultipartBody.Builder().setType(MultipartBody.FORM)
                    .addFormDataPart("type", "INCORPORATION")
                    .addFormDataPart("file", "c.pdf", RequestBody.create(new byte[] {1, 2, 3}, MediaType.get("application/pdf")))
                    .build();
            try (Response r = client.newCall(new Request.Builder().url(baseUrl + "/api/v1/documents").post(body).build()).execute()) {
                assertEquals(201, r.code(), r.body().string());
            }
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }

    @Test
    void theMockServerReallyChecks() throws Exception {
        // Signed for one body, sent with another: refused with the body-hash code.
        SignedRequest signed = signer.sign("POST", baseUrl + "/api/v1/customers", "{\"a\":1}");
        OkHttpClient plain = new OkHttpClient();
        Request.Builder request = new Request.Builder().url(baseUrl + "/api/v1/customers")
                .post(RequestBody.create("{\"a\": 1}", MediaType.get("application/json")));
        signed.getHeaders().forEach(request::header);
        try (Response r = plain.newCall(request.build()).execute()) {
            assertEquals(401, r.code());
            assertTrue(r.body().string().contains("AUTH_BODY_HASH_MISMATCH"));
        } finally {
            plain.dispatcher().executorService().shutdown();
        }
    }
}
