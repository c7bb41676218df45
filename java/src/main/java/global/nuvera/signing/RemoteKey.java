package global.nuvera.signing;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A signing key held elsewhere (contract §9), here a cloud KMS reached through your
 * {@link SignCallback}. Use it wherever a {@link PrivateKey} goes ({@link Signer#create(RemoteKey, String)});
 * the tokens are byte-identical to those of the same key in memory. The Rust core runs the
 * callback on a helper thread bounded by a timeout (default 10 s) and verifies every signature
 * against the public key before it goes into a token: another key's signature fails with
 * {@code REMOTE_KEY_MISMATCH}; a wrong length, an exception or a timeout with
 * {@code REMOTE_SIGNER_FAILED}. Thread-safe.
 *
 * <pre>{@code
 * RemoteKey key = RemoteKey.fromCallback(digest -> kms.sign(digest), publicKeyPem);
 * key.check();                                   // at start-up: one probe signature, verified
 * Signer signer = Signer.create(key, apiKey);
 * }</pre>
 */
public final class RemoteKey extends NativeObject {
    private RemoteKey(long pointer) {
        super(pointer);
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

    @Override
    public String toString() {
        if (handle.isClosed()) {
            return "RemoteKey[closed]";
        }
        try {
            return "RemoteKey[" + handle.with(Native::remoteKeyDescribe) + "]";
        } catch (NuveraSigningException e) {
            return "RemoteKey[closed]";
        }
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
