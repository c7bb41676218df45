package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API as a plain Java caller sees it: errors and their codes, closing, threads, verification. */
class ApiTest {
    static PrivateKey key;
    static Signer signer;

    @BeforeAll
    static void setUp() throws Exception {
        key = PrivateKey.fromFile(TestData.PRIVATE_PEM);
        signer = Signer.create(key, TestData.API_KEY);
    }

    @AfterAll
    static void tearDown() {
        signer.close();
        key.close();
    }

    private static String code(ThrowingRunnable r) {
        NuveraSigningException e = assertThrows(NuveraSigningException.class, r::run);
        assertFalse(e.getMessage().isEmpty());
        return e.getCode();
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void keysInEveryFormSignTheSameToken() throws Exception {
        SignOptions pinned = SignOptions.defaults().withIssuedAt(1767225600L).withJti("3b241101-e2bb-4255-8caf-4136c566a962");
        String expected = signer.sign("POST", "/api/v1/customers", "{}".getBytes(StandardCharsets.UTF_8), pinned).getToken();
        List<PrivateKey> keys = List.of(
                PrivateKey.fromPem(TestData.read(TestData.PRIVATE_PEM)),
                PrivateKey.fromPem(Files.readAllBytes(TestData.KEYS.resolve("test-rsa2048-pkcs1.pem"))),
                PrivateKey.fromPem(TestData.read(TestData.KEYS.resolve("test-rsa2048-pkcs8-escaped-newlines.txt"))),
                PrivateKey.fromFile(TestData.KEYS.resolve("test-rsa2048-encrypted-pkcs8.pem"), passphrase()));
        for (PrivateKey k : keys) {
            try (k; Signer s = Signer.create(k, TestData.API_KEY)) {
                assertEquals(expected, s.sign("POST", "/api/v1/customers", "{}".getBytes(StandardCharsets.UTF_8), pinned).getToken());
                assertEquals(key.fingerprint(), k.fingerprint());
                assertEquals(2048, k.bits());
            }
        }
        assertTrue(key.publicKeyPem().startsWith("-----BEGIN PUBLIC KEY-----"));
        assertEquals(TestData.read(TestData.PUBLIC_PEM).trim(), key.publicKeyPem().trim());
    }

    private static char[] passphrase() {
        // testdata/keys/README.md names the passphrase of the encrypted test key.
        String readme = TestData.read(TestData.KEYS.resolve("README.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("passphrase[^`]*`([^`]+)`").matcher(readme);
        assertTrue(m.find(), "the keys README names the passphrase");
        return m.group(1).toCharArray();
    }

    @Test
    void badKeysFailWithTheirCodes(@TempDir Path dir) throws Exception {
        assertEquals("INVALID_PRIVATE_KEY", code(() -> PrivateKey.fromPem("not a key")));
        assertEquals("WRONG_PASSPHRASE", code(() -> PrivateKey.fromFile(
                TestData.KEYS.resolve("test-rsa2048-encrypted-pkcs8.pem"), "wrong".toCharArray())));
        assertEquals("PASSPHRASE_REQUIRED", code(() -> PrivateKey.fromFile(TestData.KEYS.resolve("test-rsa2048-encrypted-pkcs8.pem"))));
        assertEquals("KEY_TOO_SMALL", code(() -> PrivateKey.fromFile(TestData.KEYS.resolve("weak-rsa1024-pkcs8.pem"))));
        assertEquals("UNSUPPORTED_KEY_TYPE", code(() -> PrivateKey.fromFile(TestData.KEYS.resolve("not-rsa-p256.pem"))));
        assertEquals("INVALID_PRIVATE_KEY", code(() -> PrivateKey.fromFile(TestData.PUBLIC_PEM)));
        String pkcs1Body = TestData.read(TestData.KEYS.resolve("test-rsa2048-pkcs1.pem"));
        assertEquals("PEM_LABEL_MISMATCH", code(() -> PrivateKey.fromPem(pkcs1Body.replace("RSA PRIVATE KEY", "PRIVATE KEY"))));
        assertEquals("IO_ERROR", code(() -> PrivateKey.fromFile(dir.resolve("missing.pem"))));
    }

    @Test
    void badRequestsFailWithTheirCodes() throws Exception {
        assertEquals("INVALID_URL", code(() -> signer.sign("GET", "http://[::1")));
        assertEquals("INVALID_URL", code(() -> NuveraSigning.requestUri("no scheme or slash")));
        assertEquals("INVALID_METHOD", code(() -> signer.sign("GE T", "/api/v1/customers")));
        assertEquals("INVALID_LIFETIME", code(() -> Signer.builder(key, TestData.API_KEY).lifetimeSeconds(61).build()));
        assertEquals("INVALID_LIFETIME", code(() -> Signer.builder(key, TestData.API_KEY).lifetime(Duration.ZERO).build()));
        assertEquals("INVALID_LIFETIME", code(() -> Signer.builder(key, TestData.API_KEY).lifetimeSeconds(-1).build()));
        assertEquals("INVALID_API_KEY", code(() -> Signer.create(key, "")));
        assertEquals("INVALID_CLAIM", code(() -> signer.sign("GET", "/x", (byte[]) null, SignOptions.defaults().withIssuedAt(-5))));
        assertEquals("INVALID_BODY_HASH", code(() -> signer.signWithBodyHash("POST", "/x", "ABC")));
        assertEquals("MULTIPART_MALFORMED", code(() -> signer.signMultipartBody("POST", "/x",
                "multipart/form-data; boundary=b", "garbage".getBytes(StandardCharsets.UTF_8))));
        NuveraSigningException io = assertThrows(NuveraSigningException.class, () -> NuveraSigning.bodyHash(
                new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("disk on fire");
                    }
                }));
        assertEquals("IO_ERROR", io.getCode());
        assertTrue(io.getMessage().contains("java.io.IOException: disk on fire"), io.getMessage());
    }

    @Test
    void streamPartsAreReadOnceAndTheirFailuresHaveACode() throws Exception {
        try (MultipartForm form = MultipartForm.create()) {
            form.addFile("file", "a.bin", new java.io.ByteArrayInputStream(new byte[100_000]), null);
            EncodedForm first = form.encode();
            assertTrue(first.size() > 100_000);
            assertEquals("INVALID_FORM_PART", code(form::encode));
        }
        try (MultipartForm form = MultipartForm.create()) {
            form.addFile("file", "b.bin", new InputStream() {
                @Override
                public int read() throws IOException {
                    throw new IOException("network share went away");
                }
            }, "application/pdf");
            NuveraSigningException io = assertThrows(NuveraSigningException.class, form::encode);
            assertEquals("IO_ERROR", io.getCode());
            assertTrue(io.getMessage().contains("network share went away"), io.getMessage());
        }
    }

    @Test
    void closedObjectsGiveAClearErrorNotACrash() throws Exception {
        PrivateKey k = PrivateKey.fromFile(TestData.PRIVATE_PEM);
        Signer s = Signer.create(k, TestData.API_KEY);
        k.close();
        k.close(); // idempotent
        assertEquals("OBJECT_CLOSED", code(k::fingerprint));
        assertEquals("OBJECT_CLOSED", code(() -> Signer.create(k, TestData.API_KEY)));
        // The signer holds its own reference to the key.
        assertEquals("GET", s.sign("GET", "/api/v1/customers").getClaims().getMethod());
        s.close();
        assertEquals("OBJECT_CLOSED", code(() -> s.sign("GET", "/api/v1/customers")));
        assertTrue(s.toString().contains("closed"));

        MultipartForm form = MultipartForm.create();
        form.close();
        assertEquals("OBJECT_CLOSED", code(() -> form.addField("a", "b")));
        assertEquals("OBJECT_CLOSED", code(() -> signer.signMultipart("POST", "/api/v1/documents", form)));

        Verifier v = Verifier.builder().registryJson(TestData.registryJson()).build();
        v.close();
        assertEquals("OBJECT_CLOSED", code(() -> v.verify("GET", "/", null, null, NuveraSigning.bodyHash(new byte[0]))));
    }

    @Test
    void nothingSecretInToString() throws Exception {
        SignedRequest signed = signer.sign("POST", "/api/v1/customers", "{\"a\":1}");
        String everything = String.join("\n", key.toString(), signer.toString(), signed.toString(),
                signed.getClaims().toString(), signed.proofJson());
        assertFalse(everything.contains(TestData.API_KEY), everything);
        assertFalse(everything.contains(signed.getToken()));
        assertFalse(everything.contains(signed.getToken().split("\\.")[2]));
        assertFalse(everything.contains("PRIVATE KEY"));
        assertTrue(key.toString().contains(key.fingerprint()));
        assertTrue(signed.proofJson().contains(signed.getClaims().getJti()));
    }

    @Test
    void signerIsSharedAcrossThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Verifier verifier = Verifier.builder().registryJson(TestData.registryJson()).build()) {
            List<Future<SignedRequest>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                byte[] body = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                futures.add(pool.submit(() -> signer.sign("POST", "/api/v1/customers?i=" + body.length, body)));
            }
            Set<String> jtis = new HashSet<>();
            for (Future<SignedRequest> f : futures) {
                SignedRequest s = f.get();
                jtis.add(s.getClaims().getJti());
                Verified ok = verifier.verify("POST", s.getClaims().getUri(), s.getApiKey(), s.getAuthorization(),
                        s.getClaims().getBodyHash());
                assertEquals("Java tests", ok.getApplication());
            }
            assertEquals(200, jtis.size(), "every token has its own jti");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void verifierGivesEachRefusalItsCode() throws Exception {
        Instant now = Instant.ofEpochSecond(1767225600L);
        SignOptions at = SignOptions.defaults().withIssuedAt(now.getEpochSecond());
        try (Verifier verifier = Verifier.builder().registryJson(TestData.registryJson()).fixedTime(now).build()) {
            byte[] body = "{\"companyName\":\"Acme\"}".getBytes(StandardCharsets.UTF_8);
            SignedRequest s = signer.sign("POST", "https://api.nuvera.global/api/v1/customers", body, at);
            Map<String, String> headers = Map.of("Content-Type", "application/json", "X-API-KEY", s.getApiKey(),
                    "authorization", s.getAuthorization());
            Verified ok = verifier.verifyRequest("POST", "/api/v1/customers", headers, body);
            assertEquals("CUSTOMERS_WRITE", ok.getPermission());
            assertEquals(key.fingerprint(), ok.getKeyFingerprint());

            VerificationException replay = assertThrows(VerificationException.class,
                    () -> verifier.verifyRequest("POST", "/api/v1/customers", headers, body));
            assertEquals("AUTH_REPLAYED_JTI", replay.getCode());
            assertEquals(401, replay.getHttpStatus());
            assertTrue(replay.getResponseBody().contains("\"AUTH_REPLAYED_JTI\""));

            SignedRequest fresh = signer.sign("POST", "https://api.nuvera.global/api/v1/customers", body, at);
            VerificationException mismatch = assertThrows(VerificationException.class, () -> verifier.verify("POST",
                    "/api/v1/customers", fresh.getApiKey(), fresh.getAuthorization(), NuveraSigning.bodyHash(body + "\n")));
            assertEquals("AUTH_BODY_HASH_MISMATCH", mismatch.getCode());

            SignedRequest denied = signer.sign("DELETE", "/api/v1/beneficiaries/b_1", (byte[]) null, at);
            VerificationException forbidden = assertThrows(VerificationException.class, () -> verifier.verify("DELETE",
                    "/api/v1/beneficiaries/b_1", denied.getApiKey(), denied.getAuthorization(), NuveraSigning.bodyHash(new byte[0])));
            assertEquals("AUTH_PERMISSION_DENIED", forbidden.getCode());
            assertEquals(403, forbidden.getHttpStatus());
        }
        assertEquals("INVALID_REGISTRY", code(() -> Verifier.builder().registryJson("{").build()));
        assertEquals("INVALID_REGISTRY", code(() -> Verifier.builder().build()));
    }

    @Test
    void explainNamesTheBrokenRule() throws Exception {
        byte[] pretty = "{\n  \"companyName\": \"Acme\"\n}".getBytes(StandardCharsets.UTF_8);
        byte[] minified = "{\"companyName\":\"Acme\"}".getBytes(StandardCharsets.UTF_8);
        SignedRequest s = signer.sign("POST", "https://api.nuvera.global/api/v1/customers", minified);
        ExplainReport report = NuveraSigning.explain("POST", "https://api.nuvera.global/api/v1/customers",
                TestData.API_KEY, "application/json", pretty, s.getToken());
        assertFalse(report.isOk());
        assertEquals("AUTH_BODY_HASH_MISMATCH", report.getVerdict().orElseThrow());
        assertEquals("body-hash", report.getFindings().get(0).getArea());
        assertFalse(report.toJson().contains(TestData.API_KEY));

        ExplainReport good = NuveraSigning.explain("POST", "https://api.nuvera.global/api/v1/customers",
                TestData.API_KEY, "application/json", minified, s.getToken(), key.publicKeyPem(), Instant.now());
        assertTrue(good.isOk(), good.toString());
        assertTrue(good.getFindings().isEmpty());
    }
}
