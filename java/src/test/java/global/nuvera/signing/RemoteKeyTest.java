package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code RemoteKey.fromCallback} with callbacks that sign with {@code java.security} (the JDK's
 * RSA, not the core's): the public vectors byte for byte, and each failure's code.
 */
class RemoteKeyTest {
    /** DER of DigestInfo for SHA-256 without the digest (RFC 8017 §9.2 note 1): what a KMS prepends. */
    private static final byte[] SHA256_DIGEST_INFO = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01,
        0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

    private static java.security.PrivateKey jdkKey(String pem) throws Exception {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    /** Signs a 32-byte digest as a KMS does: PKCS#1 v1.5 over DigestInfo(SHA-256, digest). */
    private static byte[] signDigest(java.security.PrivateKey key, byte[] digest) throws Exception {
        assertEquals(32, digest.length);
        Signature rsa = Signature.getInstance("NONEwithRSA");
        rsa.initSign(key);
        rsa.update(SHA256_DIGEST_INFO);
        rsa.update(digest);
        return rsa.sign();
    }

    /** Signs the signing input itself with SHA256withRSA. */
    private static byte[] signMessage(java.security.PrivateKey key, byte[] message) throws Exception {
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(message);
        return rsa.sign();
    }

    private static String publicPem() {
        return TestData.read(TestData.PUBLIC_PEM);
    }

    @Test
    void publicVectorsByteForByteThroughBothInputs() throws Exception {
        JsonNode vectors = TestData.vectors();
        java.security.PrivateKey jdk = jdkKey(TestData.read(TestData.ROOT.resolve(vectors.get("key").asText())));
        assertFalse(vectors.get("jwt").isEmpty());
        try (RemoteKey digest = RemoteKey.fromCallback(d -> signDigest(jdk, d), publicPem());
                RemoteKey message = RemoteKey.fromCallback(m -> signMessage(jdk, m), publicPem(),
                        SignatureInput.MESSAGE, Duration.ofSeconds(10))) {
            digest.check();
            message.check();
            for (RemoteKey key : new RemoteKey[] {digest, message}) {
                for (JsonNode c : vectors.get("jwt")) {
                    byte[] body = TestData.b64(c.get("bodyBase64"));
                    SignOptions pinned = SignOptions.defaults().withIssuedAt(c.get("iat").asLong()).withJti(c.get("jti").asText());
                    try (Signer signer = Signer.builder(key, c.get("apiKey").asText()).lifetimeSeconds(c.get("lifetime").asInt()).build()) {
                        SignedRequest signed = signer.sign(c.get("method").asText(), c.get("url").asText(),
                                body.length == 0 ? null : body, pinned);
                        assertEquals(c.get("token").asText(), signed.getToken(), c.get("name").asText() + " via " + key);
                    }
                }
            }
        }
    }

    @Test
    void aCallbackKeySignsFromManyThreads() throws Exception {
        java.security.PrivateKey jdk = jdkKey(TestData.read(TestData.PRIVATE_PEM));
        try (RemoteKey key = RemoteKey.fromCallback(d -> signDigest(jdk, d), publicPem());
                Signer signer = Signer.create(key, TestData.API_KEY);
                Verifier verifier = Verifier.builder().registryJson(TestData.registryJson()).build()) {
            Set<String> jtis = java.util.Collections.synchronizedSet(new HashSet<>());
            Thread[] threads = new Thread[4];
            java.util.List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < threads.length; t++) {
                threads[t] = new Thread(() -> {
                    try {
                        for (int i = 0; i < 10; i++) {
                            SignedRequest s = signer.sign("GET", "https://api.nuvera.global/api/v1/customers");
                            verifier.verify("GET", "/api/v1/customers", s.getApiKey(), s.getAuthorization(),
                                    NuveraSigning.bodyHash(new byte[0]));
                            jtis.add(s.getClaims().getJti());
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(java.util.List.of(), errors);
            assertEquals(40, jtis.size());
        }
    }

    @Test
    void anExceptionIsRemoteSignerFailedWithItsMessage() throws Exception {
        try (RemoteKey key = RemoteKey.fromCallback(d -> {
            throw new IllegalStateException("KMS said AccessDeniedException for key alias/nuvera");
        }, publicPem()); Signer signer = Signer.create(key, TestData.API_KEY)) {
            NuveraSigningException e = assertThrows(NuveraSigningException.class,
                    () -> signer.sign("GET", "https://api.nuvera.global/api/v1/customers"));
            assertEquals("REMOTE_SIGNER_FAILED", e.getCode());
            assertTrue(e.getMessage().contains("KMS said AccessDeniedException for key alias/nuvera"), e.getMessage());
            NuveraSigningException check = assertThrows(NuveraSigningException.class, key::check);
            assertEquals("REMOTE_SIGNER_FAILED", check.getCode());
        }
    }

    @Test
    void aWrongLengthIsRemoteSignerFailed() throws Exception {
        try (RemoteKey key = RemoteKey.fromCallback(d -> Base64.getEncoder().encode(new byte[256]), publicPem())) {
            NuveraSigningException e = assertThrows(NuveraSigningException.class, key::check);
            assertEquals("REMOTE_SIGNER_FAILED", e.getCode());
            assertTrue(e.getMessage().contains("returned 344 bytes"), e.getMessage());
        }
        try (RemoteKey key = RemoteKey.fromCallback(d -> null, publicPem())) {
            NuveraSigningException e = assertThrows(NuveraSigningException.class, key::check);
            assertEquals("REMOTE_SIGNER_FAILED", e.getCode());
            assertTrue(e.getMessage().contains("returned null"), e.getMessage());
        }
    }

    @Test
    void anotherKeysSignatureIsRemoteKeyMismatch() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        RSAPrivateKey other = (RSAPrivateKey) generator.generateKeyPair().getPrivate();
        try (RemoteKey key = RemoteKey.fromCallback(d -> signDigest(other, d), publicPem());
                Signer signer = Signer.create(key, TestData.API_KEY)) {
            NuveraSigningException check = assertThrows(NuveraSigningException.class, key::check);
            assertEquals("REMOTE_KEY_MISMATCH", check.getCode());
            NuveraSigningException e = assertThrows(NuveraSigningException.class,
                    () -> signer.sign("GET", "https://api.nuvera.global/api/v1/customers"));
            assertEquals("REMOTE_KEY_MISMATCH", e.getCode());
        }
    }

    @Test
    void aCallbackPastItsTimeoutIsRemoteSignerFailed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (RemoteKey key = RemoteKey.fromCallback(d -> {
            // Waits until the test has seen the timeout (no wall-clock assertion: the core's bound).
            release.await(30, TimeUnit.SECONDS);
            return new byte[256];
        }, publicPem(), SignatureInput.DIGEST, Duration.ofMillis(100))) {
            NuveraSigningException e = assertThrows(NuveraSigningException.class, key::check);
            assertEquals("REMOTE_SIGNER_FAILED", e.getCode());
            assertTrue(e.getMessage().contains("did not return within 100 ms"), e.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void badArgumentsHaveTheirCodes() {
        NuveraSigningException pem = assertThrows(NuveraSigningException.class,
                () -> RemoteKey.fromCallback(d -> new byte[0], "not a PEM"));
        assertEquals("INVALID_PUBLIC_KEY", pem.getCode());
        NuveraSigningException timeout = assertThrows(NuveraSigningException.class,
                () -> RemoteKey.fromCallback(d -> new byte[0], publicPem(), SignatureInput.DIGEST, Duration.ofMillis(-1)));
        assertEquals("INVALID_ARGUMENT", timeout.getCode());
    }
}
