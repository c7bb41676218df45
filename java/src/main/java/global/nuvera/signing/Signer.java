package global.nuvera.signing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.jspecify.annotations.Nullable;

/**
 * Signs requests for one API key with one key; thread-safe, so build one at start-up and share it.
 * Each {@code sign} method derives the {@code uri} and {@code bodyHash} claims from what you pass:
 * send exactly that URL and those bytes ({@link NuveraHttpClient} and
 * {@link NuveraOkHttpInterceptor} do it for you).
 */
public final class Signer extends NativeObject {
    private Signer(long pointer) {
        super(pointer);
    }

    /** A signer with the contract's defaults (lifetime 55 s, {@code nuvera-api}, {@code nuvera-rest-api}). */
    public static Signer create(PrivateKey key, String apiKey) throws NuveraSigningException {
        return builder(key, apiKey).build();
    }

    /** A signer with the contract's defaults over a key held elsewhere (a KMS, see {@link RemoteKey}). */
    public static Signer create(RemoteKey key, String apiKey) throws NuveraSigningException {
        return builder(key, apiKey).build();
    }

    /** A builder for a signer with non-default options. */
    public static Builder builder(PrivateKey key, String apiKey) {
        return new Builder(Objects.requireNonNull(key, "key"), apiKey);
    }

    /** A builder for a signer with non-default options over a remote key. */
    public static Builder builder(RemoteKey key, String apiKey) {
        return new Builder(Objects.requireNonNull(key, "key"), apiKey);
    }

    /** Options of a {@link Signer}; unset options take the core's defaults. */
    public static final class Builder {
        private final NativeObject key;
        private final String apiKey;
        private @Nullable Long lifetimeSeconds;
        private @Nullable String issuer;
        private @Nullable String audience;

        private Builder(NativeObject key, String apiKey) {
            this.key = key;
            this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        }

        /** Token lifetime, 1 to 60 seconds (default 55); others fail {@code INVALID_LIFETIME}. */
        public Builder lifetimeSeconds(long seconds) {
            this.lifetimeSeconds = seconds;
            return this;
        }

        /** Token lifetime in whole seconds, 1 to 60 (default 55). */
        public Builder lifetime(Duration lifetime) {
            this.lifetimeSeconds = Objects.requireNonNull(lifetime, "lifetime").getSeconds();
            return this;
        }

        /** The {@code iss} claim (default {@code nuvera-api}). */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** The {@code aud} claim (default {@code nuvera-rest-api}). */
        public Builder audience(String audience) {
            this.audience = Objects.requireNonNull(audience, "audience");
            return this;
        }

        /** The signer; a bad API key or lifetime fails here with its code. */
        public Signer build() throws NuveraSigningException {
            return key.handle.with(k -> new Signer(Native.signerNew(k, apiKey, lifetimeSeconds, issuer, audience)));
        }
    }

    /** One native signing call, given the signer's pointer and the per-call overrides. */
    @FunctionalInterface
    private interface SignCall {
        long run(long signer, @Nullable Long iat, @Nullable String jti) throws NuveraSigningException;
    }

    private SignedRequest call(String method, String url, SignOptions options, SignCall call)
            throws NuveraSigningException {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        return handle.with(s -> new SignedRequest(call.run(s, options.issuedAt(), options.jti())));
    }

    /** Signs a request without a body (GET, DELETE, …). */
    public SignedRequest sign(String method, String url) throws NuveraSigningException {
        return sign(method, url, (byte @Nullable []) null, SignOptions.defaults());
    }

    /** Signs a request whose body is exactly {@code body} ({@code null}: no body). */
    public SignedRequest sign(String method, String url, byte @Nullable [] body) throws NuveraSigningException {
        return sign(method, url, body, SignOptions.defaults());
    }

    /** Signs a request whose body is {@code body} encoded as UTF-8 ({@code null}: no body). */
    public SignedRequest sign(String method, String url, @Nullable String body) throws NuveraSigningException {
        return sign(method, url, body == null ? null : body.getBytes(StandardCharsets.UTF_8), SignOptions.defaults());
    }

    /** Signs a request whose body is exactly {@code body} ({@code null}: no body), with pinned {@code options}. */
    public SignedRequest sign(String method, String url, byte @Nullable [] body, SignOptions options)
            throws NuveraSigningException {
        return call(method, url, options,
                (s, iat, jti) -> Native.sign(s, method, url, null, body, iat, jti));
    }

    /** Signs {@code body} hashed as the core does for {@code contentType} (multipart: canonical object). */
    public SignedRequest signWithContentType(String method, String url, @Nullable String contentType, byte[] body)
            throws NuveraSigningException {
        return signWithContentType(method, url, contentType, body, SignOptions.defaults());
    }

