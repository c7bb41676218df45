package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** No code is invented in Java: every code the Java layer raises, or the native side throws, is the core's. */
class ErrorCodesTest {
    private static Map<String, JsonNode> coreList() throws Exception {
        Map<String, JsonNode> byCode = new HashMap<>();
        for (JsonNode entry : TestData.JSON.readTree(TestData.ROOT.resolve("error-codes.json").toFile())) {
            byCode.put(entry.get("code").asText(), entry);
        }
        return byCode;
    }

    @Test
    void theLibrarysListIsTestdatasList() throws Exception {
        assertEquals(TestData.JSON.readTree(TestData.ROOT.resolve("error-codes.json").toFile()),
                TestData.JSON.readTree(NuveraSigning.errorCodesJson()));
    }

    @Test
    void everyCodeTheJavaLayerRaisesIsACoreCode() throws Exception {
        Map<String, JsonNode> core = coreList();
        for (String code : Codes.ALL) {
            assertTrue(core.containsKey(code), code + " is not in testdata/error-codes.json");
            NuveraSigningException e = new NuveraSigningException(code, "m");
            assertEquals(core.get(code).get("family").asText(), e.getFamily());
        }
        assertThrows(IllegalArgumentException.class, () -> new NuveraSigningException("REDIRECT_CROSS_ORIGIN", "m"));
        assertThrows(IllegalArgumentException.class, () -> new NuveraSigningException("UNSUPPORTED_BODY", "m"));
    }

    @Test
    void nativeExceptionsCarryTheCoresFamilyAndStatus() throws Exception {
        Map<String, JsonNode> core = coreList();
        NuveraSigningException bad = assertThrows(NuveraSigningException.class, () -> PrivateKey.fromPem("not a key"));
        assertEquals("INVALID_PRIVATE_KEY", bad.getCode());
        assertEquals(core.get("INVALID_PRIVATE_KEY").get("family").asText(), bad.getFamily());
        assertEquals(0, bad.getHttpStatus());
        try (Verifier verifier = Verifier.builder().registryJson(TestData.registryJson()).build()) {
            VerificationException refused = assertThrows(VerificationException.class,
                    () -> verifier.verify("GET", "/api/v1/customers", null, null, NuveraSigning.bodyHash(new byte[0])));
            JsonNode entry = core.get(refused.getCode());
            assertEquals("auth", refused.getFamily());
            assertEquals(entry.get("httpStatus").asInt(), refused.getHttpStatus());
            assertTrue(refused.getResponseBody().contains(refused.getCode()));
        }
    }
}
