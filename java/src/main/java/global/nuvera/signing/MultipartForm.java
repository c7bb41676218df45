package global.nuvera.signing;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@code multipart/form-data} body described by its parts, hashed and encoded by the core; files
 * given by path or {@code InputStream} are streamed. Calls on one form are serialized.
 *
 * <pre>{@code
 * try (MultipartForm form = MultipartForm.create()) {
 *     form.addField("type", "INCORPORATION").addFile("file", Path.of("cert.pdf"), "cert.pdf", "application/pdf");
 *     SignedRequest signed = signer.signMultipart("POST", url, form);
 *     EncodedForm body = form.encode();   // send body.getBody() with body.getContentType()
 * }
 * }</pre>
 */
public final class MultipartForm extends NativeObject {
    private MultipartForm(long pointer) {
        super(pointer);
    }

    /** An empty form with a random boundary. */
    public static MultipartForm create() throws NuveraSigningException {
        return new MultipartForm(Native.formNew(null));
    }

    /** An empty form with {@code boundary} (tests; a bad boundary fails {@code MULTIPART_MALFORMED}). */
    public static MultipartForm withBoundary(String boundary) throws NuveraSigningException {
        return new MultipartForm(Native.formNew(Objects.requireNonNull(boundary, "boundary")));
    }

    /** Adds a text field; returns this form. */
    public MultipartForm addField(String name, String value) throws NuveraSigningException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        return handle.with(f -> {
            Native.formAddField(f, name, value);
            return this;
        });
    }

    /** Adds the file at {@code path} under its own name, type {@code application/octet-stream}. */
    public MultipartForm addFile(String fieldName, Path path) throws NuveraSigningException {
        return addFile(fieldName, path, null, null);
    }

    /** Adds the file at {@code path}; {@code null}s: its own name, {@code application/octet-stream}. */
    public MultipartForm addFile(String fieldName, Path path, @Nullable String fileName, @Nullable String mimeType)
            throws NuveraSigningException {
        Objects.requireNonNull(fieldName, "fieldName");
        String p = Objects.requireNonNull(path, "path").toString();
        return handle.with(f -> {
            Native.formAddFilePath(f, fieldName, p, fileName, mimeType);
            return this;
        });
    }

    /** Adds a file from memory; {@code mimeType} may be {@code null} ({@code application/octet-stream}). */
    public MultipartForm addFile(String fieldName, String fileName, byte[] content, @Nullable String mimeType)
            throws NuveraSigningException {
        Objects.requireNonNull(fieldName, "fieldName");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(content, "content");
        return handle.with(f -> {
            Native.formAddFileBytes(f, fieldName, fileName, content, mimeType);
            return this;
        });
    }

    /** Adds a file read from {@code content} in chunks, not closed; such a form is hashed or encoded once. */
    public MultipartForm addFile(String fieldName, String fileName, InputStream content, @Nullable String mimeType)
            throws NuveraSigningException {
        Objects.requireNonNull(fieldName, "fieldName");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(content, "content");
        return handle.with(f -> {
            Native.formAddFileStream(f, fieldName, fileName, content, mimeType);
            return this;
        });
    }

    /** {@code multipart/form-data; boundary=…}: the Content-Type to send the encoded body with. */
    public String getContentType() throws NuveraSigningException {
        return handle.with(Native::formContentType);
    }

    /** The boundary. */
    public String getBoundary() throws NuveraSigningException {
        return handle.with(Native::formBoundary);
    }

    /** The canonical object (contract §5) as compact JSON. */
    public String canonicalJson() throws NuveraSigningException {
        return handle.with(Native::formCanonicalJson);
    }

    /** The multipart {@code bodyHash}. */
    public String bodyHash() throws NuveraSigningException {
        return handle.with(Native::formBodyHash);
    }

    /** Encodes the body in memory, with its canonical object and hash (one pass). */
    public EncodedForm encode() throws NuveraSigningException {
        return new EncodedForm(handle.with(Native::formEncode));
    }

    /** Encodes the body into the file at {@code path}, streaming; returns the canonical object's JSON. */
    public String writeTo(Path path) throws NuveraSigningException {
        String p = Objects.requireNonNull(path, "path").toString();
        return handle.with(f -> Native.formWriteToFile(f, p));
    }
}
