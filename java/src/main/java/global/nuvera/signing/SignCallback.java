package global.nuvera.signing;

/**
 * Signs for a {@link RemoteKey}: given the SHA-256 digest of the JWS signing input (or the signing
 * input itself, see {@link SignatureInput}), returns the raw RSASSA-PKCS1-v1_5 signature bytes
 * (as many as the key's modulus, 256 for RSA-2048; not base64, not DER-wrapped). Usable from a
 * lambda: {@code digest -> kms.sign(digest)}.
 *
 * <p>It runs on a native helper thread (attached to the JVM) with the key's timeout. Anything it
 * throws fails the signing with {@code REMOTE_SIGNER_FAILED} and the exception's message, so the
 * message must not carry a credential.
 */
@FunctionalInterface
public interface SignCallback {
    /** The signature of {@code input}. */
    byte[] sign(byte[] input) throws Exception;
}
