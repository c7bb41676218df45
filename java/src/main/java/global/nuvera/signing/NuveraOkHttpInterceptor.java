package global.nuvera.signing;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import org.jspecify.annotations.Nullable;

/**
 * Signs and sends an {@code OkHttpClient}'s requests under the contract §8 client policy
 * ({@link ClientPolicy}; the Rust core decides, this class carries out). It is an
 * <em>application</em> interceptor that drives the whole exchange itself: it signs the request,
 * calls {@code chain.proceed}, gives the response to the core's exchange and, when the exchange
 * answers "send again" (a redirect hop, a retry, the re-send after a clock correction), closes that
 * response and calls {@code chain.proceed} again with a request signed afresh (new {@code jti}).
 * OkHttp must therefore neither follow redirects nor silently re-send below it — its own follow-up
 * would carry the old token (and {@code x-api-key} to another origin) — so build the client with
 * {@link #install}:
 *
 * <pre>{@code
 * OkHttpClient client = NuveraOkHttpInterceptor.install(new OkHttpClient.Builder(), signer).build();
 * }</pre>
 *
 * <p>{@code install} adds the interceptor and sets {@code followRedirects(false)},
 * {@code followSslRedirects(false)} and {@code retryOnConnectionFailure(false)}; it also adds a
 * network interceptor that keeps OkHttp from re-sending a 503 with {@code Retry-After: 0} on its
 * own (which no setting turns off). A response that OkHttp followed up anyway (a client built
 * otherwise) fails with {@code UNSUPPORTED}.
 *
 * <p>What the policy does: redirects up to 10 hops (301/302 after a non-GET and 303 continue as
 * GET without body, 307/308 keep method and body, a hop to another origin goes without
 * {@code x-api-key}/{@code Authorization}, https to http fails with {@code INSECURE_REDIRECT});
 * retries only when a {@link RetryPolicy} is given (backoff or {@code Retry-After}); on a 401
 * {@code AUTH_TOKEN_EXPIRED}/{@code AUTH_TOKEN_NOT_YET_VALID} with a {@code Date}, the signer's
 * clock offset is corrected and the request re-sent once.
 *
 * <p>The body is written once into memory to be hashed (multipart bodies through their canonical
 * object) and sent as those same bytes on every send. One-shot and duplex bodies cannot be read
 * twice, so they are refused with {@code STREAMING_BODY}. Failures surface as
 * {@link NuveraSigningIOException} with the code. OkHttp is an optional dependency of this
 * library: add it to your build.
 */
public final class NuveraOkHttpInterceptor implements Interceptor {
    /**
     * Where {@link #install}'s network interceptor moves a 503's {@code Retry-After}: OkHttp re-sends
     * a 503 with {@code Retry-After: 0} by itself, whatever the client's settings, with the same
     * token; hidden under this name, OkHttp leaves the 503 to the exchange, which reads it back.
     */
    private static final String HIDDEN_RETRY_AFTER = "Nuvera-Hidden-Retry-After";

    /** The most of a 401 body read for the core (it reads the §6 code from at most 64 KiB). */
    private static final long REFUSAL_BODY_BYTES = 64 * 1024;

    private final Signer signer;
    private final ClientPolicy policy;

    /** An interceptor signing with {@code signer} under the default policy. */
    public NuveraOkHttpInterceptor(Signer signer) {
        this(signer, ClientPolicy.defaults());
    }

