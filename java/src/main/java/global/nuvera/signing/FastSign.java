package global.nuvera.signing;

import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The per-request signing call without the generated glue: {@code nuvera_signing_fast_sign}
 * (bindings/uniffi/src/lib.rs) through JNA direct mapping, with byte arrays in and one byte array
 * out. Through the generated Kotlin each argument and result is a JNA {@code Structure}
 * (a RustBuffer) allocated by reflection, which cost about 270 µs a signature on the test machine,
 * a quarter of the RSA work. Everything else (and signing with pinned options) takes the generated
 * path. If the symbols cannot be bound, {@link #AVAILABLE} is false and nothing changes.
 */
final class FastSign {
    static final int OK = 0;
    static final int ERROR = 1;
    static final int TOO_SMALL = 2;
    static final int PANIC = 3;
    /** Handle and token length (two native-order u64) before the token. */
    static final int HEADER = 16;
    /** Tokens that fit; longer ones (very long URLs) are signed through the generated path. */
    static final int OUT_CAPACITY = HEADER + 4096;

    static final boolean AVAILABLE = register();

    private FastSign() {}

    private static boolean register() {
        // The same library name the generated bindings load (and JNA caches), honouring their override.
        String library = System.getProperty("uniffi.component.nuvera_signing_uniffi.libraryOverride", "nuvera_signing_uniffi");
        try {
            Native.register(FastSign.class, library);
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    static native int nuvera_signing_fast_sign(long signer, byte[] method, long methodLen, byte[] url, long urlLen,
            byte[] body, long bodyLen, byte hasBody, byte[] out, long outCap);

    static native void nuvera_signing_fast_release_signer(long signer);

    /** Signs through the fast call; {@code null} when the token did not fit (use the generated path). */
    static SignedRequest sign(long signer, String method, String url, byte[] body) throws NuveraSigningException {
        byte[] m = method.getBytes(StandardCharsets.UTF_8);
        byte[] u = url.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[OUT_CAPACITY];
        int status = nuvera_signing_fast_sign(signer, m, m.length, u, u.length, body, body == null ? 0 : body.length,
                (byte) (body == null ? 0 : 1), out, out.length);
        switch (status) {
            case OK: {
                ByteBuffer header = ByteBuffer.wrap(out, 0, HEADER).order(ByteOrder.nativeOrder());
                long handle = header.getLong();
                int length = (int) header.getLong();
                String token = new String(out, HEADER, length, StandardCharsets.US_ASCII);
                return new SignedRequest(new global.nuvera.signing.ffi.SignedRequest(
                        global.nuvera.signing.ffi.UniffiWithHandle.INSTANCE, handle), token);
            }
            case ERROR: {
                String text = cString(out);
                int newline = text.indexOf('\n');
                throw newline < 0 ? new NuveraSigningException("INTERNAL_ERROR", text)
                        : new NuveraSigningException(text.substring(0, newline), text.substring(newline + 1));
            }
            case TOO_SMALL:
                return null;
            default:
                throw new NuveraSigningException("INTERNAL_ERROR", "unexpected failure in the native core: " + cString(out));
        }
    }

    private static String cString(byte[] out) {
        int end = 0;
        while (end < out.length && out[end] != 0) {
            end++;
        }
        return new String(out, 0, end, StandardCharsets.UTF_8);
    }
}
