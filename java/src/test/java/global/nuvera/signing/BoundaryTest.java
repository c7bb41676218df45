package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The JNI boundary: handle ownership under concurrency, async signing, support bundles. */
class BoundaryTest {
    @Test
    void closingWhileOtherThreadsSignNeverCrashes() throws Exception {
        try (PrivateKey key = PrivateKey.fromFile(TestData.PRIVATE_PEM);
                Verifier verifier = Verifier.builder().registryJson(TestData.registryJson()).build()) {
            for (int round = 0; round < 5; round++) {
                Signer signer = Signer.create(key, TestData.API_KEY);
                ExecutorService pool = Executors.newFixedThreadPool(4);
                CountDownLatch started = new CountDownLatch(4);
                ConcurrentLinkedQueue<Object> outcomes = new ConcurrentLinkedQueue<>();
                for (int t = 0; t < 4; t++) {
                    pool.execute(() -> {
                        started.countDown();
                        for (int i = 0; i < 20; i++) {
                            try {
                                outcomes.add(signer.sign("GET", "/api/v1/customers?i=" + i));
                            } catch (NuveraSigningException e) {
                                outcomes.add(e);
                            }
                        }
                    });
                }
                started.await();
                signer.close();
                pool.shutdown();
                assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
                assertEquals(80, outcomes.size());
                for (Object o : outcomes) {
                    if (o instanceof SignedRequest) {
                        // Signed before the close took effect: a valid token.
                        SignedRequest s = (SignedRequest) o;
                        Claims c = s.getClaims();
                        verifier.verify("GET", c.getUri(), s.getApiKey(), s.getAuthorization(), c.getBodyHash());
                    } else {
                        assertEquals("OBJECT_CLOSED", ((NuveraSigningException) o).getCode());
                    }
                }
                assertEquals("OBJECT_CLOSED",
                        assertThrows(NuveraSigningException.class, () -> signer.sign("GET", "/x")).getCode());
            }
        }
    }

    @Test
    void objectsLeftOpenAreFreedByTheCleaner() throws Exception {
        try (PrivateKey key = PrivateKey.fromFile(TestData.PRIVATE_PEM)) {
            List<SignedRequest> kept = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                // Never closed: the Cleaner frees them; the requests they made stay readable.
                kept.add(Signer.create(key, TestData.API_KEY).sign("GET", "/api/v1/customers"));
                MultipartForm.create().addField("a", "b");
            }
            System.gc();
            for (SignedRequest s : kept) {
                assertEquals("/api/v1/customers", s.getClaims().getUri());
            }
            Signer s = Signer.create(key, TestData.API_KEY);
            s.close();
            s.close();
            assertEquals("OBJECT_CLOSED", assertThrows(NuveraSigningException.class, () -> s.sign("GET", "/x")).getCode());
        }
    }

    @Test
    void asyncSigningCompletesOrFailsWithTheCode() throws Exception {
        try (PrivateKey key = PrivateKey.fromFile(TestData.PRIVATE_PEM); Signer signer = Signer.create(key, TestData.API_KEY)) {
            byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
            List<CompletableFuture<SignedRequest>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(signer.signAsync("POST", "https://api.nuvera.global/api/v1/customers", body));
            }
            for (CompletableFuture<SignedRequest> f : futures) {
                assertEquals(NuveraSigning.bodyHash(body), f.join().getClaims().getBodyHash());
            }
            CompletionException e = assertThrows(CompletionException.class,
                    () -> signer.signAsync("GE T", "/x", null).join());
            NuveraSigningException cause = assertInstanceOf(NuveraSigningException.class, e.getCause());
            assertEquals("INVALID_METHOD", cause.getCode());
        }
    }

    @Test
    void supportBundleHoldsTheDiagnosisAndNoSecret() throws Exception {
        try (PrivateKey key = PrivateKey.fromFile(TestData.PRIVATE_PEM); Signer signer = Signer.create(key, TestData.API_KEY)) {
            String url = "https://api.nuvera.global/api/v1/customers";
            SignedRequest signed = signer.sign("POST", url, "{\"a\":1}");
            // Sent with a different body than signed, headers not passed: the core completes them.
            String bundle = NuveraSigning.supportBundle("POST", url, Map.of("Content-Type", "application/json"),
                    TestData.API_KEY, "application/json", "{\"a\": 1}".getBytes(StandardCharsets.UTF_8),
                    signed.getToken(), 401,
                    "{\"errors\":[{\"code\":\"AUTH_BODY_HASH_MISMATCH\"}]}".getBytes(StandardCharsets.UTF_8),
                    "Java tests", key.publicKeyPem(), Instant.ofEpochSecond(signed.getClaims().getIat()));
            assertFalse(bundle.contains(TestData.API_KEY), "the API key must be masked");
            assertFalse(bundle.contains(signed.getToken()), "the token must not be in the bundle");
            JsonNode json = TestData.JSON.readTree(bundle);
            assertTrue(bundle.contains("AUTH_BODY_HASH_MISMATCH"), bundle);
            String headers = json.toString().toLowerCase(java.util.Locale.ROOT);
            assertTrue(headers.contains("x-api-key") && headers.contains("authorization"), bundle);
        }
    }
}
