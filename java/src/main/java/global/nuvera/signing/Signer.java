package global.nuvera.signing;

import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Signs requests for one API key with one {@link PrivateKey}. Thread-safe: build one at start-up
 * and share it across request threads.
 *
 * <pre>{@code
 * try (PrivateKey key = PrivateKey.fromFile(Path.of("nuvera-private.pem"));
 *      Signer signer = Signer.builder(key, System.getenv("NUVERA_API_KEY")).build()) {
 *     SignedRequest signed = signer.sign("POST", "https://api.nuvera.global/api/v1/customers", json);
 *     signed.getHeaders().forEach(request::header);
 * }
 * }</pre>
 *
 * <p>Every {@code sign} method computes the {@code uri} and {@code bodyHash} claims from what you
 * pass: send exactly that URL and those bytes. The HTTP helpers ({@link NuveraHttpClient},
 * {@link NuveraOkHttpInterceptor}) do it for you.
 */
public final class Signer implements AutoCloseable {
    private final Handle<global.nuvera.signing.ffi.Signer> handle;
    private static final Cleaner CLEANER = Cleaner.create();

    // A second strong reference to the native signer for FastSign (0 when that path is off),
    // released once: by close() when no fast call is running (the lock's read side is the calls),
    // or by the cleaner when this Signer is collected without being closed.
    private final long fastHandle;
    private final FastRelease fastRelease;
    private final Cleaner.Cleanable fastCleanable;
    private final ReentrantReadWriteLock fastCalls = new ReentrantReadWriteLock();

    private Signer(global.nuvera.signing.ffi.Signer inner) {
        this.handle = new Handle<>(inner, "Signer");
        this.fastHandle = FastSign.AVAILABLE ? inner.uniffiCloneHandle() : 0;
        this.fastRelease = new FastRelease(fastHandle);
        this.fastCleanable = CLEANER.register(this, fastRelease);
    }

    /** Releases the fast path's reference; must not refer to the Signer (the cleaner's rule). */
    private static final class FastRelease implements Runnable {
        private final long handle;
        private final AtomicBoolean released = new AtomicBoolean();

        FastRelease(long handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            if (released.compareAndSet(false, true) && handle != 0) {
                FastSign.nuvera_signing_fast_release_signer(handle);
            }
        }
    }

    /** A signer with the contract's defaults (lifetime 55 s, {@code nuvera-api}, {@code nuvera-rest-api}). */
    public static Signer create(PrivateKey key, String apiKey) throws NuveraSigningException {
        return builder(key, apiKey).build();
    }

    /** A builder for a signer with non-default options. */
    public static Builder builder(PrivateKey key, String apiKey) {
        return new Builder(key, apiKey);
    }

    /** Options of a {@link Signer}. */
    public static final class Builder {
        private final PrivateKey key;
        private final String apiKey;
        private Integer lifetimeSeconds;
        private String issuer;
        private String audience;

        private Builder(PrivateKey key, String apiKey) {
            this.key = Objects.requireNonNull(key, "key");
            this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        }

        /** Token lifetime, 1 to 60 seconds (default 55); others fail {@code INVALID_LIFETIME}. */
        public Builder lifetimeSeconds(int seconds) {
            this.lifetimeSeconds = seconds;
            return this;
        }

        /** Token lifetime in whole seconds, 1 to 60 (default 55). */
        public Builder lifetime(Duration lifetime) {
            this.lifetimeSeconds = Ffi.wholeSeconds(Objects.requireNonNull(lifetime, "lifetime"));
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
            global.nuvera.signing.ffi.PrivateKey k = key.inner();
            return new Signer(Ffi.call(
                    () -> new global.nuvera.signing.ffi.Signer(k, apiKey, lifetimeSeconds, issuer, audience)));
        }
    }

    /** Signs a request without a body (GET, DELETE, …). */
    public SignedRequest sign(String method, String url) throws NuveraSigningException {
        return sign(method, url, (byte[]) null, SignOptions.defaults());
    }

    /** Signs a request whose body is exactly {@code body} ({@code null}: no body). */
    public SignedRequest sign(String method, String url, byte[] body) throws NuveraSigningException {
        return sign(method, url, body, SignOptions.defaults());
    }

