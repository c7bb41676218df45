import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import global.nuvera.signing.NuveraSigning;
import global.nuvera.signing.PrivateKey;
import global.nuvera.signing.Signer;
import io.jsonwebtoken.Jwts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * In one run:
 * 1. our Signer.sign against the Rust core signing the same request (core/examples/bench_probe,
 *    run as a child process while this JVM idles), in alternating rounds; the median of the
 *    per-round ratios, and the per-call overhead in µs;
 * 2. our own 2-thread rate against our 1-thread rate, alternating rounds, median of ratios;
 * 3. sign/s of our Signer vs nimbus-jose-jwt and jjwt (JDK RSA), preloaded keys, 1 and 2 threads.
 * Every contender produces the same thing: an RS256 JWT with the nine claims, the body hash
 * computed from the body bytes and a fresh UUID jti per token.
 *
 *   java -cp … SignBench PRIVATE_KEY_PEM SECONDS ROUNDS BENCH_PROBE
 */
public final class SignBench {
    static final String URL = "https://api.nuvera.global/api/v1/customers";
    static final byte[] BODY = ("{\"companyName\":\"Acme Imports\",\"registrationNumber\":\"ACME-123\","
            + "\"countryOfIncorporationId\":\"SG\",\"businessIndustryId\":\"424350\",\"documentIds\":[],"
            + "\"persons\":[],\"legalEntityShareholders\":[],\"isDraft\":true,\"currentStep\":1}")
            .getBytes(StandardCharsets.UTF_8);
    static final String API_KEY = "nv_live_3f9a2c7d1e";

    /** The request bench_probe signs (core/examples/bench_probe.rs), signed here the same way. */
    static final String PROBE_URL = "/api/v1/customers";
    static final byte[] PROBE_BODY = "{\"companyName\":\"Acme Trading Ltd\",\"country\":\"GB\"}"
            .getBytes(StandardCharsets.UTF_8);

    interface Op {
        String sign() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path pem = Path.of(args[0]);
        double seconds = Double.parseDouble(args[1]);
        int rounds = Integer.parseInt(args[2]);
        String probe = args[3];

        PrivateKey ours = PrivateKey.fromFile(pem);
        Signer signer = Signer.create(ours, API_KEY);
        RSAPrivateKey jdkKey = loadJdkKey(pem);
        RSASSASigner nimbus = new RSASSASigner(jdkKey);

        Map<String, Op> contenders = new LinkedHashMap<>();
        contenders.put("nuvera-signing Signer.sign", () -> signer.sign("POST", URL, BODY).getToken());
        contenders.put("nimbus-jose-jwt 10.10", () -> nimbusToken(nimbus));
        contenders.put("jjwt 0.13.0", () -> jjwtToken(jdkKey));

        // Sanity: every contender's token carries the same body hash claim as ours.
        String expectedHash = NuveraSigning.bodyHash(BODY);
        for (Map.Entry<String, Op> c : contenders.entrySet()) {
            String payload = new String(Base64.getUrlDecoder().decode(c.getValue().sign().split("\\.")[1]), StandardCharsets.UTF_8);
            if (!payload.contains(expectedHash)) {
                throw new IllegalStateException(c.getKey() + " signed a different body hash: " + payload);
            }
        }

