package global.nuvera.signing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The contract's free functions: body hashes, the {@code uri} claim, {@code explain}, support bundles. */
public final class NuveraSigning {
    private NuveraSigning() {}

    /** SHA-256 hex of {@code body} (contract §4). */
    public static String bodyHash(byte[] body) {
        return Native.bodyHash(Objects.requireNonNull(body, "body"));
    }

    /** SHA-256 hex of {@code body} encoded as UTF-8. */
    public static String bodyHash(String body) {
        return bodyHash(Objects.requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 hex of the file at {@code path}, streamed. */
    public static String bodyHash(Path path) throws NuveraSigningException {
        return Native.bodyHashFile(Objects.requireNonNull(path, "path").toString());
    }

    /** SHA-256 hex of the rest of {@code body}, streamed, not closed; an IOException is {@code IO_ERROR}. */
    public static String bodyHash(InputStream body) throws NuveraSigningException {
        return Native.bodyHashStream(null, Objects.requireNonNull(body, "body"));
    }

    /** The multipart {@code bodyHash} (contract §5) of an encoded body sent with {@code contentType}. */
    public static String multipartBodyHash(String contentType, byte[] body) throws NuveraSigningException {
        return Native.multipartBodyHash(Objects.requireNonNull(contentType, "contentType"), Objects.requireNonNull(body, "body"));
    }

    /** The multipart {@code bodyHash} of an encoded body stored in the file at {@code path}, streamed. */
    public static String multipartBodyHash(String contentType, Path path) throws NuveraSigningException {
        return Native.multipartBodyHashFile(Objects.requireNonNull(contentType, "contentType"),
                Objects.requireNonNull(path, "path").toString());
    }

    /** The multipart {@code bodyHash} of an encoded body read from {@code body} in chunks. */
    public static String multipartBodyHash(String contentType, InputStream body) throws NuveraSigningException {
        return Native.bodyHashStream(Objects.requireNonNull(contentType, "contentType"),
                Objects.requireNonNull(body, "body"));
    }

    /** The canonical object (contract §5) of an encoded multipart body, compact JSON. */
    public static String multipartCanonicalJson(String contentType, byte[] body) throws NuveraSigningException {
        return Native.multipartCanonicalJson(Objects.requireNonNull(contentType, "contentType"),
                Objects.requireNonNull(body, "body"));
    }

    /** The hash a server computes of a received body (multipart through its canonical object). */
    public static String receivedBodyHash(@Nullable String contentType, byte[] body) throws NuveraSigningException {
        return Native.receivedBodyHash(contentType, Objects.requireNonNull(body, "body"));
    }

    /** True when {@code contentType} is {@code multipart/form-data} (parameters ignored). */
    public static boolean isMultipartFormData(String contentType) {
        return Native.isMultipartFormData(Objects.requireNonNull(contentType, "contentType"));
    }

    /** The {@code uri} claim (contract §3) for a URL or a request target. */
    public static String requestUri(String url) throws NuveraSigningException {
        return Native.requestUri(Objects.requireNonNull(url, "url"));
    }

    /** The URL to hand an HTTP client so that it sends exactly the signed {@code uri}. */
    public static String sendableUrl(String url) throws NuveraSigningException {
        return Native.sendableUrl(Objects.requireNonNull(url, "url"));
    }

    /** Why Nuvera would refuse (or accept) {@code token} for the request as sent; needs no private key. */
    public static ExplainReport explain(String method, String url, @Nullable String apiKey,
            @Nullable String contentType, byte @Nullable [] body, String token) throws NuveraSigningException {
        return explain(method, url, apiKey, contentType, body, token, null, null);
    }

    /** As {@code explain}, also checking the signature with {@code publicKeyPem} and the time at {@code now}. */
    public static ExplainReport explain(String method, String url, @Nullable String apiKey,
            @Nullable String contentType, byte @Nullable [] body, String token, @Nullable String publicKeyPem,
            @Nullable Instant now) throws NuveraSigningException {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(token, "token");
        return new ExplainReport(Native.explain(method, url, apiKey, contentType, body == null ? new byte[0] : body,
                token, publicKeyPem, now == null ? null : now.getEpochSecond()));
    }

    /** A support bundle (contract §7) as pretty JSON, free of secrets and body bytes; {@code now} null: now. */
    public static String supportBundle(String method, String url, Map<String, String> headers, @Nullable String apiKey,
            @Nullable String contentType, byte @Nullable [] body, String token, int status,
            byte @Nullable [] responseBody, @Nullable String application, @Nullable String publicKeyPem,
            @Nullable Instant now) throws NuveraSigningException {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(token, "token");
        return Native.supportBundle(method, url, flatten(Objects.requireNonNull(headers, "headers")), apiKey,
                contentType, body == null ? new byte[0] : body, token, status,
                responseBody == null ? new byte[0] : responseBody, application, publicKeyPem,
                now == null ? null : now.getEpochSecond());
    }

    /** {@code SHA256:<hex>} of a public key PEM: {@link PrivateKey#fingerprint()} of its private half. */
    public static String publicKeyFingerprint(String pem) throws NuveraSigningException {
        return Native.publicKeyFingerprint(Objects.requireNonNull(pem, "pem"));
    }

    /** The core's list of error codes as JSON ({@code [{"code","family","httpStatus"}]}). */
    public static String errorCodesJson() {
        return Native.errorCodesJson();
    }

    /** {@code [name, value, …]} of a header map's non-null entries, one pair per value of a {@code List}. */
    static String[] flatten(Map<String, ?> headers) {
        List<String> flat = new ArrayList<>(headers.size() * 2);
        headers.forEach((name, value) -> {
            for (Object v : value instanceof List ? (List<?>) value : Collections.singletonList(value)) {
                if (name != null && v != null) {
                    flat.add(name);
                    flat.add(v.toString());
                }
            }
        });
        return flat.toArray(new String[0]);
    }
}