    /** Signs a request whose body is {@code body} encoded as UTF-8 ({@code null}: no body). */
    public SignedRequest sign(String method, String url, String body) throws NuveraSigningException {
        return sign(method, url, body == null ? null : body.getBytes(StandardCharsets.UTF_8), SignOptions.defaults());
    }

    /** Signs a request whose body is exactly {@code body}, with pinned {@code options}. */
    public SignedRequest sign(String method, String url, byte[] body, SignOptions options)
            throws NuveraSigningException {
        check(method, url, options);
        if (fastHandle != 0 && options == SignOptions.defaults()) {
            SignedRequest fast = signFast(method, url, body);
            if (fast != null) {
                return fast;
            }
        }
        global.nuvera.signing.ffi.Signer s = handle.get();
        return new SignedRequest(Ffi.call(() -> s.sign(method, url, body, options.issuedAt(), options.jti())));
    }

    /** Signs a request whose body is the content of the file at {@code file} (streamed, never loaded whole). */
    public SignedRequest sign(String method, String url, Path file) throws NuveraSigningException {
        return sign(method, url, file, SignOptions.defaults());
    }

    /** Signs a request whose body is the file at {@code file}, with pinned {@code options}. */
    public SignedRequest sign(String method, String url, Path file, SignOptions options)
            throws NuveraSigningException {
        check(method, url, options);
        Objects.requireNonNull(file, "file");
        global.nuvera.signing.ffi.Signer s = handle.get();
        return new SignedRequest(
                Ffi.call(() -> s.signFile(method, url, file.toString(), options.issuedAt(), options.jti())));
    }

    /**
     * Signs a request whose body is everything left in {@code body}, read in chunks (memory stays
     * flat). The stream is consumed: send the same bytes from another source.
     */
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
        check(method, url, options);
        Objects.requireNonNull(bodyHash, "bodyHash");
        global.nuvera.signing.ffi.Signer s = handle.get();
        return new SignedRequest(
                Ffi.call(() -> s.signPrecomputed(method, url, bodyHash, options.issuedAt(), options.jti())));
    }

    /** Signs a multipart request described by {@code form} (send {@code form.encode()}'s bytes). */
    public SignedRequest signMultipart(String method, String url, MultipartForm form) throws NuveraSigningException {
        return signMultipart(method, url, form, SignOptions.defaults());
    }

    /** Signs a multipart request described by {@code form}, with pinned {@code options}. */
    public SignedRequest signMultipart(String method, String url, MultipartForm form, SignOptions options)
            throws NuveraSigningException {
        check(method, url, options);
        global.nuvera.signing.ffi.MultipartForm f = Objects.requireNonNull(form, "form").inner();
        global.nuvera.signing.ffi.Signer s = handle.get();
        return new SignedRequest(
                Ffi.call(() -> s.signMultipart(method, url, f, options.issuedAt(), options.jti())));
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
        check(method, url, options);
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        global.nuvera.signing.ffi.Signer s = handle.get();
        return new SignedRequest(Ffi.call(
                () -> s.signMultipartWire(method, url, contentType, body, options.issuedAt(), options.jti())));
    }

    private SignedRequest signFast(String method, String url, byte[] body) throws NuveraSigningException {
        fastCalls.readLock().lock();
        try {
            if (fastRelease.released.get()) {
                throw Ffi.closed("Signer");
            }
            return FastSign.sign(fastHandle, method, url, body);
        } finally {
            fastCalls.readLock().unlock();
        }
    }

    /** Frees the native signer; later calls fail with {@code OBJECT_CLOSED}. */
    @Override
    public void close() {
        fastCalls.writeLock().lock();
        try {
            fastCleanable.clean();
        } finally {
            fastCalls.writeLock().unlock();
        }
        handle.close();
    }

    /** Never shows the API key or the key. */
    @Override
    public String toString() {
        return handle.isClosed() ? "Signer[closed]" : "Signer[]";
    }

    private static void check(String method, String url, SignOptions options) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
    }
}
