package global.nuvera.signing;

import global.nuvera.signing.ffi.BodyHasher;
import global.nuvera.signing.ffi.Nuvera_signing_uniffiKt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The contract's free functions: body hashes, multipart hashes, the {@code uri} claim, and
 * {@code explain}. Every rule runs in the Rust core; nothing is computed in Java.
 */
public final class NuveraSigning {
    /** Chunk size for streams: large enough to amortize the native call, small enough to stay flat. */
    static final int STREAM_CHUNK = 64 * 1024;

    private NuveraSigning() {}

    /** SHA-256 hex of {@code body} (contract §4). */
    public static String bodyHash(byte[] body) {
        return Nuvera_signing_uniffiKt.bodyHash(Objects.requireNonNull(body, "body"));
    }

    /** SHA-256 hex of {@code body} encoded as UTF-8. */
    public static String bodyHash(String body) {
        return bodyHash(Objects.requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 hex of the file at {@code path}, streamed. */
    public static String bodyHash(Path path) throws NuveraSigningException {
        Objects.requireNonNull(path, "path");
        return Ffi.call(() -> Nuvera_signing_uniffiKt.bodyHashFile(path.toString()));
    }

    /** SHA-256 hex of everything left in {@code body}, read in chunks. Does not close the stream. */
    public static String bodyHash(InputStream body) throws NuveraSigningException {
        return hashStream(null, body);
    }

    /** The multipart {@code bodyHash} (contract §5) of an encoded body sent with {@code contentType}. */
    public static String multipartBodyHash(String contentType, byte[] body) throws NuveraSigningException {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        return Ffi.call(() -> Nuvera_signing_uniffiKt.multipartBodyHash(contentType, body));
    }

    /** The multipart {@code bodyHash} of an encoded body stored in the file at {@code path}, streamed. */
    public static String multipartBodyHash(String contentType, Path path) throws NuveraSigningException {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(path, "path");
        return Ffi.call(() -> Nuvera_signing_uniffiKt.multipartBodyHashFile(contentType, path.toString()));
    }

    /** The multipart {@code bodyHash} of an encoded body read from {@code body} in chunks. */
    public static String multipartBodyHash(String contentType, InputStream body) throws NuveraSigningException {
        return hashStream(Objects.requireNonNull(contentType, "contentType"), body);
    }

    /** The canonical object (contract §5) of an encoded multipart body, compact JSON. */
    public static String multipartCanonicalJson(String contentType, byte[] body) throws NuveraSigningException {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        return Ffi.call(() -> Nuvera_signing_uniffiKt.multipartCanonicalJson(contentType, body));
    }

    /**
     * The hash a server computes of a received body: through the multipart canonical object when
     * {@code contentType} is {@code multipart/form-data}, of the raw bytes otherwise.
     */
    public static String receivedBodyHash(String contentType, byte[] body) throws NuveraSigningException {
        Objects.requireNonNull(body, "body");
        return Ffi.call(() -> Nuvera_signing_uniffiKt.receivedBodyHash(contentType, body));
    }

    /** True when {@code contentType} is {@code multipart/form-data} (parameters ignored). */
    public static boolean isMultipartFormData(String contentType) {
        return Nuvera_signing_uniffiKt.isMultipartFormData(Objects.requireNonNull(contentType, "contentType"));
    }

    /** The {@code uri} claim (contract §3) for a URL or a request target. */
    public static String requestUri(String url) throws NuveraSigningException {
        Objects.requireNonNull(url, "url");
        return Ffi.call(() -> Nuvera_signing_uniffiKt.requestUri(url));
    }

    /** The URL to hand an HTTP client so that it sends exactly the signed {@code uri}. */
    public static String sendableUrl(String url) throws NuveraSigningException {
        Objects.requireNonNull(url, "url");
        return Ffi.call(() -> Nuvera_signing_uniffiKt.sendableUrl(url));
    }

    /**
     * Explains why Nuvera would refuse (or accept) {@code token} for the request as sent: every
     * claim is re-derived from the request. Needs no private key. {@code apiKey} and
     * {@code contentType} may be {@code null}.
     */
    public static ExplainReport explain(
            String method, String url, String apiKey, String contentType, byte[] body, String token)
            throws NuveraSigningException {
        return explain(method, url, apiKey, contentType, body, token, null, null);
    }

    /**
     * As {@link #explain(String, String, String, String, byte[], String)}, also checking the
     * signature with {@code publicKeyPem} and the time rules at {@code now} (each may be {@code null}).
     */
    public static ExplainReport explain(
            String method,
            String url,
            String apiKey,
            String contentType,
            byte[] body,
            String token,
            String publicKeyPem,
            Instant now)
            throws NuveraSigningException {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(token, "token");
        byte[] bytes = body == null ? new byte[0] : body;
        Long at = now == null ? null : now.getEpochSecond();
        return new ExplainReport(Ffi.call(() -> Nuvera_signing_uniffiKt.explain(
                method, url, apiKey, contentType, bytes, token, publicKeyPem, at)));
    }

    static String hashStream(String contentType, InputStream body) throws NuveraSigningException {
        Objects.requireNonNull(body, "body");
        BodyHasher hasher = new BodyHasher(contentType);
        try {
            byte[] buffer = new byte[STREAM_CHUNK];
            int n;
            while ((n = body.read(buffer)) != -1) {
                if (n == 0) {
                    continue;
                }
                byte[] chunk = n == buffer.length ? buffer : Arrays.copyOf(buffer, n);
                Ffi.call(() -> {
                    hasher.update(chunk);
                    return null;
                });
            }
            return Ffi.call(hasher::finish);
        } catch (IOException e) {
            throw new NuveraSigningException("IO_ERROR", "cannot read the body stream: " + e.getMessage(), e);
        } finally {
            hasher.destroy();
        }
    }
}
