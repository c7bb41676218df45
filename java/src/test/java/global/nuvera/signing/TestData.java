package global.nuvera.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** The project's copy of the shared vectors and keys (testdata/), read by every test. */
final class TestData {
    static final Path ROOT = Path.of(System.getProperty("nuvera.testdata", "../testdata")).toAbsolutePath().normalize();
    static final Path KEYS = ROOT.resolve("keys");
    static final Path PRIVATE_PEM = KEYS.resolve("test-rsa2048-pkcs8.pem");
    static final Path PUBLIC_PEM = KEYS.resolve("test-rsa2048-public.pem");
    static final String API_KEY = "nv_test_java_7Qx2";
    static final ObjectMapper JSON = new ObjectMapper();

    private TestData() {}

    static JsonNode vectors() {
        try {
            return JSON.readTree(ROOT.resolve("vectors/signing-vectors.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] b64(JsonNode node) {
        return Base64.getDecoder().decode(node.asText());
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A registry (JSON) accepting API_KEY with the test public key, for every route the tests use. */
    static String registryJson() {
        return "{\"applications\":[{\"name\":\"Java tests\",\"enabled\":true,"
                + "\"permissions\":[\"CUSTOMERS_READ\",\"CUSTOMERS_WRITE\",\"DOCUMENTS_WRITE\",\"REDIRECT_READ\","
                + "\"REDIRECT_WRITE\",\"SEE_OTHER_WRITE\",\"LOOP_READ\",\"CROSS_READ\"],"
                + "\"apiKeys\":[{\"key\":\"" + API_KEY + "\"}],"
                + "\"publicKeys\":[{\"file\":" + JSON.valueToTree(PUBLIC_PEM.toString()) + "}]}]}";
    }
}