    /** An interceptor signing with {@code signer} under {@code policy}. */
    public NuveraOkHttpInterceptor(Signer signer, ClientPolicy policy) {
        this.signer = Objects.requireNonNull(signer, "signer");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Adds an interceptor signing with {@code signer} under the default policy to {@code builder},
     * and turns off OkHttp's own redirects and re-sends (see the class docs).
     */
    public static OkHttpClient.Builder install(OkHttpClient.Builder builder, Signer signer) {
        return install(builder, signer, ClientPolicy.defaults());
    }

    /** {@link #install(OkHttpClient.Builder, Signer)} under {@code policy}. */
    public static OkHttpClient.Builder install(OkHttpClient.Builder builder, Signer signer, ClientPolicy policy) {
        return builder.followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .addInterceptor(new NuveraOkHttpInterceptor(signer, policy))
                .addNetworkInterceptor(NuveraOkHttpInterceptor::hideRetryAfterOf503);
    }

    /** The network half of {@link #install}: see {@link #HIDDEN_RETRY_AFTER}. */
    private static Response hideRetryAfterOf503(Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        String retryAfter = response.header("Retry-After");
        if (response.code() != 503 || retryAfter == null) {
            return response;
        }
        return response.newBuilder().removeHeader("Retry-After").header(HIDDEN_RETRY_AFTER, retryAfter).build();
    }

    /** The response as the server sent it (a hidden {@code Retry-After} put back). */
    private static Response restoreRetryAfter(Response response) {
        String hidden = response.header(HIDDEN_RETRY_AFTER);
        if (hidden == null) {
            return response;
        }
        return response.newBuilder().removeHeader(HIDDEN_RETRY_AFTER).header("Retry-After", hidden).build();
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        if (chain.connection() != null) {
            throw new NuveraSigningIOException(new NuveraSigningException(Codes.UNSUPPORTED,
                    "add NuveraOkHttpInterceptor with addInterceptor (or NuveraOkHttpInterceptor.install), not "
                            + "addNetworkInterceptor: it re-sends each redirect, retry and clock correction itself"));
        }
        try {
            return exchange(chain);
        } catch (NuveraSigningException e) {
            throw new NuveraSigningIOException(e);
        }
    }

    private Response exchange(Chain chain) throws NuveraSigningException, IOException {
        Request original = chain.request();
        RequestBody body = original.body();
        byte[] bytes = null;
        MediaType type = null;
        if (body != null) {
            if (body.isOneShot() || body.isDuplex()) {
                throw new NuveraSigningException(Codes.STREAMING_BODY, "a one-shot or duplex request body cannot be "
                        + "hashed and then sent: give OkHttp a body that can be written twice (bytes, a file, a MultipartBody)");
            }
            Buffer buffer = new Buffer();
            body.writeTo(buffer);
            bytes = buffer.readByteArray();
            type = body.contentType();
        }
        try (ClientExchange exchange = new ClientExchange(policy, signer, original.method(),
                original.url().toString(), body != null, null)) {
            ClientAction action = exchange.first();
            while (true) {
                Response response = restoreRetryAfter(chain.proceed(prepare(original, action, bytes, type)));
                ClientAction next;
                try {
                    if (response.priorResponse() != null) {
                        throw new NuveraSigningException(Codes.UNSUPPORTED, "OkHttp followed up a response itself "
                                + "(with the previous signature): build the client with NuveraOkHttpInterceptor.install, "
                                + "or followRedirects(false) and retryOnConnectionFailure(false)");
                    }
                    byte[] refusal = response.code() == 401 ? response.peekBody(REFUSAL_BODY_BYTES).bytes() : null;
                    next = exchange.onResponse(response.code(), NuveraSigning.flatten(response.headers().toMultimap()),
                            refusal, response.sentRequestAtMillis(), response.receivedResponseAtMillis());
                } catch (NuveraSigningException | IOException | RuntimeException e) {
                    response.close();
                    throw e;
                }
                if (next.isDone()) {
                    return response;
                }
                response.close();
                if (next.delayMs() > 0) {
                    try {
                        Thread.sleep(next.delayMs());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting to retry");
                    }
                }
                action = next;
            }
        }
    }

    /** The request of one send: the exchange's method and URL, the body if asked, signed if asked. */
    private Request prepare(Request original, ClientAction action, byte @Nullable [] bytes, @Nullable MediaType type)
            throws NuveraSigningException {
        String method = Objects.requireNonNull(action.method());
        String url = Objects.requireNonNull(action.url());
        Request.Builder builder = original.newBuilder().url(url)
                .removeHeader("x-api-key")
                .removeHeader("Authorization");
        SignedRequest signed = null;
        if (action.sendBody() && bytes != null) {
            String contentType = type == null ? null : type.toString();
            if (action.credentials()) {
                signed = signer.signWithContentType(method, url, contentType, bytes);
            }
            // Send exactly the bytes that were hashed.
            builder.method(method, RequestBody.create(bytes, type));
        } else {
            builder.removeHeader("Content-Type").method(method, null);
            if (action.credentials()) {
                signed = signer.sign(method, url);
            }
        }
        if (signed != null) {
            signed.getHeaders().forEach(builder::header);
        }
        return builder.build();
    }

    @Override
    public String toString() {
        return "NuveraOkHttpInterceptor[" + policy + "]";
    }
}
