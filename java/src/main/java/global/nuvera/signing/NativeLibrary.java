package global.nuvera.signing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The loading of {@code bindings/jni}'s library from this jar, run once by {@link Native}'s static
 * initializer (that class is generated from the Rust entry points; this one is written by hand).
 */
final class NativeLibrary {
    /** Set to a path to load that library instead of the one inside the jar. */
    static final String LIBRARY_PROPERTY = "nuvera.signing.library";

    private NativeLibrary() {}

    static void load() {
        String override = System.getProperty(LIBRARY_PROPERTY);
        if (override != null) {
            System.load(Path.of(override).toAbsolutePath().toString());
            return;
        }
        String resource = "/global/nuvera/signing/native/" + platform() + "/" + System.mapLibraryName("nuvera_signing_jni");
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("nuvera-signing: no native library for " + platform()
                        + " in this jar (" + resource + "); set -D" + LIBRARY_PROPERTY + "=<path> to use another");
            }
            // System.load needs a file: copy the library out once per process.
            Path file = Files.createTempFile("nuvera-signing-", "-" + System.mapLibraryName("nuvera_signing_jni"));
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            System.load(file.toAbsolutePath().toString());
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("nuvera-signing: cannot extract " + resource + ": " + e);
            error.initCause(e);
            throw error;
        }
    }

    /** {@code linux-x86-64}, {@code linux-aarch64}, {@code darwin-aarch64}, …: the jar's resource folder. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("mac") || os.startsWith("darwin") ? "darwin" : os.startsWith("windows") ? "windows" : os.replace(' ', '-');
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86-64" : arch.equals("arm64") ? "aarch64" : arch;
        return o + "-" + a;
    }
}
