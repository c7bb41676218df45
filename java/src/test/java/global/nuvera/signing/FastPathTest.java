package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one-call signing path (FastSign) against the generated path: same rules, same results. */
class FastPathTest {
    @Test
    void fastPathIsBoundAndAgreesWithTheVerifier() throws Exception {
        assertTrue(FastSign.AVAILABLE, "nuvera_signing_fast_sign should bind from the jar's library");
        byte[] body = "{\"companyName\":\"Zoë & Co\"}".getBytes(StandardCharsets.UTF_8);
        try (PrivateKey key = PrivateKey.fromFile(TestData.PRIVATE_PEM);
                Signer signer = Signer.create(key, TestData.API_KEY);
                Verifier verifier = Verifier.builder().registryJson(TestData.registryJson()).build()) {
            // Default options take the fast path; a long URL makes a token over 4 KiB, which falls back.
            String longQuery = "?q=" + "x".repeat(5000);
            for (String url : new String[] {"https://api.nuvera.global/api/v1/customers?a=1 2", "/api/v1/customers" + longQuery}) {
                for (byte[] b : new byte[][] {body, null, new byte[0]}) {
                    SignedRequest s = signer.sign("post", url, b);
                    Claims c = s.getClaims();
                    assertEquals("POST", c.getMethod());
                    assertEquals(NuveraSigning.requestUri(url), c.getUri());
                    assertEquals(NuveraSigning.bodyHash(b == null ? new byte[0] : b), c.getBodyHash());
                    assertEquals(c.getExp(), c.getIat() + 55);
                    assertEquals(Map.of("x-api-key", TestData.API_KEY, "Authorization", "Bearer " + s.getToken()), s.getHeaders());
                    Verified v = verifier.verify("POST", c.getUri(), s.getApiKey(), s.getAuthorization(), c.getBodyHash());
                    assertEquals(c.getJti(), v.getClaims().getJti());
                    // The pinned (generated) path gives the same token for the same iat and jti.
                    SignedRequest again = signer.sign("post", url, b,
                            SignOptions.defaults().withIssuedAt(c.getIat()).withJti(c.getJti()));
                    assertEquals(s.getToken(), again.getToken());
                }
            }
            NuveraSigningException e = assertThrows(NuveraSigningException.class, () -> signer.sign("GE T", "/x", body));
            assertEquals("INVALID_METHOD", e.getCode());
            assertTrue(e.getMessage().length() > 5);
            assertEquals("INVALID_URL", assertThrows(NuveraSigningException.class, () -> signer.sign("GET", "http://[::1")).getCode());
        }
    }

    @Test
    void aSignerLeftOpenIsCleanedAndAClosedOneRefuses() throws Exception {
        try (PrivateKey key = PrivateKey.fromFile(TestData.PRIVATE_PEM)) {
            for (int i = 0; i < 50; i++) {
                Signer.create(key, TestData.API_KEY).sign("GET", "/api/v1/customers"); // never closed
            }
            System.gc();
            Signer s = Signer.create(key, TestData.API_KEY);
            s.close();
            s.close();
            assertEquals("OBJECT_CLOSED", assertThrows(NuveraSigningException.class, () -> s.sign("GET", "/x")).getCode());
        }
    }
}