        Op same = () -> signer.sign("POST", PROBE_URL, PROBE_BODY).getToken();
        rate(same, 1, Math.min(2.0, seconds)); // warm-up (JIT)
        double[] coreRatios = new double[rounds];
        double[] javaRates = new double[rounds];
        double[] coreRates = new double[rounds];
        double[] overheads = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            coreRates[r] = coreRate(probe, pem, seconds);
            javaRates[r] = rate(same, 1, seconds);
            coreRatios[r] = javaRates[r] / coreRates[r];
            overheads[r] = 1e6 / javaRates[r] - 1e6 / coreRates[r];
            System.out.printf("  round %d: core %.0f/s, Java %.0f/s, ratio %.3f%n", r + 1, coreRates[r], javaRates[r], coreRatios[r]);
        }
        double java1 = median(javaRates);
        double core1 = median(coreRates);
        System.out.printf("RATIO Java/core 1 thread: median of %d rounds %.3f (goal >= 0.97); per-call overhead "
                + "(1e6/java - 1e6/core, median of rounds) %+.1f us; median rates: Java %.0f/s, core %.0f/s%n",
                rounds, median(coreRatios), median(overheads), java1, core1);
        double[] scaling = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double one = rate(same, 1, seconds);
            double two = rate(same, 2, seconds);
            scaling[r] = two / one;
            System.out.printf("  round %d: 1 thread %.0f/s, 2 threads %.0f/s, %.2fx%n", r + 1, one, two, scaling[r]);
        }
        System.out.printf("RATIO Java 2 threads / 1 thread: median of %d rounds %.2fx (goal >= 1.8x)%n", rounds, median(scaling));

        // The JNI crossing alone: a native call with no RSA in it (SHA-256 of 0 bytes, one String back).
        double[] crossing = new double[rounds];
        byte[] empty = new byte[0];
        for (int r = 0; r < rounds; r++) {
            int calls = 200_000;
            long start = System.nanoTime();
            int sink = 0;
            for (int i = 0; i < calls; i++) {
                sink += NuveraSigning.bodyHash(empty).length();
            }
            crossing[r] = (System.nanoTime() - start) / 1e3 / calls;
            if (sink != 64 * calls) {
                throw new IllegalStateException("unexpected hash length");
            }
        }
        System.out.printf("a trivial native call (NuveraSigning.bodyHash of 0 bytes): median of %d rounds %.2f us%n",
                rounds, median(crossing));

        System.out.printf("RS256 sign/s, preloaded keys, %.1f s per measurement, %d cores%n", seconds,
                Runtime.getRuntime().availableProcessors());
        Map<String, double[]> rates = new LinkedHashMap<>();
        for (Map.Entry<String, Op> c : contenders.entrySet()) {
            rate(c.getValue(), 1, Math.min(2.0, seconds)); // warm-up (JIT)
            double one = rate(c.getValue(), 1, seconds);
            double two = rate(c.getValue(), 2, seconds);
            rates.put(c.getKey(), new double[] {one, two});
            System.out.printf("  %-28s 1 thread %8.0f/s   2 threads %8.0f/s (%.2fx)%n", c.getKey(), one, two, two / one);
        }
        double[] us = rates.get("nuvera-signing Signer.sign");
        for (Map.Entry<String, double[]> r : rates.entrySet()) {
            if (r.getValue() == us) {
                continue;
            }
            System.out.printf("ours/%s: 1 thread %.2fx, 2 threads %.2fx%n",
                    r.getKey(), us[0] / r.getValue()[0], us[1] / r.getValue()[1]);
        }
        signer.close();
        ours.close();
    }

    static double rate(Op op, int threads, double seconds) throws Exception {
        LongAdder count = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    String sink = "";
                    while (!stop.get()) {
                        sink = op.sign();
                        count.increment();
                    }
                    if (sink.isEmpty()) {
                        throw new IllegalStateException("empty token");
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            workers.add(w);
        }
        long start = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return count.sum() / elapsed;
    }

    /** bench_probe's sign/s for {@code seconds}, run as a child process (this JVM waits, idle). */
    static double coreRate(String probe, Path pem, double seconds) throws Exception {
        Process p = new ProcessBuilder(probe, "sign-rate", pem.toString(), Double.toString(seconds))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("bench_probe failed: " + out);
        }
        return Double.parseDouble(out);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static String bodyHash() throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(BODY));
    }

    static String nimbusToken(RSASSASigner signer) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        // nimbus orders claims itself; the payload has the same nine claims.
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer("nuvera-api").audience("nuvera-rest-api").subject(API_KEY)
                .claim("method", "POST").claim("uri", "/api/v1/customers").claim("bodyHash", bodyHash())
                .claim("iat", now).claim("exp", now + 55).jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    static String jjwtToken(RSAPrivateKey key) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "nuvera-api");
        claims.put("aud", "nuvera-rest-api");
        claims.put("sub", API_KEY);
        claims.put("method", "POST");
        claims.put("uri", "/api/v1/customers");
        claims.put("bodyHash", bodyHash());
        claims.put("iat", now);
        claims.put("exp", now + 55);
        claims.put("jti", UUID.randomUUID().toString());
        return Jwts.builder().header().type("JWT").and().claims(claims).signWith(key, Jwts.SIG.RS256).compact();
    }

    static RSAPrivateKey loadJdkKey(Path pem) throws Exception {
        String text = Files.readString(pem)
                .replace("-----BEGIN PRIVATE KEY-----", "")
                .replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        return (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(text)));
    }
}
