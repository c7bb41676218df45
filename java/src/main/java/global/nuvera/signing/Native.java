// Generated from the `native!` entry points in bindings/jni/src by
//     NUVERA_BLESS=1 cargo test -p nuvera-signing-jni native_java
// Do not edit: change the Rust entry point (or its types' `JAVA` in convert.rs) and run that command.
package global.nuvera.signing;

import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * The native methods of {@code bindings/jni}, one per Rust entry point; {@link NativeLibrary} loads
 * their library. A nullable box ({@code Long}, {@code Boolean}, …) is "absent, the core's default"; a
 * handle is a {@code long} owned by {@link NativeHandle}; failures are thrown as
 * {@link NuveraSigningException}.
 */
final class Native {
    static {
        NativeLibrary.load();
    }

    private Native() {}

    // bindings/jni/src/boundary.rs
    /** Frees any handle, once ({@code NativeHandle}). */
    static native void free(long handle);

    // bindings/jni/src/errors.rs
    /** {@code [family, httpStatus]} (0: none); {@code [null, 0]} when the core has no such code. */
    static native @Nullable String[] errorInfo(String code);

    static native String errorCodesJson();

    // bindings/jni/src/keys.rs
    static native long keyFromPem(byte[] pem, byte @Nullable [] passphrase) throws NuveraSigningException;
    static native long keyFromFile(String path, byte @Nullable [] passphrase) throws NuveraSigningException;
    static native String keyPublicPem(long key);
    static native String keyFingerprint(long key);
    static native String publicKeyFingerprint(String pem) throws NuveraSigningException;
    static native int keyBits(long key);

    // bindings/jni/src/signing.rs
    /** {@code key} is a {@code PrivateKey} or a {@code RemoteKey} handle; absent options take the core's defaults. */
    static native long signerNew(long key, String apiKey, @Nullable Long lifetime, @Nullable String issuer,
            @Nullable String audience) throws NuveraSigningException;

    /** {@code body} null is no body; otherwise the core decides from {@code contentType} which body to sign. */
    static native long sign(long signer, String method, String url, @Nullable String contentType,
            byte @Nullable [] body, @Nullable Long iat, @Nullable String jti) throws NuveraSigningException;

    static native long signFile(long signer, String method, String url, @Nullable String contentType, String path,
            @Nullable Long iat, @Nullable String jti) throws NuveraSigningException;
    static native long signPrecomputed(long signer, String method, String url, String bodyHash, @Nullable Long iat,
            @Nullable String jti) throws NuveraSigningException;
    static native long signMultipartWire(long signer, String method, String url, String contentType, byte[] body,
            @Nullable Long iat, @Nullable String jti) throws NuveraSigningException;
    static native long signMultipart(long signer, String method, String url, long form, @Nullable Long iat,
            @Nullable String jti) throws NuveraSigningException;

    /** {@code [token, name, value, name, value]}, {@code x-api-key} first. */
    static native String[] signedTokenAndHeaders(long request);

    static native String[] signedClaims(long request);
    static native String signedProofJson(long request);

    // bindings/jni/src/body.rs
    static native String bodyHash(byte[] body);
    static native String bodyHashFile(String path) throws NuveraSigningException;

    /**
     * Of the stream's bytes ({@code contentType} null), or of the encoded multipart body sent with {@code contentType}
     * (contract §5).
     */
    static native String bodyHashStream(@Nullable String contentType, InputStream stream) throws NuveraSigningException;

    static native String receivedBodyHash(@Nullable String contentType, byte[] body) throws NuveraSigningException;
    static native boolean isMultipartFormData(String contentType);
    static native String requestUri(String url) throws NuveraSigningException;
    static native String sendableUrl(String url) throws NuveraSigningException;

    // bindings/jni/src/multipart.rs
    /** A random boundary when {@code boundary} is null. */
    static native long formNew(@Nullable String boundary) throws NuveraSigningException;

    static native void formAddField(long form, String name, String value) throws NuveraSigningException;
    static native void formAddFilePath(long form, String field, String path, @Nullable String fileName,
            @Nullable String mimeType) throws NuveraSigningException;
    static native void formAddFileBytes(long form, String field, String fileName, byte[] content,
            @Nullable String mimeType) throws NuveraSigningException;
    static native void formAddFileStream(long form, String field, String fileName, InputStream stream,
            @Nullable String mimeType) throws NuveraSigningException;
    static native String formContentType(long form);
    static native String formBoundary(long form);
    static native String formCanonicalJson(long form) throws NuveraSigningException;
    static native String formBodyHash(long form) throws NuveraSigningException;

