package global.nuvera.signing;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A {@code multipart/form-data} body described by its parts. The core computes its canonical
 * object and {@code bodyHash}, and encodes it; files given by path are streamed, never loaded
 * whole. Calls on one form are serialized, so it is safe (if rarely useful) to share.
 *
 * <pre>{@code
 * try (MultipartForm form = MultipartForm.create()) {
 *     form.addField("type", "INCORPORATION").addFile("file", Path.of("cert.pdf"), "cert.pdf", "application/pdf");
 *     SignedRequest signed = signer.signMultipart("POST", url, form);
 *     EncodedForm body = form.encode();   // send body.getBody() with body.getContentType()
 * }
 * }</pre>
 */
public final class MultipartForm implements AutoCloseable {
    private final Handle<global.nuvera.signing.ffi.MultipartForm> handle;

    private MultipartForm(global.nuvera.signing.ffi.MultipartForm inner) {
        this.handle = new Handle<>(inner, "MultipartForm");
    }

    /** An empty form with a random boundary. */
    public static MultipartForm create() throws NuveraSigningException {
        return new MultipartForm(Ffi.call(() -> new global.nuvera.signing.ffi.MultipartForm((String) null)));
    }

    /** An empty form with {@code boundary} (tests; a bad boundary fails {@code MULTIPART_MALFORMED}). */
    public static MultipartForm withBoundary(String boundary) throws NuveraSigningException {
        Objects.requireNonNull(boundary, "boundary");
        return new MultipartForm(Ffi.call(() -> new global.nuvera.signing.ffi.MultipartForm(boundary)));
    }

    /** Adds a text field; returns this form. */
    public MultipartForm addField(String name, String value) throws NuveraSigningException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        global.nuvera.signing.ffi.MultipartForm f = handle.get();
        Ffi.call(() -> {
            f.addField(name, value);
            return null;
        });
        return this;
    }

    /** Adds the file at {@code path} under its own name, type {@code application/octet-stream}. */
    public MultipartForm addFile(String fieldName, Path path) throws NuveraSigningException {
        return addFile(fieldName, path, null, null);
    }

    /**
     * Adds the file at {@code path} (streamed when hashed or encoded); {@code fileName} and
     * {@code mimeType} may be {@code null} for the file's own name and {@code application/octet-stream}.
     */
    public MultipartForm addFile(String fieldName, Path path, String fileName, String mimeType)
            throws NuveraSigningException {
        Objects.requireNonNull(fieldName, "fieldName");
        Objects.requireNonNull(path, "path");
        global.nuvera.signing.ffi.MultipartForm f = handle.get();
        Ffi.call(() -> {
            f.addFilePath(fieldName, path.toString(), fileName, mimeType);
            return null;
        });
        return this;
    }

    /** Adds a file from memory; {@code mimeType} may be {@code null} ({@code application/octet-stream}). */
    public MultipartForm addFile(String fieldName, String fileName, byte[] content, String mimeType)
            throws NuveraSigningException {
        Objects.requireNonNull(fieldName, "fieldName");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(content, "content");
        global.nuvera.signing.ffi.MultipartForm f = handle.get();
        Ffi.call(() -> {
            f.addFileBytes(fieldName, fileName, content, mimeType);
            return null;
        });
        return this;
    }

    /**
     * Adds a file read from {@code content} in chunks (never held whole); {@code mimeType} may be
     * {@code null}. A stream can be read only once, so a form holding one can be hashed or encoded
     * once: use {@link #encode()} or {@link #writeTo(Path)}, which hash and encode in one pass (a
     * second pass fails with a clear error). The stream is not closed.
     */
    public MultipartForm addFile(String fieldName, String fileName, java.io.InputStream content, String mimeType)
            throws NuveraSigningException {
        Objects.requireNonNull(fieldName, "fieldName");
        Objects.requireNonNull(fileName, "fileName");
        InputStreamSource source = new InputStreamSource(Objects.requireNonNull(content, "content"));
        global.nuvera.signing.ffi.MultipartForm f = handle.get();
        Ffi.call(() -> {
            f.addFileSource(fieldName, fileName, source, mimeType);
            return null;
        });
        return this;
    }

    /** {@code multipart/form-data; boundary=…}: the Content-Type to send the encoded body with. */
    public String getContentType() throws NuveraSigningException {
        global.nuvera.signing.ffi.MultipartForm f = handle.get();
        return Ffi.call(f::contentType);
    }

    /** The boundary. */
    public String getBoundary() throws NuveraSigningException {
        global.nuvera.signing.ffi.MultipartForm f = handle.get();
        return Ffi.call(f::boundary);
    }

    /** The canonical object (contract §5) as compact JSON. */
    public String canonicalJson() throws NuveraSigningException {
        global.nuvera.signing.ffi.MultipartForm f = handle.get();
        return Ffi.call(f::canonicalJson);
    }

    /** The multipart {@code bodyHash}. */
    public String bodyHash() throws NuveraSigningException {
        global.nuvera.signing.ffi.MultipartForm f = handle.get();
        return Ffi.call(f::bodyHash);
    }

    /** Encodes the body in memory, with its canonical object and hash (one pass). */
    public EncodedForm encode() throws NuveraSigningException {
        global.nuvera.signing.ffi.MultipartForm f = handle.get();
        return new EncodedForm(Ffi.call(f::encode));
    }

    /**
     * Encodes the body into the file at {@code path} (created or truncated), streaming; returns the
     * canonical object's JSON of exactly the bytes written. For bodies too large for memory.
     */
    public String writeTo(Path path) throws NuveraSigningException {
        Objects.requireNonNull(path, "path");
        global.nuvera.signing.ffi.MultipartForm f = handle.get();
        return Ffi.call(() -> f.writeToFile(path.toString()));
    }

    global.nuvera.signing.ffi.MultipartForm inner() throws NuveraSigningException {
        return handle.get();
    }

    /** Frees the native form; later calls fail with {@code OBJECT_CLOSED}. */
    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return handle.isClosed() ? "MultipartForm[closed]" : "MultipartForm[]";
    }
}
