package global.nuvera.signing;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/** A parsed RSA private key (PKCS#8, PKCS#1 or encrypted PKCS#8 PEM); immutable and thread-safe. */
public final class PrivateKey extends NativeObject {
    private final String description;

    private PrivateKey(long pointer) {
        super(pointer);
        this.description = "PrivateKey[RSA " + Native.keyBits(pointer) + " bits, " + Native.keyFingerprint(pointer) + "]";
    }

    /** Parses PEM text; literal {@code \n} sequences (as in environment variables) are accepted. */
    public static PrivateKey fromPem(String pem) throws NuveraSigningException {
        return fromPem(Objects.requireNonNull(pem, "pem").getBytes(StandardCharsets.UTF_8));
    }

    /** Parses an encrypted PKCS#8 PEM with {@code passphrase}. */
    public static PrivateKey fromPem(String pem, char[] passphrase) throws NuveraSigningException {
        return fromPem(Objects.requireNonNull(pem, "pem").getBytes(StandardCharsets.UTF_8), passphrase);
    }

    /** Parses PEM bytes. */
    public static PrivateKey fromPem(byte[] pem) throws NuveraSigningException {
        return new PrivateKey(Native.keyFromPem(Objects.requireNonNull(pem, "pem"), null));
    }

    /** Parses encrypted PEM bytes with {@code passphrase}. */
    public static PrivateKey fromPem(byte[] pem, char[] passphrase) throws NuveraSigningException {
        Objects.requireNonNull(pem, "pem");
        return withSecret(passphrase, secret -> Native.keyFromPem(pem, secret));
    }

    /** Reads and parses the PEM file at {@code path}. */
    public static PrivateKey fromFile(Path path) throws NuveraSigningException {
        return new PrivateKey(Native.keyFromFile(Objects.requireNonNull(path, "path").toString(), null));
    }

    /** Reads and parses the encrypted PEM file at {@code path} with {@code passphrase}. */
    public static PrivateKey fromFile(Path path, char[] passphrase) throws NuveraSigningException {
        String p = Objects.requireNonNull(path, "path").toString();
        return withSecret(passphrase, secret -> Native.keyFromFile(p, secret));
    }

    /** The public key as SPKI PEM ({@code -----BEGIN PUBLIC KEY-----}), to register with Nuvera. */
    public String publicKeyPem() throws NuveraSigningException {
        return handle.with(Native::keyPublicPem);
    }

    /** {@code SHA256:<hex>} of the public key's DER: names the key in logs and proofs. */
    public String fingerprint() throws NuveraSigningException {
        return handle.with(Native::keyFingerprint);
    }

    /** Modulus size in bits. */
    public int bits() throws NuveraSigningException {
        return handle.with(Native::keyBits);
    }

    /** Size and fingerprint only. */
    @Override
    public String toString() {
        return handle.isClosed() ? "PrivateKey[closed]" : description;
    }

    @FunctionalInterface
    private interface Parse {
        long apply(byte[] passphrase) throws NuveraSigningException;
    }

    /** A key parsed by {@code parse} with the passphrase as UTF-8, every copy of which is zeroed after. */
    private static PrivateKey withSecret(char[] passphrase, Parse parse)
            throws NuveraSigningException {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(Objects.requireNonNull(passphrase, "passphrase")));
        byte[] secret = new byte[encoded.remaining()];
        encoded.get(secret);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        try {
            return new PrivateKey(parse.apply(secret));
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
