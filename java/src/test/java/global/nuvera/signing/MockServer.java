package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The project's mock server ({@code nuvera-sign serve}) on a free loopback port, with the test key
 * and API key registered and any extra {@code serve} arguments (e.g. {@code --clock-offset 600},
 * {@code --test-routes}).
 */
final class MockServer implements AutoCloseable {
    final Process process;
    final String baseUrl;

    private MockServer(Process process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    static MockServer start(Path dir, String... serveArgs) throws IOException {
        Path bin = Path.of(System.getProperty("nuvera.signBin", "../target/debug/nuvera-sign"));
        assertTrue(Files.isExecutable(bin), "the mock server binary is missing: " + bin
                + " (java/build-native.sh builds it; -Dnuvera.signBin=… points elsewhere)");
        Path registry = Files.writeString(Files.createTempFile(dir, "registry", ".toml"), "[[applications]]\n"
                + "name = \"Java tests\"\n"
                + "permissions = [\"CUSTOMERS_READ\", \"CUSTOMERS_WRITE\", \"DOCUMENTS_WRITE\"]\n"
                + "apiKeys = [{ key = \"" + TestData.API_KEY + "\" }]\n"
                + "publicKeys = [{ file = " + TestData.JSON.valueToTree(TestData.PUBLIC_PEM.toString()) + " }]\n");
        List<String> command = new ArrayList<>(List.of(bin.toString(), "serve", "--listen", "127.0.0.1:0",
                "--registry", registry.toString(), "--quiet"));
        command.addAll(List.of(serveArgs));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader banner = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = banner.readLine();
        assertTrue(first != null && first.contains("http://"), "unexpected banner: " + first);
        return new MockServer(process, first.substring(first.lastIndexOf(' ') + 1).trim());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
