package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Verifier.builder().replayCache(…)} against a real {@code redis-server}, started here on a
 * free loopback port with its files in a temporary directory.
 */
class ReplayCacheTest {
    private static final String URL = "https://api.nuvera.global/api/v1/customers";

    /** A redis-server of its own; stopped by {@link #close()}. */
    private static final class Redis implements AutoCloseable {
        final Process process;
        final int port;

        Redis(Path dir) throws IOException, InterruptedException {
            Path bin = Path.of("/usr/bin/redis-server");
            String found = System.getenv("PATH") == null ? "" : System.getenv("PATH");
            for (String d : found.split(":")) {
                if (Files.isExecutable(Path.of(d, "redis-server"))) {
                    bin = Path.of(d, "redis-server");
                    break;
                }
            }
            assertTrue(Files.isExecutable(bin), "redis-server is missing (scripts/install-tools installs it)");
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            process = new ProcessBuilder(bin.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--dir", dir.toString(), "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            for (int i = 0; ; i++) {
                if (ping()) {
                    return;
                }
                assertTrue(process.isAlive() && i < 200, "redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
                Thread.sleep(25);
            }
        }

        /** Whether the server answers PING (RESP inline command). */
        private boolean ping() {
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream out = s.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] answer = new byte[7];
                int n = in.readNBytes(answer, 0, 7);
                return new String(answer, 0, n, StandardCharsets.US_ASCII).equals("+PONG\r\n");
            } catch (IOException e) {
                return false;
            }
        }

        String url() {
            return "redis://127.0.0.1:" + port;
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

    private static Verifier verifier(String redisUrl) throws NuveraSigningException {
        return Verifier.builder().registryJson(TestData.registryJson())
                .replayCache(redisUrl)
                .replayCachePrefix("java-test:jti:")
                .replayCacheTimeout(Duration.ofMillis(500))
                .replayCacheMaxConnections(4)
                .build();
    }

    private static Map<String, String> headers(SignedRequest s) {
        return Map.of("Content-Type", "application/json", "X-API-KEY", s.getApiKey(), "Authorization", s.getAuthorization());
    }

    @Test
    void twoVerifiersShareRedisAndRefuseWhenItIsGone(@TempDir Path dir) throws Exception {
        byte[] body = "{\"companyName\":\"Acme\"}".getBytes(StandardCharsets.UTF_8);
        try (PrivateKey key = PrivateKey.fromFile(TestData.PRIVATE_PEM);
                Signer signer = Signer.create(key, TestData.API_KEY)) {
            Redis redis = new Redis(dir);
            try (Verifier first = verifier(redis.url()); Verifier second = verifier(redis.url())) {
                SignedRequest s = signer.sign("POST", URL, body);
                Verified ok = first.verifyRequest("POST", "/api/v1/customers", headers(s), body);
                assertEquals("CUSTOMERS_WRITE", ok.getPermission());
                // The other instance sees the jti the first one recorded.
                VerificationException replay = assertThrows(VerificationException.class,
                        () -> second.verifyRequest("POST", "/api/v1/customers", headers(s), body));
                assertEquals("AUTH_REPLAYED_JTI", replay.getCode());
                assertEquals(401, replay.getHttpStatus());

                SignedRequest other = signer.sign("POST", URL, body);
                second.verifyRequest("POST", "/api/v1/customers", headers(other), body);

                redis.close();
                SignedRequest later = signer.sign("POST", URL, body);
                VerificationException down = assertThrows(VerificationException.class,
                        () -> first.verifyRequest("POST", "/api/v1/customers", headers(later), body));
                assertEquals("AUTH_REPLAY_CACHE_UNAVAILABLE", down.getCode());
                assertEquals(503, down.getHttpStatus());
                assertTrue(down.getResponseBody().contains("\"AUTH_REPLAY_CACHE_UNAVAILABLE\""), down.getResponseBody());
            } finally {
                redis.close();
            }
        }
    }

    @Test
    void badOptionsAreRefusedWhenBuilt() {
        NuveraSigningException e = assertThrows(NuveraSigningException.class, () -> Verifier.builder()
                .registryJson(TestData.registryJson()).replayCache("redis://127.0.0.1:1").replayCacheMaxConnections(0).build());
        assertEquals("INVALID_ARGUMENT", e.getCode());
        NuveraSigningException scheme = assertThrows(NuveraSigningException.class, () -> Verifier.builder()
                .registryJson(TestData.registryJson()).replayCache("http://127.0.0.1:1").build());
        assertEquals("INVALID_ARGUMENT", scheme.getCode());
    }
}