    /** One pass: the body, its hash and canonical object from the same bytes. */
    static native Object[] formEncode(long form) throws NuveraSigningException;

    static native String formWriteToFile(long form, String path) throws NuveraSigningException;
    static native String multipartBodyHash(String contentType, byte[] body) throws NuveraSigningException;
    static native String multipartBodyHashFile(String contentType, String path) throws NuveraSigningException;
    static native String multipartCanonicalJson(String contentType, byte[] body) throws NuveraSigningException;

    // bindings/jni/src/verify.rs
    /**
     * {@code registry} is the file's path ({@code format} "file") or text in {@code format} ({@code json} or
     * {@code toml}, its relative key files resolved against {@code baseDir}, default {@code .}); {@code replayUrl} null
     * keeps the registry's replay cache (else in-process). Absent options take the core's defaults.
     */
    static native long verifierNew(@Nullable String registry, String format, @Nullable String baseDir,
            @Nullable String issuer, @Nullable String audience, @Nullable Long skew, @Nullable Long now,
            @Nullable String replayUrl, @Nullable String replayPrefix, @Nullable Long replayTimeoutMs,
            @Nullable Integer replayMaxConnections) throws NuveraSigningException;

    static native String[] verify(long verifier, String method, String target, @Nullable String apiKey,
            @Nullable String authorization, String bodyHash) throws NuveraSigningException;
    static native String[] verifyRequest(long verifier, String method, String target, String[] headers, byte[] body)
            throws NuveraSigningException;

    // bindings/jni/src/explain.rs
    static native @Nullable String[] explain(String method, String url, @Nullable String apiKey,
            @Nullable String contentType, byte[] body, String token, @Nullable String publicKeyPem, @Nullable Long now)
            throws NuveraSigningException;
    static native String supportBundle(String method, String url, String[] headers, @Nullable String apiKey,
            @Nullable String contentType, byte[] body, String token, int status, byte[] responseBody,
            @Nullable String application, @Nullable String publicKeyPem, @Nullable Long now)
            throws NuveraSigningException;

    // bindings/jni/src/client.rs
    /** An offset of its own, for the table of cases (a signer has one). */
    static native long clockOffsetNew(long secs) throws NuveraSigningException;

    static native long clockOffsetSecs(long signerOrOffset) throws NuveraSigningException;

    /**
     * {@code [maxRedirects, correctClock (1/0), maxAttempts, baseDelayMs, maxDelayMs]}: the core's defaults, so Java
     * shows the same numbers without holding them.
     */
    static native long[] clientDefaults();

    static native int[] retryDefaultStatuses();
    static native String[] retryDefaultMethods(boolean includingPost);

    /** Absent values take the core's defaults; {@code retry} false means no retries. */
    static native long exchangeNew(long signerOrOffset, @Nullable Integer maxRedirects, boolean correctClock,
            boolean retry, int @Nullable [] statuses, String @Nullable [] methods, @Nullable Integer maxAttempts,
            @Nullable Long baseDelayMs, @Nullable Long maxDelayMs, String method, String url, boolean hasBody,
            double @Nullable [] jitter) throws NuveraSigningException;

    static native @Nullable String[] exchangeFirst(long exchange) throws NuveraSigningException;

    /** A send or done is returned; a failure is thrown with its code. */
    static native @Nullable String[] exchangeOnResponse(long exchange, int status, String[] headers,
            byte @Nullable [] body, long sentAtMs, long receivedAtMs) throws NuveraSigningException;

    // bindings/jni/src/remote.rs
    /** Absent options take the core's defaults. */
    static native long remoteKeyFromCallback(SignCallback callback, String publicKeyPem, @Nullable Boolean messageInput,
            @Nullable Long timeoutMs) throws NuveraSigningException;

    static native void remoteKeyCheck(long key) throws NuveraSigningException;
    static native String remoteKeyDescribe(long key) throws NuveraSigningException;
}
