package global.nuvera.signing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The native methods of {@code bindings/jni} and the loading of its library from this jar. A
 * nullable box ({@code Long}, {@code Boolean}, …) is "absent, the core's default"; a handle is a
 * {@code long} owned by {@link NativeHandle}; failures are thrown as {@link NuveraSigningException}.
 */
final class Native {
    /** Set to a path to load that library instead of the one inside the jar. */
    static final String LIBRARY_PROPERTY = "nuvera.signing.library";

    static {
        load();
    }

    private Native() {}

    private static void load() {
        String override = System.getProperty(LIBRARY_PROPERTY);
        if (override != null) {
            System.load(Path.of(override).toAbsolutePath().toString());
            return;
        }
        String resource = "/global/nuvera/signing/native/" + platform() + "/" + System.mapLibraryName("nuvera_signing_jni");
        try (InputStream in = Native.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("nuvera-signing: no native library for " + platform()
                        + " in this jar (" + resource + "); set -D" + LIBRARY_PROPERTY + "=<path> to use another");
            }
            // System.load needs a file: copy the library out once per process.
            Path file = Files.createTempFile("nuvera-signing-", "-" + System.mapLibraryName("nuvera_signing_jni"));
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            System.load(file.toAbsolutePath().toString());
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("nuvera-signing: cannot extract " + resource + ": " + e);
            error.initCause(e);
            throw error;
        }
    }

    /** {@code linux-x86-64}, {@code linux-aarch64}, {@code darwin-aarch64}, …: the jar's resource folder. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("mac") || os.startsWith("darwin") ? "darwin" : os.startsWith("windows") ? "windows" : os.replace(' ', '-');
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86-64" : arch.equals("arm64") ? "aarch64" : arch;
        return o + "-" + a;
    }

    // handles: any object made by the native side, freed once by NativeHandle
    static native void free(long handle);

    // errors
    static native @Nullable String[] errorInfo(String code);
    static native String errorCodesJson();

    // keys
    static native long keyFromPem(byte[] pem, byte @Nullable [] passphrase) throws NuveraSigningException;
    static native long keyFromFile(String path, byte @Nullable [] passphrase) throws NuveraSigningException;
    static native String keyPublicPem(long key);
    static native String keyFingerprint(long key);
    static native String publicKeyFingerprint(String pem) throws NuveraSigningException;
    static native int keyBits(long key);

    // signing
    static native long signerNew(long privateOrRemoteKey, String apiKey, @Nullable Long lifetime, @Nullable String issuer,
            @Nullable String audience) throws NuveraSigningException;
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
    static native String[] signedTokenAndHeaders(long request);
    static native String[] signedClaims(long request);
    static native String signedProofJson(long request);

    // bodies and URLs
    static native String bodyHash(byte[] body);
    static native String bodyHashFile(String path) throws NuveraSigningException;
    static native String bodyHashStream(@Nullable String contentType, InputStream body) throws NuveraSigningException;
    static native String receivedBodyHash(@Nullable String contentType, byte[] body) throws NuveraSigningException;
    static native boolean isMultipartFormData(String contentType);
    static native String requestUri(String url) throws NuveraSigningException;
    static native String sendableUrl(String url) throws NuveraSigningException;

    // multipart
    static native long formNew(@Nullable String boundary) throws NuveraSigningException;
    static native void formAddField(long form, String name, String value) throws NuveraSigningException;
    static native void formAddFilePath(long form, String field, String path, @Nullable String fileName,
            @Nullable String mimeType) throws NuveraSigningException;
    static native void formAddFileBytes(long form, String field, String fileName, byte[] content,
            @Nullable String mimeType) throws NuveraSigningException;
    static native void formAddFileStream(long form, String field, String fileName, InputStream content,
            @Nullable String mimeType) throws NuveraSigningException;
    static native String formContentType(long form);
    static native String formBoundary(long form);
    static native String formCanonicalJson(long form) throws NuveraSigningException;
    static native String formBodyHash(long form) throws NuveraSigningException;
    static native Object[] formEncode(long form) throws NuveraSigningException;
    static native String formWriteToFile(long form, String path) throws NuveraSigningException;
    static native String multipartBodyHash(String contentType, byte[] body) throws NuveraSigningException;
    static native String multipartBodyHashFile(String contentType, String path) throws NuveraSigningException;
    static native String multipartCanonicalJson(String contentType, byte[] body) throws NuveraSigningException;

    // verify
    static native long verifierNew(@Nullable String registry, String format, @Nullable String baseDir, @Nullable String issuer, @Nullable String audience, @Nullable Long skew,
            @Nullable Long now, @Nullable String replayUrl, @Nullable String replayPrefix,
            @Nullable Long replayTimeoutMs, @Nullable Integer replayMaxConnections) throws NuveraSigningException;
    static native String[] verify(long verifier, String method, String target, @Nullable String apiKey,
            @Nullable String authorization, String bodyHash) throws NuveraSigningException;
    static native String[] verifyRequest(long verifier, String method, String target, String[] headers, byte[] body)
            throws NuveraSigningException;

    // explain
    static native @Nullable String[] explain(String method, String url, @Nullable String apiKey, @Nullable String contentType,
            byte[] body, String token, @Nullable String publicKeyPem, @Nullable Long now)
            throws NuveraSigningException;
    static native String supportBundle(String method, String url, String[] headers, @Nullable String apiKey,
            @Nullable String contentType, byte[] body, String token, int status, byte[] responseBody,
            @Nullable String application, @Nullable String publicKeyPem, @Nullable Long now)
            throws NuveraSigningException;

    // client policy (contract §8)
    static native long clockOffsetNew(long secs) throws NuveraSigningException;
    static native long clockOffsetSecs(long signerOrOffset) throws NuveraSigningException;
    static native long[] clientDefaults();
    static native int[] retryDefaultStatuses();
    static native String[] retryDefaultMethods(boolean includingPost);
    static native long exchangeNew(long signerOrOffset, @Nullable Integer maxRedirects, boolean correctClock, boolean retry,
            int @Nullable [] statuses, String @Nullable [] methods, @Nullable Integer maxAttempts,
            @Nullable Long baseDelayMs, @Nullable Long maxDelayMs, String method, String url, boolean hasBody,
            double @Nullable [] jitter) throws NuveraSigningException;
    static native @Nullable String[] exchangeFirst(long exchange) throws NuveraSigningException;
    static native @Nullable String[] exchangeOnResponse(long exchange, int status, String[] headers, byte @Nullable [] body,
            long sentAtMs, long receivedAtMs) throws NuveraSigningException;

    // remote keys
    static native long remoteKeyFromCallback(SignCallback callback, String publicKeyPem,
            @Nullable Boolean messageInput, @Nullable Long timeoutMs) throws NuveraSigningException;
    static native void remoteKeyCheck(long key) throws NuveraSigningException;
    static native String remoteKeyDescribe(long key) throws NuveraSigningException;
}
