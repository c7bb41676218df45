package global.nuvera.signing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A request for {@link NuveraHttpClient}: method, URL, body and extra headers. The client builds
 * the exact body bytes, signs them and sends them, so the signature always matches what is sent.
 * Immutable; build it with {@link #get}, {@link #post}, … and the {@code with…}/{@code body…}
 * methods.
 *
 * <pre>{@code
 * NuveraRequest.post("https://api.nuvera.global/api/v1/customers").json("{\"companyName\":\"Acme\"}")
 * }</pre>
 */
public final class NuveraRequest {
    enum Kind { NONE, BYTES, FILE, MULTIPART }

    /** What {@link NuveraHttpClient} sends. */
    record Parts(String method, String url, Kind kind, byte @Nullable [] bytes, @Nullable Path file,
            @Nullable MultipartForm form, @Nullable String contentType, List<String[]> headers,
            @Nullable Duration timeout) {
        Parts withBody(Kind kind, byte @Nullable [] bytes, @Nullable Path file, @Nullable MultipartForm form,
                @Nullable String contentType) {
            return new Parts(method, url, kind, bytes, file, form, contentType, headers, timeout);
        }

        Parts with(List<String[]> headers, @Nullable Duration timeout) {
            return new Parts(method, url, kind, bytes, file, form, contentType, headers, timeout);
        }
    }

    final Parts parts;

    private NuveraRequest(Parts parts) {
        this.parts = parts;
    }

    /** A request with {@code method} (any case; sent upper-cased) to {@code url}, without a body. */
    public static NuveraRequest of(String method, String url) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        return new NuveraRequest(new Parts(method.toUpperCase(Locale.ROOT), url, Kind.NONE, null, null, null, null,
                Collections.emptyList(), null));
    }

    /** {@code GET url}. */
    public static NuveraRequest get(String url) {
        return of("GET", url);
    }

    /** {@code POST url} (add a body). */
    public static NuveraRequest post(String url) {
        return of("POST", url);
    }

    /** {@code PUT url} (add a body). */
    public static NuveraRequest put(String url) {
        return of("PUT", url);
    }

    /** {@code PATCH url} (add a body). */
    public static NuveraRequest patch(String url) {
        return of("PATCH", url);
    }

    /** {@code DELETE url}. */
    public static NuveraRequest delete(String url) {
        return of("DELETE", url);
    }

    /** This request with a JSON body (UTF-8, {@code Content-Type: application/json}). */
    public NuveraRequest json(String json) {
        return body(Objects.requireNonNull(json, "json").getBytes(StandardCharsets.UTF_8), "application/json");
    }

    /** This request with {@code body} sent as is with {@code contentType} ({@code null}: no Content-Type). */
    public NuveraRequest body(byte[] body, @Nullable String contentType) {
        byte[] copy = Objects.requireNonNull(body, "body").clone();
        return new NuveraRequest(parts.withBody(Kind.BYTES, copy, null, null, contentType));
    }

    /** This request with the file at {@code file} as its body: hashed and sent streaming. */
    public NuveraRequest body(Path file, @Nullable String contentType) {
        Objects.requireNonNull(file, "file");
        return new NuveraRequest(parts.withBody(Kind.FILE, null, file, null, contentType));
    }

    /** This request with {@code form} encoded as its {@code multipart/form-data} body (at send time). */
    public NuveraRequest multipart(MultipartForm form) {
        Objects.requireNonNull(form, "form");
        return new NuveraRequest(parts.withBody(Kind.MULTIPART, null, null, form, null));
    }

    /**
     * This request with one more header. {@code x-api-key}, {@code Authorization},
     * {@code Content-Type} and {@code Content-Length} are set by the client.
     */
    public NuveraRequest header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        List<String[]> more = new ArrayList<>(parts.headers());
        more.add(new String[] {name, value});
        return new NuveraRequest(parts.with(Collections.unmodifiableList(more), parts.timeout()));
    }

    /** This request with a response timeout. */
    public NuveraRequest timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return new NuveraRequest(parts.with(parts.headers(), timeout));
    }

    /** The method, upper-cased. */
    public String getMethod() {
        return parts.method();
    }

    /** The URL as given. */
    public String getUrl() {
        return parts.url();
    }

    @Override
    public String toString() {
        return "NuveraRequest[" + parts.method() + " " + parts.url() + "]";
    }
}
