package global.nuvera.signing;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Sends signed requests with {@code java.net.http.HttpClient}: for each {@link NuveraRequest} it
 * builds the exact body bytes, signs the URL it will send and those bytes, sends them, and follows
 * redirects itself so that every hop is signed again with a fresh {@code jti}. A redirect to another
 * origin is followed without {@code x-api-key} and {@code Authorization} (contract §8): credentials
 * never leave the origin of the request you sent. Thread-safe.
 *
 * <pre>{@code
 * NuveraHttpClient client = NuveraHttpClient.create(signer);
 * HttpResponse<String> response = client.send(
 *         NuveraRequest.post(baseUrl + "/api/v1/customers").json(json), HttpResponse.BodyHandlers.ofString());
 * }</pre>
 */
public final class NuveraHttpClient {
    private static final Set<String> SET_BY_CLIENT =
            Set.of("x-api-key", "authorization", "content-type", "content-length", "host");

    private final Signer signer;
    private final HttpClient http;
    private final int maxRedirects;

    private NuveraHttpClient(Signer signer, HttpClient http, int maxRedirects) {
        this.signer = signer;
        this.http = http;
        this.maxRedirects = maxRedirects;
    }

    /** A client over a new {@code HttpClient} (no automatic redirects, 10 s connect timeout). */
    public static NuveraHttpClient create(Signer signer) {
        Objects.requireNonNull(signer, "signer");
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        return new NuveraHttpClient(signer, http, 5);
    }

    /**
     * A client over your {@code HttpClient}, which must not follow redirects itself
     * ({@code Redirect.NEVER}): a hop it followed would carry the previous hop's signature.
     */
    public static NuveraHttpClient create(Signer signer, HttpClient http) {
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(http, "http");
        if (http.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException(
                    "the HttpClient must use Redirect.NEVER: NuveraHttpClient follows redirects itself to sign each hop");
        }
        return new NuveraHttpClient(signer, http, 5);
    }

