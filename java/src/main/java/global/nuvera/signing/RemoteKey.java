package global.nuvera.signing;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A signing key held elsewhere (contract §9), a cloud KMS reached through your
 * {@link SignCallback}, used like a {@link PrivateKey} ({@link Signer#create(RemoteKey, String)}).
 * The core runs the callback with a timeout (default 10 s) and verifies every signature against
 * the public key ({@code REMOTE_KEY_MISMATCH}, {@code REMOTE_SIGNER_FAILED}). Thread-safe.
 *
 * <pre>{@code
 * RemoteKey key = RemoteKey.fromCallback(digest -> kms.sign(digest), publicKeyPem);
 * key.check();                                   // at start-up: one probe signature, verified
 * Signer signer = Signer.create(key, apiKey);
 * }</pre>
 */
public final class RemoteKey extends NativeObject {
    private final String description;

    private RemoteKey(long pointer) throws NuveraSigningException {
        super(pointer);
        this.description = "RemoteKey[" + Native.remoteKeyDescribe(pointer) + "]";
    }

    /**
     * A key signing through {@code callback}, given the SHA-256 digest, with the core's 10 s
     * timeout. {@code publicKeyPem} is the key's public half (SPKI PEM, e.g. from KMS GetPublicKey).
     */
    public static RemoteKey fromCallback(SignCallback callback, String publicKeyPem) throws NuveraSigningException {
        return create(callback, publicKeyPem, null, null);
    }

    /**
     * A key signing through {@code callback}, given {@code input}, each call bounded by
     * {@code timeout} ({@code Duration.ZERO}: no bound, the callback runs on the signing thread).
     */
    public static RemoteKey fromCallback(SignCallback callback, String publicKeyPem, SignatureInput input,
            Duration timeout) throws NuveraSigningException {
        return create(callback, publicKeyPem, Objects.requireNonNull(input, "input"),
                Objects.requireNonNull(timeout, "timeout"));
    }

    private static RemoteKey create(SignCallback callback, String publicKeyPem, @Nullable SignatureInput input,
            @Nullable Duration timeout) throws NuveraSigningException {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(publicKeyPem, "publicKeyPem");
        return new RemoteKey(Native.remoteKeyFromCallback(new Bridge(callback), publicKeyPem,
                input == null ? null : input == SignatureInput.MESSAGE, timeout == null ? null : timeout.toMillis()));
    }

    /**
     * Signs a fixed probe through the callback and verifies it: {@code REMOTE_KEY_MISMATCH} when
     * the provider holds another key, {@code REMOTE_SIGNER_FAILED} when it cannot sign. Call it at
     * start-up to fail there rather than on a first request.
     */
    public void check() throws NuveraSigningException {
        handle.with(p -> {
            Native.remoteKeyCheck(p);
            return null;
        });
    }

    /** Names the provider, never a secret. */
    @Override
    public String toString() {
        return handle.isClosed() ? "RemoteKey[closed]" : description;
    }

    /**
     * What the native side calls: the callback's signature, or its failure as a {@code String}
     * (the exception's message), so that no exception has to cross into the core.
     */
    static final class Bridge {
        private final SignCallback callback;

        Bridge(SignCallback callback) {
            this.callback = callback;
        }

        Object invoke(byte[] input) {
            try {
                byte[] signature = callback.sign(input);
                return signature != null ? signature : "the callback returned null";
            } catch (Throwable t) {
                String message = t.getMessage();
                return message != null ? message : t.getClass().getName();
            }
        }
    }
}
