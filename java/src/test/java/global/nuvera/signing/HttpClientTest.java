package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NuveraHttpClient against a live server that verifies every request with the binding's Verifier. */
class HttpClientTest {
    VerifyingServer server;
    PrivateKey key;
    Signer signer;
    NuveraHttpClient client;

    @BeforeEach
    void start() throws Exception {
        server = new VerifyingServer();
        key = PrivateKey.fromFile(TestData.PRIVATE_PEM);
        signer = Signer.create(key, TestData.API_KEY);
        client = NuveraHttpClient.create(signer);
    }

    @AfterEach
    void stop() {
        server.close();
        signer.close();
        key.close();
    }

    private List<String> codes() {
        return server.seen.stream().map(s -> s.code).collect(java.util.stream.Collectors.toList());
    }

    @Test
    void jsonPost() throws Exception {
        HttpResponse<String> r = client.send(
                NuveraRequest.post(server.baseUrl() + "/api/v1/customers").json("{\"companyName\":\"Acme Imports\"}"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of("OK"), codes());
        assertEquals("application/json", server.seen.get(0).contentType);
    }

    @Test
    void getWithQueryIsSignedAsSent() throws Exception {
        HttpResponse<String> r = client.send(
                NuveraRequest.get(server.baseUrl() + "/api/v1/customers?limit=20&offset=40&q=a b&name=Zoë"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("/api/v1/customers?limit=20&offset=40&q=a%20b&name=Zo%C3%AB", server.seen.get(0).target);

        // A character java.net.URI cannot carry is refused before anything is signed or sent.
        NuveraSigningException e = assertThrows(NuveraSigningException.class, () -> client.send(
                NuveraRequest.get(server.baseUrl() + "/api/v1/customers?q=a|b"), HttpResponse.BodyHandlers.ofString()));
        assertEquals("INVALID_URL", e.getCode());
        assertTrue(e.getMessage().contains("%7C"), e.getMessage());
        assertEquals(1, server.seen.size());
    }

    @Test
    void multipartUploadFromAFile(@TempDir Path dir) throws Exception {
        byte[] pdf = new byte[300_000];
        new java.util.Random(7).nextBytes(pdf);
        Path file = Files.write(dir.resolve("certificate.pdf"), pdf);
        try (MultipartForm form = MultipartForm.create()) {
            form.addField("type", "INCORPORATION").addField("customerId", "c_42")
                    .addFile("file", file, "certificate.pdf", "application/pdf");
            HttpResponse<String> r = client.send(NuveraRequest.post(server.baseUrl() + "/api/v1/documents").multipart(form),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        }
        assertTrue(server.seen.get(0).contentType.startsWith("multipart/form-data; boundary="));
        assertTrue(server.seen.get(0).size > pdf.length);
    }

    @Test
    void encodedMultipartBytesAreSignedByTheirContentType() throws Exception {
        com.fasterxml.jackson.databind.JsonNode vectors = TestData.vectors().get("multipart");
        for (com.fasterxml.jackson.databind.JsonNode c : vectors) {
            String contentType = c.get("contentType").asText();
            HttpResponse<String> r = client.send(NuveraRequest.post(server.baseUrl() + "/api/v1/documents")
                    .body(TestData.b64(c.get("bodyBase64")), contentType), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), c.get("name").asText() + ": " + r.body());
        }
        assertEquals(vectors.size(), codes().size());
        assertTrue(codes().stream().allMatch("OK"::equals), codes().toString());
    }

    @Test
    void encodedMultipartFilesAreSignedByTheirContentType(@TempDir Path dir) throws Exception {
        com.fasterxml.jackson.databind.JsonNode vectors = TestData.vectors().get("multipart");
        int i = 0;
        for (com.fasterxml.jackson.databind.JsonNode c : vectors) {
            Path file = Files.write(dir.resolve(i++ + ".multipart"), TestData.b64(c.get("bodyBase64")));
            HttpResponse<String> r = client.send(NuveraRequest.post(server.baseUrl() + "/api/v1/documents")
                    .body(file, c.get("contentType").asText()), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), c.get("name").asText() + ": " + r.body());
            Claims claims = signer.signWithContentType("POST", "/x", c.get("contentType").asText(), file).getClaims();
            assertEquals(c.get("bodyHash").asText(), claims.getBodyHash(), c.get("name").asText());
        }
        assertEquals(vectors.size(), codes().size());
        assertTrue(codes().stream().allMatch("OK"::equals), codes().toString());
    }

    @Test
    void fileBodyIsStreamed(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("body.json"), "{\"companyName\":\"From a file\"}");
        HttpResponse<String> r = client.send(
                NuveraRequest.put(server.baseUrl() + "/api/v1/customers/c_1").body(file, "application/json"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void redirect307IsFollowedAndSignedAgain() throws Exception {
        HttpResponse<String> r = client.send(
                NuveraRequest.post(server.baseUrl() + "/api/v1/redirect/start").json("{\"a\":1}"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of("OK", "OK"), codes());
        assertEquals("POST", server.seen.get(1).method);
        assertEquals("/api/v1/customers/after-redirect?hop=2", server.seen.get(1).target);
        assertEquals(7, server.seen.get(1).size);
        assertNotEquals(server.seen.get(0).jti, server.seen.get(1).jti);
    }

    @Test
    void redirect303BecomesASignedGet() throws Exception {
        HttpResponse<String> r = client.send(NuveraRequest.post(server.baseUrl() + "/api/v1/see-other").json("{}"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("GET", server.seen.get(1).method);
        assertEquals(0, server.seen.get(1).size);
        assertEquals(List.of("OK", "OK"), codes());
    }

    @Test
    void asyncSendFollowsRedirectsToo() throws Exception {
        HttpResponse<String> r = client.sendAsync(
                NuveraRequest.post(server.baseUrl() + "/api/v1/redirect/async").json("{}"),
                HttpResponse.BodyHandlers.ofString()).join();
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of("OK", "OK"), codes());
    }

    @Test
    void crossOriginRedirectsAreFollowedWithoutCredentialsAndLoopsAreRefused() throws Exception {
        try (VerifyingServer other = new VerifyingServer()) {
            // 127.0.0.1 on another port: another origin (contract §8).
            server.crossOrigin = other.baseUrl() + "/api/v1/customers/elsewhere";
            HttpResponse<String> r = client.send(
                    NuveraRequest.get(server.baseUrl() + "/api/v1/cross"), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode(), r.body());
            assertEquals(1, other.seen.size());
            assertFalse(other.seen.get(0).credentials, "no x-api-key or Authorization may reach another origin");
            assertTrue(server.seen.get(0).credentials);

            HttpResponse<String> async = client.sendAsync(
                    NuveraRequest.get(server.baseUrl() + "/api/v1/cross"), HttpResponse.BodyHandlers.ofString()).join();
            assertEquals(401, async.statusCode());
            assertEquals(2, other.seen.size());
            assertFalse(other.seen.get(1).credentials);
        }
        server.seen.clear();
        NuveraSigningException loop = assertThrows(NuveraSigningException.class, () -> client.send(
                NuveraRequest.get(server.baseUrl() + "/api/v1/loop"), HttpResponse.BodyHandlers.ofString()));
        assertEquals("TOO_MANY_REDIRECTS", loop.getCode());
        assertEquals("client", loop.getFamily());
        // The first send and the default 10 hops (contract §8); the 11th redirect is refused unsent.
        assertEquals(11, server.seen.size());
        assertTrue(server.seen.stream().allMatch(s -> s.code.equals("OK")), server.seen.toString());
    }

    @Test
    void redirectsAreOnlyOursToFollow() {
        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        assertThrows(IllegalArgumentException.class, () -> NuveraHttpClient.create(signer, following));
    }

    @Test
    void unsignedRequestsAreRefusedByTheServer() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/api/v1/customers")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("AUTH_"), r.body());
    }
}
