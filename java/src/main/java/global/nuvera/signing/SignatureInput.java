package global.nuvera.signing;

/** What a {@link SignCallback} is given to sign. */
public enum SignatureInput {
    /** The SHA-256 digest of the JWS signing input (KMS "digest" signing); the default. */
    DIGEST,
    /** The JWS signing input itself ({@code b64(header).b64(payload)}); the provider hashes it. */
    MESSAGE
}
