package global.nuvera.signing;

import global.nuvera.signing.ffi.ByteSource;
import global.nuvera.signing.ffi.NuveraException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** An {@code InputStream} as the core's chunked byte source: the core pulls at most 64 KiB per call. */
final class InputStreamSource implements ByteSource {
    private final InputStream in;

    InputStreamSource(InputStream in) {
        this.in = in;
    }

    @Override
    public byte[] read(int maxLen) {
        byte[] buffer = new byte[Math.max(1, Math.min(maxLen, NuveraSigning.STREAM_CHUNK))];
        try {
            int n;
            do {
                n = in.read(buffer);
            } while (n == 0);
            if (n < 0) {
                return new byte[0];
            }
            return n == buffer.length ? buffer : Arrays.copyOf(buffer, n);
        } catch (IOException e) {
            throw Ffi.<RuntimeException>sneaky(
                    new NuveraException.Signing("IO_ERROR", "cannot read the part's InputStream: " + e.getMessage()));
        } catch (RuntimeException e) {
            throw Ffi.<RuntimeException>sneaky(
                    new NuveraException.Signing("IO_ERROR", "the part's InputStream failed: " + e));
        }
    }
}
