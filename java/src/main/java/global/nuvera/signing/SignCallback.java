package global.nuvera.signing;

/**
 * Signs for a {@link RemoteKey}: the raw RSASSA-PKCS1-v1_5 signature (not base64, not DER) of the
 * {@link SignatureInput}. What it throws is {@code REMOTE_SIGNER_FAILED} with its message (keep
 * credentials out of it).
 */
@FunctionalInterface
public interface SignCallback {
    /** The signature of {@code input}. */
    byte[] sign(byte[] input) throws Exception;
}
