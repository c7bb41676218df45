package global.nuvera.signing;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A signing key held elsewhere (contract §9, a cloud KMS) reached through your {@link SignCallback};
 * every signature is verified against the public key. Thread-safe.
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

    /** A key signing the SHA-256 digest through {@code callback} within 10 s; {@code publicKeyPem}: its public half. */
    public static RemoteKey fromCallback(SignCallback callback, String publicKeyPem) throws NuveraSigningException {
        return create(callback, publicKeyPem, null, null);
    }

    /** A key signing {@code input} through {@code callback} within {@code timeout} ({@code ZERO}: no bound). */
    public static RemoteKey fromCallback(SignCallback callback, String publicKeyPem, SignatureInput input,
            Duration timeout) throws NuveraSigningException {
        return create(callback, publicKeyPem, Objects.requireNonNull(input, "input"),
                Objects.requireNonNull(timeout, "timeout"));
    }

    private static RemoteKey create(SignCallback callback, String publicKeyPem, @Nullable SignatureInput input,
            @Nullable Duration timeout) throws NuveraSigningException {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(publicKeyPem, "publicKeyPem");
        return new RemoteKey(Native.remoteKeyFromCallback(callback, publicKeyPem,
                input == null ? null : input == SignatureInput.MESSAGE, timeout == null ? null : timeout.toMillis()));
    }

    /** Signs and verifies a probe, to fail at start-up rather than on a first request. */
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
}