    /** This client following at most {@code max} redirects per request (default 5; 0 returns them). */
    public NuveraHttpClient withMaxRedirects(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0");
        }
        return new NuveraHttpClient(signer, http, max);
    }

    /** Signs and sends {@code request}, following redirects; returns the final response. */
    public <T> HttpResponse<T> send(NuveraRequest request, HttpResponse.BodyHandler<T> handler)
            throws NuveraSigningException, IOException, InterruptedException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        NuveraRequest current = request;
        URI home = null;
        for (int hop = 0; ; hop++) {
            HttpRequest prepared = prepare(current, home);
            if (home == null) {
                home = prepared.uri();
            }
            HttpResponse<T> response = http.send(prepared, handler);
            NuveraRequest next = redirect(current, prepared.uri(), response, hop);
            if (next == null) {
                return response;
            }
            current = next;
        }
    }

    /**
     * Signs and sends {@code request} asynchronously, following redirects. Signing failures
     * complete the future exceptionally with a {@link NuveraSigningException}.
     */
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(NuveraRequest request, HttpResponse.BodyHandler<T> handler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        return sendAsync(request, handler, 0, null);
    }

    private <T> CompletableFuture<HttpResponse<T>> sendAsync(
            NuveraRequest request, HttpResponse.BodyHandler<T> handler, int hop, @Nullable URI origin) {
        HttpRequest prepared;
        try {
            prepared = prepare(request, origin);
        } catch (NuveraSigningException e) {
            return CompletableFuture.failedFuture(e);
        }
        URI home = origin == null ? prepared.uri() : origin;
        return http.sendAsync(prepared, handler).thenCompose(response -> {
            NuveraRequest next;
            try {
                next = redirect(request, prepared.uri(), response, hop);
            } catch (NuveraSigningException e) {
                return CompletableFuture.failedFuture(e);
            }
            return next == null ? CompletableFuture.completedFuture(response) : sendAsync(next, handler, hop + 1, home);
        });
    }

    /**
     * Builds the {@code HttpRequest} that sends exactly what is signed; {@code home} is the origin
     * of the first hop ({@code null} for the first hop itself): a hop elsewhere carries no
     * credentials.
     */
    HttpRequest prepare(NuveraRequest request, @Nullable URI home) throws NuveraSigningException {
        String url = NuveraSigning.sendableUrl(request.getUrl());
        URI uri = toUri(url);
        String method = request.getMethod();
        boolean credentials = home == null || sameOrigin(home, uri);
        SignedRequest signed = null;
        HttpRequest.BodyPublisher publisher;
        String contentType = request.contentType();
        switch (request.kind()) {
            case BYTES:
                if (credentials) {
                    signed = signer.sign(method, url, request.bytes());
                }
                publisher = HttpRequest.BodyPublishers.ofByteArray(request.bytes());
                break;
            case FILE:
                if (credentials) {
                    signed = signer.sign(method, url, request.file());
                }
                try {
                    publisher = HttpRequest.BodyPublishers.ofFile(request.file());
                } catch (FileNotFoundException e) {
                    throw new NuveraSigningException(Codes.IO_ERROR, "cannot open " + request.file() + ": " + e.getMessage(), e);
                }
                break;
            case MULTIPART:
                EncodedForm encoded = request.form().encode();
                if (credentials) {
                    signed = signer.signWithBodyHash(method, url, encoded.getBodyHash());
                }
                publisher = HttpRequest.BodyPublishers.ofByteArray(encoded.bytes());
                contentType = encoded.getContentType();
                break;
            default:
                if (credentials) {
                    signed = signer.sign(method, url);
                }
                publisher = HttpRequest.BodyPublishers.noBody();
                break;
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).method(method, publisher);
        for (String[] header : request.headers()) {
            if (!SET_BY_CLIENT.contains(header[0].toLowerCase(Locale.ROOT))) {
                builder.header(header[0], header[1]);
            }
        }
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        if (signed != null) {
            signed.getHeaders().forEach(builder::header);
        }
        if (request.timeout() != null) {
            builder.timeout(request.timeout());
        }
        return builder.build();
    }

    /** The next hop's request, or {@code null} when {@code response} is not a redirect to follow. */
    private NuveraRequest redirect(NuveraRequest request, URI from, HttpResponse<?> response, int hop)
            throws NuveraSigningException {
        int status = response.statusCode();
        boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
        String location = response.headers().firstValue("Location").orElse(null);
        if (!redirect || location == null || maxRedirects == 0) {
            return null;
        }
        if (hop >= maxRedirects) {
            throw new NuveraSigningException(Codes.TOO_MANY_REDIRECTS, "more than " + maxRedirects + " redirects from " + from);
        }
        URI to;
        try {
            to = from.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new NuveraSigningException(Codes.INVALID_URL, "the redirect Location is not a valid URL: " + e.getMessage(), e);
        }
        if (status == 307 || status == 308) {
            return request.redirectedTo(to.toString());
        }
        if (status == 303 || !(request.getMethod().equals("GET") || request.getMethod().equals("HEAD"))) {
            return request.redirectedAsGet(to.toString());
        }
        return request.redirectedTo(to.toString());
    }

    private static URI toUri(String url) throws NuveraSigningException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            // The WHATWG rules leave a few characters (| ^ ` { } in queries) that java.net.URI refuses;
            // encoding them here would send something other than what the caller wrote.
            String hint = e.getIndex() >= 0 && e.getIndex() < url.length()
                    ? String.format(" (write '%c' as %%%02X in the URL)", url.charAt(e.getIndex()), (int) url.charAt(e.getIndex()))
                    : "";
            throw new NuveraSigningException(Codes.INVALID_URL, "java.net.http cannot send this URL: " + e.getReason() + hint, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new NuveraSigningException(Codes.INVALID_URL, "NuveraHttpClient needs an absolute http or https URL");
        }
        return uri;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return origin(a).equals(origin(b));
    }

    private static String origin(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
        return scheme + "://" + host + ":" + port;
    }

    @Override
    public String toString() {
        return "NuveraHttpClient[maxRedirects=" + maxRedirects + "]";
    }
}
