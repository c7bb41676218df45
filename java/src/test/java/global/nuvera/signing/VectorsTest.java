package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every public vector in testdata/vectors, byte for byte, through the Java API. */
class VectorsTest {
    static JsonNode vectors;

    @BeforeAll
    static void load() {
        vectors = TestData.vectors();
    }

    @Test
    void uriVectors() throws Exception {
        assertFalse(vectors.get("uri").isEmpty());
        for (JsonNode c : vectors.get("uri")) {
            assertEquals(c.get("uri").asText(), NuveraSigning.requestUri(c.get("url").asText()), c.toString());
        }
    }

    @Test
    void multipartWireVectors() throws Exception {
        assertFalse(vectors.get("multipart").isEmpty());
        for (JsonNode c : vectors.get("multipart")) {
            String name = c.get("name").asText();
            String contentType = c.get("contentType").asText();
            byte[] body = TestData.b64(c.get("bodyBase64"));
            assertEquals(c.get("canonical").asText(), NuveraSigning.multipartCanonicalJson(contentType, body), name);
            assertEquals(c.get("bodyHash").asText(), NuveraSigning.multipartBodyHash(contentType, body), name);
            assertEquals(c.get("bodyHash").asText(), NuveraSigning.receivedBodyHash(contentType, body), name);
            // Streamed in small chunks through the InputStream path.
            assertEquals(c.get("bodyHash").asText(),
                    NuveraSigning.multipartBodyHash(contentType, new TrickleInputStream(body, 3)), name);
        }
    }

    @Test
    void multipartWireVectorsSignedByTheirContentType() throws Exception {
        try (PrivateKey key = PrivateKey.fromFile(TestData.PRIVATE_PEM);
                Signer signer = Signer.create(key, TestData.API_KEY)) {
            for (JsonNode c : vectors.get("multipart")) {
                String name = c.get("name").asText();
                String contentType = c.get("contentType").asText();
                byte[] body = TestData.b64(c.get("bodyBase64"));
                Claims claims = signer.signWithContentType("POST", "/api/v1/documents", contentType, body).getClaims();
                assertEquals(c.get("bodyHash").asText(), claims.getBodyHash(), name);
                // The same bytes under another type are plain bytes: their SHA-256.
                Claims plain = signer.signWithContentType("POST", "/api/v1/documents", "application/octet-stream", body)
                        .getClaims();
                assertEquals(sha256Hex(body), plain.getBodyHash(), name);
            }
            NuveraSigningException e = assertThrows(NuveraSigningException.class, () -> signer.signWithContentType(
                    "POST", "/x", "multipart/form-data; boundary=Xy12", "not multipart".getBytes(StandardCharsets.UTF_8)));
            assertEquals("MULTIPART_MALFORMED", e.getCode());
        }
    }

    @Test
    void publicKeyFingerprintIsTheSha256OfTheSpki() throws Exception {
        for (String bits : new String[] {"2048", "4096"}) {
            String pem = TestData.read(TestData.KEYS.resolve("test-rsa" + bits + "-public.pem"));
            // The reference: SHA-256 of the PEM's DER, computed here by the JDK.
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            String expected = "SHA256:" + sha256Hex(Base64.getDecoder().decode(base64));
            assertEquals(expected, NuveraSigning.publicKeyFingerprint(pem), bits);
            try (PrivateKey key = PrivateKey.fromFile(TestData.KEYS.resolve("test-rsa" + bits + "-pkcs8.pem"))) {
                assertEquals(expected, key.fingerprint(), bits);
            }
        }
        for (String bad : new String[] {"not a key", TestData.read(TestData.PRIVATE_PEM)}) {
            NuveraSigningException e = assertThrows(NuveraSigningException.class,
                    () -> NuveraSigning.publicKeyFingerprint(bad));
            assertEquals("INVALID_PUBLIC_KEY", e.getCode());
            assertEquals("key", e.getFamily());
        }
    }

