package global.nuvera.signing;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Sends signed requests with {@code java.net.http.HttpClient} under the contract §8 client policy
 * ({@link ClientPolicy}; the Rust core decides, this class carries out): for each
 * {@link NuveraRequest} it builds the exact body bytes, signs the URL it will send and those bytes,
 * sends them, and gives each response to the core's exchange, which answers send again (a redirect
 * hop, a retry, the re-send after a clock correction; each signed afresh with a new {@code jti}) or
 * done. Thread-safe.
 *
 * <ul>
 *   <li>Redirects: followed by this class (the {@code HttpClient} must not follow them), up to 10
 *       hops; 301/302 after a non-GET and 303 continue as GET without body, 307/308 keep method and
 *       body; a hop to another origin carries no {@code x-api-key}/{@code Authorization}; https to
 *       http fails with {@code INSECURE_REDIRECT}, the 11th hop with {@code TOO_MANY_REDIRECTS}.
 *   <li>Retries: only with {@link ClientPolicy#retry}; waits the backoff or {@code Retry-After}.
 *   <li>Clock skew: a 401 {@code AUTH_TOKEN_EXPIRED}/{@code AUTH_TOKEN_NOT_YET_VALID} with a
 *       {@code Date} corrects the signer's clock offset (for all its users) and re-sends once.
 * </ul>
 *
 * <p>Bodies of responses the exchange goes past are discarded; a 401's body is read into memory
 * (the core reads its §6 code) and handed to your {@code BodyHandler} when it is the final response.
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
    private final ClientPolicy policy;

    private NuveraHttpClient(Signer signer, HttpClient http, ClientPolicy policy) {
        this.signer = signer;
        this.http = http;
        this.policy = policy;
    }

    /** A client over a new {@code HttpClient} (no automatic redirects, 10 s connect timeout). */
    public static NuveraHttpClient create(Signer signer) {
        Objects.requireNonNull(signer, "signer");
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        return new NuveraHttpClient(signer, http, ClientPolicy.defaults());
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
        return new NuveraHttpClient(signer, http, ClientPolicy.defaults());
    }

    /** This client under {@code policy} (the default: {@link ClientPolicy#defaults()}). */
    public NuveraHttpClient withPolicy(ClientPolicy policy) {
        return new NuveraHttpClient(signer, http, Objects.requireNonNull(policy, "policy"));
    }

    /** This client following at most {@code max} redirects per request (default 10; 0 returns them). */
    public NuveraHttpClient withMaxRedirects(int max) {
        return withPolicy(policy.maxRedirects(max));
    }

    /** The policy this client follows. */
    public ClientPolicy policy() {
        return policy;
    }

    /** Signs and sends {@code request} under the policy; returns the final response. */
    public <T> HttpResponse<T> send(NuveraRequest request, HttpResponse.BodyHandler<T> handler)
            throws NuveraSigningException, IOException, InterruptedException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        try (ClientExchange exchange = start(request)) {
            ClientAction action = exchange.first();
            while (true) {
                HttpRequest prepared = prepare(request, action);
                Step<T> step = new Step<>(exchange, handler);
                HttpResponse<Object> response = http.send(prepared, step);
                ClientAction next = step.decide(response);
                if (next.isDone()) {
                    return step.finish(response);
                }
                if (next.delayMs() > 0) {
                    Thread.sleep(next.delayMs());
                }
                action = next;
            }
        }
    }

    /**
     * Signs and sends {@code request} asynchronously under the policy. Signing and policy failures
     * complete the future exceptionally with a {@link NuveraSigningException}.
     */
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(NuveraRequest request, HttpResponse.BodyHandler<T> handler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        ClientExchange exchange;
        ClientAction first;
        try {
            exchange = start(request);
            try {
                first = exchange.first();
            } catch (NuveraSigningException e) {
                exchange.close();
                throw e;
            }
        } catch (NuveraSigningException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sendAsync(request, handler, exchange, first).whenComplete((r, e) -> exchange.close());
    }

    private <T> CompletableFuture<HttpResponse<T>> sendAsync(
            NuveraRequest request, HttpResponse.BodyHandler<T> handler, ClientExchange exchange, ClientAction action) {
        HttpRequest prepared;
        try {
            prepared = prepare(request, action);
        } catch (NuveraSigningException e) {
            return CompletableFuture.failedFuture(e);
        }
        Step<T> step = new Step<>(exchange, handler);
        return http.sendAsync(prepared, step).thenCompose(response -> {
            ClientAction next;
            try {
                next = step.decide(response);
                if (next.isDone()) {
                    return CompletableFuture.completedFuture(step.finish(response));
                }
            } catch (NuveraSigningException | IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            Executor after = next.delayMs() > 0
                    ? CompletableFuture.delayedExecutor(next.delayMs(), TimeUnit.MILLISECONDS)
                    : Runnable::run;
            return CompletableFuture.supplyAsync(() -> next, after)
                    .thenCompose(n -> sendAsync(request, handler, exchange, n));
        });
    }

    private ClientExchange start(NuveraRequest request) throws NuveraSigningException {
        return new ClientExchange(policy, signer, request.getMethod(), request.getUrl(),
                request.parts.kind() != NuveraRequest.Kind.NONE, null);
    }

    /**
     * One send's response handling: the exchange decides from the status and headers as soon as
     * they arrive, so a body the exchange goes past is discarded unread and the final body streams
     * into your handler; a 401's body is read first, as the core needs its §6 code.
     */
    private static final class Step<T> implements HttpResponse.BodyHandler<Object> {
        private final ClientExchange exchange;
        private final HttpResponse.BodyHandler<T> handler;
        private final long sentAtMs = System.currentTimeMillis();
        private long receivedAtMs;
        private @Nullable ClientAction action;
        private @Nullable NuveraSigningException failure;
        private HttpResponse.@Nullable ResponseInfo info;

        Step(ClientExchange exchange, HttpResponse.BodyHandler<T> handler) {
            this.exchange = exchange;
            this.handler = handler;
        }

        @Override
        @SuppressWarnings("unchecked")
        public HttpResponse.BodySubscriber<Object> apply(HttpResponse.ResponseInfo info) {
            this.receivedAtMs = System.currentTimeMillis();
            this.info = info;
            if (info.statusCode() == 401) {
                return (HttpResponse.BodySubscriber<Object>) (HttpResponse.BodySubscriber<?>) HttpResponse.BodySubscribers.ofByteArray();
            }
            try {
                action = exchange.onResponse(info.statusCode(), NuveraSigning.flatten(info.headers().map()), null,
                        sentAtMs, receivedAtMs);
            } catch (NuveraSigningException e) {
                failure = e;
                return HttpResponse.BodySubscribers.replacing(null);
            }
            if (action.isDone()) {
                return (HttpResponse.BodySubscriber<Object>) handler.apply(info);
            }
            return HttpResponse.BodySubscribers.replacing(null);
        }

        /** The exchange's answer to {@code response} (a failure thrown). */
        ClientAction decide(HttpResponse<Object> response) throws NuveraSigningException {
            if (failure != null) {
                throw failure;
            }
            if (action == null) {
                byte[] body = (byte[]) response.body();
                action = exchange.onResponse(response.statusCode(),
                        NuveraSigning.flatten(response.headers().map()), body, sentAtMs, receivedAtMs);
            }
            return action;
        }

        /** The final response with your handler's body. */
        @SuppressWarnings("unchecked")
        HttpResponse<T> finish(HttpResponse<Object> response) throws IOException {
            if (response.statusCode() != 401) {
                return (HttpResponse<T>) (HttpResponse<?>) response;
            }
            HttpResponse.BodySubscriber<T> subscriber = handler.apply(Objects.requireNonNull(info));
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            subscriber.onNext(List.of(ByteBuffer.wrap((byte[]) response.body())));
            subscriber.onComplete();
            T body;
            try {
                body = subscriber.getBody().toCompletableFuture().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while handing the 401 body to the BodyHandler", e);
            } catch (ExecutionException e) {
                throw new IOException("the BodyHandler failed on the 401 body", e.getCause());
            }
            return new WithBody<>(response, body);
        }
    }

    /** A response whose body was handed to your handler after the exchange read it. */
    private static final class WithBody<T> implements HttpResponse<T> {
        private final HttpResponse<Object> response;
        private final T body;

        WithBody(HttpResponse<Object> response, T body) {
            this.response = response;
            this.body = body;
        }

        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public HttpRequest request() {
            return response.request();
        }

        @Override
        @SuppressWarnings("unchecked")
        public Optional<HttpResponse<T>> previousResponse() {
            return response.previousResponse().map(r -> (HttpResponse<T>) (HttpResponse<?>) r);
        }

        @Override
        public HttpHeaders headers() {
            return response.headers();
        }

        @Override
        public T body() {
            return body;
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return response.sslSession();
        }

        @Override
        public URI uri() {
            return response.uri();
        }

        @Override
        public HttpClient.Version version() {
            return response.version();
        }
    }

    /**
     * Builds the {@code HttpRequest} of one send the exchange asked for: its method and URL, the
     * caller's body when {@code sendBody}, signed (and with credentials) when {@code credentials}.
     */
    HttpRequest prepare(NuveraRequest request, ClientAction action) throws NuveraSigningException {
        String url = Objects.requireNonNull(action.url());
        String method = Objects.requireNonNull(action.method());
        URI uri = toUri(url);
        boolean credentials = action.credentials();
        SignedRequest signed = null;
        HttpRequest.BodyPublisher publisher;
        String contentType = request.parts.contentType();
        switch (action.sendBody() ? request.parts.kind() : NuveraRequest.Kind.NONE) {
            case BYTES:
                if (credentials) {
                    signed = signer.signWithContentType(method, url, contentType, request.parts.bytes());
                }
                publisher = HttpRequest.BodyPublishers.ofByteArray(request.parts.bytes());
                break;
            case FILE:
                if (credentials) {
                    signed = signer.signWithContentType(method, url, contentType, request.parts.file());
                }
                try {
                    publisher = HttpRequest.BodyPublishers.ofFile(request.parts.file());
                } catch (FileNotFoundException e) {
                    throw new NuveraSigningException(Codes.IO_ERROR, "cannot open " + request.parts.file() + ": " + e.getMessage(), e);
                }
                break;
            case MULTIPART:
                EncodedForm encoded = request.parts.form().encode();
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
                contentType = null;
                break;
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).method(method, publisher);
        for (String[] header : request.parts.headers()) {
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
        if (request.parts.timeout() != null) {
            builder.timeout(request.parts.timeout());
        }
        return builder.build();
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

    @Override
    public String toString() {
        return "NuveraHttpClient[" + policy + "]";
    }
}