    /** As {@link #signWithContentType(String, String, String, byte[])}, with pinned {@code options}. */
    public SignedRequest signWithContentType(String method, String url, @Nullable String contentType, byte[] body,
            SignOptions options) throws NuveraSigningException {
        Objects.requireNonNull(body, "body");
        return call(method, url, options,
                (s, iat, jti) -> Native.sign(s, method, url, contentType, body, iat, jti));
    }

    /** Signs a request whose body is the content of the file at {@code file} (streamed, never loaded whole). */
    public SignedRequest sign(String method, String url, Path file) throws NuveraSigningException {
        return sign(method, url, file, SignOptions.defaults());
    }

    /** Signs a request whose body is the file at {@code file}, with pinned {@code options}. */
    public SignedRequest sign(String method, String url, Path file, SignOptions options)
            throws NuveraSigningException {
        return signWithContentType(method, url, null, file, options);
    }

    /** Signs the file at {@code file} hashed as the core does for {@code contentType}, streamed. */
    public SignedRequest signWithContentType(String method, String url, @Nullable String contentType, Path file)
            throws NuveraSigningException {
        return signWithContentType(method, url, contentType, file, SignOptions.defaults());
    }

    /** As {@link #signWithContentType(String, String, String, Path)}, with pinned {@code options}. */
    public SignedRequest signWithContentType(String method, String url, @Nullable String contentType, Path file,
            SignOptions options) throws NuveraSigningException {
        String path = Objects.requireNonNull(file, "file").toString();
        return call(method, url, options,
                (s, iat, jti) -> Native.signFile(s, method, url, contentType, path, iat, jti));
    }

    /** Signs the rest of {@code body}, read in chunks; consumed, not closed: send the same bytes. */
    public SignedRequest sign(String method, String url, InputStream body) throws NuveraSigningException {
        return signWithBodyHash(method, url, NuveraSigning.bodyHash(body), SignOptions.defaults());
    }

    /** Signs with a {@code bodyHash} computed elsewhere (64 lowercase hex digits). */
    public SignedRequest signWithBodyHash(String method, String url, String bodyHash) throws NuveraSigningException {
        return signWithBodyHash(method, url, bodyHash, SignOptions.defaults());
    }

    /** Signs with a {@code bodyHash} computed elsewhere, with pinned {@code options}. */
    public SignedRequest signWithBodyHash(String method, String url, String bodyHash, SignOptions options)
            throws NuveraSigningException {
        Objects.requireNonNull(bodyHash, "bodyHash");
        return call(method, url, options,
                (s, iat, jti) -> Native.signPrecomputed(s, method, url, bodyHash, iat, jti));
    }

    /** Signs a multipart request described by {@code form} (send {@code form.encode()}'s bytes). */
    public SignedRequest signMultipart(String method, String url, MultipartForm form) throws NuveraSigningException {
        return signMultipart(method, url, form, SignOptions.defaults());
    }

    /** Signs a multipart request described by {@code form}, with pinned {@code options}. */
    public SignedRequest signMultipart(String method, String url, MultipartForm form, SignOptions options)
            throws NuveraSigningException {
        return Objects.requireNonNull(form, "form").handle.with(pointer -> call(method, url, options,
                (s, iat, jti) -> Native.signMultipart(s, method, url, pointer, iat, jti)));
    }

    /** Signs an already encoded {@code multipart/form-data} body sent with {@code contentType}. */
    public SignedRequest signMultipartBody(String method, String url, String contentType, byte[] body)
            throws NuveraSigningException {
        return signMultipartBody(method, url, contentType, body, SignOptions.defaults());
    }

    /** Signs an encoded multipart body, with pinned {@code options}. */
    public SignedRequest signMultipartBody(
            String method, String url, String contentType, byte[] body, SignOptions options)
            throws NuveraSigningException {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        return call(method, url, options,
                (s, iat, jti) -> Native.signMultipartWire(s, method, url, contentType, body, iat, jti));
    }

    /** Signs on the common {@link ForkJoinPool}; a failure is a {@link CompletionException}'s cause. */
    public CompletableFuture<SignedRequest> signAsync(String method, String url, byte @Nullable [] body) {
        return signAsync(method, url, body, ForkJoinPool.commonPool());
    }

    /** As {@link #signAsync(String, String, byte[])}, on {@code executor}. */
    public CompletableFuture<SignedRequest> signAsync(String method, String url, byte @Nullable [] body,
            Executor executor) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(executor, "executor");
        return CompletableFuture.supplyAsync(() -> {
            try {
                return sign(method, url, body);
            } catch (NuveraSigningException e) {
                throw new CompletionException(e);
            }
        }, executor);
    }

    /** Seconds this signer adds to its clock: 0 until an HTTP integration corrects it (contract §8). */
    public long clockOffsetSeconds() throws NuveraSigningException {
        return handle.with(Native::clockOffsetSecs);
    }
}