    private static String sha256Hex(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void multipartStructuredVectors() throws Exception {
        for (JsonNode c : vectors.get("multipart")) {
            String name = c.get("name").asText();
            try (MultipartForm form = MultipartForm.create()) {
                for (JsonNode f : c.get("fields")) {
                    form.addField(f.get(0).asText(), f.get(1).asText());
                }
                for (JsonNode f : c.get("files")) {
                    form.addFile(f.get(0).asText(), f.get(1).asText(), TestData.b64(f.get(3)), f.get(2).asText());
                }
                assertEquals(c.get("canonical").asText(), form.canonicalJson(), name);
                assertEquals(c.get("bodyHash").asText(), form.bodyHash(), name);
                EncodedForm encoded = form.encode();
                assertEquals(c.get("bodyHash").asText(), encoded.getBodyHash(), name);
                assertEquals(c.get("bodyHash").asText(),
                        NuveraSigning.multipartBodyHash(encoded.getContentType(), encoded.getBody()), name);
            }
        }
    }

    @Test
    void multipartStructuredFromStreams() throws Exception {
        for (JsonNode c : vectors.get("multipart")) {
            String name = c.get("name").asText();
            try (MultipartForm form = MultipartForm.create()) {
                for (JsonNode f : c.get("fields")) {
                    form.addField(f.get(0).asText(), f.get(1).asText());
                }
                for (JsonNode f : c.get("files")) {
                    form.addFile(f.get(0).asText(), f.get(1).asText(), new TrickleInputStream(TestData.b64(f.get(3)), 7),
                            f.get(2).asText());
                }
                EncodedForm encoded = form.encode(); // hashes and encodes in the one pass a stream allows
                assertEquals(c.get("canonical").asText(), encoded.getCanonicalJson(), name);
                assertEquals(c.get("bodyHash").asText(), encoded.getBodyHash(), name);
                assertEquals(c.get("bodyHash").asText(), form.bodyHash(), name); // the summary is kept
                assertEquals(c.get("bodyHash").asText(),
                        NuveraSigning.multipartBodyHash(encoded.getContentType(), encoded.getBody()), name);
            }
        }
    }

    @Test
    void multipartStructuredFromFiles(@TempDir Path dir) throws Exception {
        int i = 0;
        for (JsonNode c : vectors.get("multipart")) {
            String name = c.get("name").asText();
            try (MultipartForm form = MultipartForm.withBoundary("java-vector-" + i)) {
                for (JsonNode f : c.get("fields")) {
                    form.addField(f.get(0).asText(), f.get(1).asText());
                }
                int j = 0;
                for (JsonNode f : c.get("files")) {
                    Path file = Files.write(dir.resolve(i + "-" + j++ + ".bin"), TestData.b64(f.get(3)));
                    form.addFile(f.get(0).asText(), file, f.get(1).asText(), f.get(2).asText());
                }
                assertEquals(c.get("bodyHash").asText(), form.bodyHash(), name);
                Path out = dir.resolve(i + ".multipart");
                assertEquals(c.get("canonical").asText(), form.writeTo(out), name);
                assertEquals(c.get("bodyHash").asText(), NuveraSigning.multipartBodyHash(form.getContentType(), out), name);
            }
            i++;
        }
    }

    @Test
    void jwtVectorsWholeTokens(@TempDir Path dir) throws Exception {
        assertFalse(vectors.get("jwt").isEmpty());
        try (PrivateKey key = PrivateKey.fromFile(TestData.ROOT.resolve(vectors.get("key").asText()))) {
            for (JsonNode c : vectors.get("jwt")) {
                String name = c.get("name").asText();
                String token = c.get("token").asText();
                String method = c.get("method").asText();
                String url = c.get("url").asText();
                byte[] body = TestData.b64(c.get("bodyBase64"));
                SignOptions pinned = SignOptions.defaults()
                        .withIssuedAt(c.get("iat").asLong())
                        .withJti(c.get("jti").asText());
                try (Signer signer = Signer.builder(key, c.get("apiKey").asText())
                        .lifetimeSeconds(c.get("lifetime").asInt())
                        .build()) {
                    SignedRequest signed = signer.sign(method, url, body.length == 0 ? null : body, pinned);
                    assertEquals(token, signed.getToken(), name);
                    assertEquals(c.get("uri").asText(), signed.getClaims().getUri(), name);
                    assertEquals(c.get("bodyHash").asText(), signed.getClaims().getBodyHash(), name);
                    assertEquals(c.get("bodyHash").asText(), NuveraSigning.bodyHash(body), name);
                    assertEquals(c.get("payload").asText(), payloadJson(signed.getClaims()), name);
                    assertEquals(List.of("x-api-key", "Authorization"), List.copyOf(signed.getHeaders().keySet()));
                    assertEquals(Map.of("x-api-key", c.get("apiKey").asText(), "Authorization", "Bearer " + token),
                            signed.getHeaders());

                    // The same token from every other way of giving the body.
                    assertEquals(token, signer.signWithBodyHash(method, url, c.get("bodyHash").asText(), pinned).getToken(), name);
                    Path file = Files.write(dir.resolve("body.bin"), body);
                    assertEquals(token, signer.sign(method, url, file, pinned).getToken(), name);
                    String streamedHash = NuveraSigning.bodyHash(new TrickleInputStream(body, 5));
                    assertEquals(token, signer.signWithBodyHash(method, url, streamedHash, pinned).getToken(), name);
                    assertEquals(token, signer.sign(method, url, body, pinned).getToken(), name);
                    // Bytes by their Content-Type: any type but multipart/form-data signs the bytes.
                    for (String type : new String[] {null, "application/json", "text/plain; charset=utf-8"}) {
                        assertEquals(token, signer.signWithContentType(method, url, type, body, pinned).getToken(),
                                name + " sent as " + type);
                    }
                    String text = new String(body, StandardCharsets.UTF_8);
                    if (text.getBytes(StandardCharsets.UTF_8).length == body.length && !text.isEmpty()) {
                        assertEquals(c.get("bodyHash").asText(), NuveraSigning.bodyHash(text), name);
                    }
                }
            }
        }
    }

    /** The nine claims in contract order, as compact JSON: what the token's payload must be. */
    private static String payloadJson(Claims c) throws Exception {
        Map<String, Object> claims = new java.util.LinkedHashMap<>();
        claims.put("iss", c.getIss());
        claims.put("aud", c.getAud());
        claims.put("sub", c.getSub());
        claims.put("method", c.getMethod());
        claims.put("uri", c.getUri());
        claims.put("bodyHash", c.getBodyHash());
        claims.put("iat", c.getIat());
        claims.put("exp", c.getExp());
        claims.put("jti", c.getJti());
        return TestData.JSON.writeValueAsString(claims);
    }

    /** Returns at most {@code step} bytes per read, to exercise chunked hashing. */
    static final class TrickleInputStream extends ByteArrayInputStream {
        private final int step;

        TrickleInputStream(byte[] bytes, int step) {
            super(bytes);
            this.step = step;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, step));
        }
    }
}
