package global.nuvera.signing;

/** What a {@link SignCallback} is given to sign. */
public enum SignatureInput {
    /**
     * The 32-byte SHA-256 digest of the JWS signing input (AWS KMS {@code MessageType.DIGEST},
     * Google Cloud KMS {@code Digest.sha256}): only 32 bytes leave the process. The default.
     */
    DIGEST,
    /** The JWS signing input itself ({@code b64(header).b64(payload)}); the provider hashes it. */
    MESSAGE
}
