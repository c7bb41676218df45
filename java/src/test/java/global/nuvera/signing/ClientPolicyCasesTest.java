package global.nuvera.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of testdata/client-policy/cases.json through the Java binding: the policy built with
 * the Java classes, each response given to the core's exchange, each answer compared with the
 * table (written by hand from contract §8, not by this code).
 */
class ClientPolicyCasesTest {
    @TestFactory
    Stream<DynamicTest> everyCase() throws IOException {
        JsonNode cases = TestData.JSON.readTree(TestData.ROOT.resolve("client-policy/cases.json").toFile()).get("cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> run(c)));
        }
        assertEquals(77, tests.size(), "the table's cases");
        return tests.stream();
    }

    private static void run(JsonNode c) throws NuveraSigningException {
        ClientPolicy policy = policy(c.get("policy"));
        double[] jitter = null;
        if (c.has("jitter")) {
            jitter = new double[c.get("jitter").size()];
            for (int i = 0; i < jitter.length; i++) {
                jitter[i] = c.get("jitter").get(i).asDouble();
            }
        }
        JsonNode request = c.get("request");
        JsonNode first = c.get("first");
        try (OwnClock offset = new OwnClock(c.get("clockOffset").asLong())) {
            ClientExchange exchange;
            try {
                exchange = new ClientExchange(policy, offset, request.get("method").asText(), request.get("url").asText(),
                        request.get("hasBody").asBoolean(), jitter);
            } catch (NuveraSigningException e) {
                assertTrue(first.has("fail"), "refused before sending: " + e);
                assertEquals(first.get("fail").asText(), e.getCode());
                return;
            }
            try (exchange) {
                assertFalse(first.has("fail"), "the first send is refused in the table");
                assertAttempt(first, exchange.first());
                for (JsonNode step : c.get("steps")) {
                    JsonNode r = step.get("response");
                    List<String> headers = new ArrayList<>();
                    for (JsonNode h : r.get("headers")) {
                        headers.add(h.get(0).asText());
                        headers.add(h.get(1).asText());
                    }
                    JsonNode expect = step.get("expect");
                    String want = expect.get("action").asText();
                    ClientAction action;
                    try {
                        action = exchange.onResponse(r.get("status").asInt(), headers.toArray(new String[0]),
                                r.get("body").asText().getBytes(StandardCharsets.UTF_8),
                                r.get("sentAtMs").asLong(), r.get("receivedAtMs").asLong());
                    } catch (NuveraSigningException e) {
                        assertEquals("fail", want, "failed with " + e);
                        assertEquals(expect.get("code").asText(), e.getCode());
                        continue;
                    }
                    if (want.equals("done")) {
                        assertTrue(action.isDone(), "want done, got " + action);
                        assertNull(action.reason());
                    } else {
                        assertEquals("send", want, "got " + action);
                        assertFalse(action.isDone());
                        assertEquals(expect.get("reason").asText(), action.reason());
                        assertEquals(expect.get("delayMs").asLong(), action.delayMs());
                        assertAttempt(expect.get("attempt"), action);
                    }
                    if (expect.has("clockOffset")) {
                        assertEquals(expect.get("clockOffset").asLong(), offset.seconds(), "the clock offset after the step");
                    }
                }
            }
        }
    }

    private static void assertAttempt(JsonNode want, ClientAction got) {
        assertEquals(want.get("method").asText(), got.method());
        assertEquals(want.get("url").asText(), got.url());
        assertEquals(want.get("sendBody").asBoolean(), got.sendBody());
        assertEquals(want.get("credentials").asBoolean(), got.credentials());
    }

    private static ClientPolicy policy(@Nullable JsonNode p) {
        ClientPolicy policy = ClientPolicy.defaults();
        if (p == null) {
            return policy;
        }
        if (p.has("maxRedirects")) {
            policy = policy.maxRedirects(p.get("maxRedirects").asInt());
        }
        if (p.has("correctClock")) {
            policy = policy.correctClock(p.get("correctClock").asBoolean());
        }
        JsonNode r = p.get("retry");
        if (r != null && !r.isNull()) {
            RetryPolicy retry = RetryPolicy.defaults();
            if (r.has("statuses")) {
                int[] statuses = new int[r.get("statuses").size()];
                for (int i = 0; i < statuses.length; i++) {
                    statuses[i] = r.get("statuses").get(i).asInt();
                }
                retry = retry.statuses(statuses);
            }
            if (r.has("methods")) {
                String[] methods = new String[r.get("methods").size()];
                for (int i = 0; i < methods.length; i++) {
                    methods[i] = r.get("methods").get(i).asText();
                }
                retry = retry.methods(methods);
            }
            if (r.has("maxAttempts")) {
                retry = retry.maxAttempts(r.get("maxAttempts").asInt());
            }
            if (r.has("baseDelayMs")) {
                retry = retry.baseDelay(Duration.ofMillis(r.get("baseDelayMs").asLong()));
            }
            if (r.has("maxDelayMs")) {
                retry = retry.maxDelay(Duration.ofMillis(r.get("maxDelayMs").asLong()));
            }
            policy = policy.retry(retry);
        }
        return policy;
    }

    /** The defaults Java shows are the contract's (§8), read from the core. */
    @Test
    void defaultsAreTheContracts() {
        ClientPolicy policy = ClientPolicy.defaults();
        assertEquals(10, policy.maxRedirects());
        assertTrue(policy.correctsClock());
        assertNull(policy.retryPolicy());
        RetryPolicy retry = RetryPolicy.defaults();
        assertArrayEquals(new int[] {429, 502, 503, 504}, retry.getStatuses());
        assertArrayEquals(new String[] {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}, retry.getMethods());
        assertEquals(3, retry.getMaxAttempts());
        assertEquals(Duration.ofMillis(200), retry.getBaseDelay());
        assertEquals(Duration.ofSeconds(10), retry.getMaxDelay());
        assertTrue(List.of(RetryPolicy.includingPost().getMethods()).contains("POST"));
        assertEquals(retry, ClientPolicy.withRetries().retryPolicy());
    }

    @Test
    void aBadRetryPolicyIsRefusedByTheCore() throws NuveraSigningException {
        try (OwnClock offset = new OwnClock(0)) {
            NuveraSigningException e = assertThrows(NuveraSigningException.class, () -> new ClientExchange(
                    ClientPolicy.defaults().retry(RetryPolicy.defaults().maxAttempts(0)), offset, "GET",
                    "https://api.nuvera.test/", false, null));
            assertEquals("INVALID_ARGUMENT", e.getCode());
        }
    }

    /** A clock offset of the test's own (in use, an exchange reads and corrects its signer's). */
    private static final class OwnClock extends NativeObject {
        OwnClock(long secs) throws NuveraSigningException {
            super(Native.clockOffsetNew(secs));
        }

        long seconds() throws NuveraSigningException {
            return handle.with(Native::clockOffsetSecs);
        }
    }
}
