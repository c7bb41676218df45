package global.nuvera.signing;

import java.io.IOException;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;

/**
 * Signs every request an {@code OkHttpClient} puts on the wire. Add it as a <em>network</em>
 * interceptor, so that it sees the final URL and body of each hop, redirects and retries included,
 * and signs each with a fresh {@code jti}:
 *
 * <pre>{@code
 * OkHttpClient client = new OkHttpClient.Builder()
 *         .addNetworkInterceptor(new NuveraOkHttpInterceptor(signer))
 *         .build();
 * }</pre>
 *
 * <p>The body is written once into memory to be hashed (multipart bodies through their canonical
 * object) and sent as those same bytes. One-shot and duplex bodies cannot be read twice, so they
 * are refused with {@code STREAMING_BODY}. Failures surface as {@link NuveraSigningIOException}
 * with the code. OkHttp is an optional dependency of this library: add it to your build.
 */
public final class NuveraOkHttpInterceptor implements Interceptor {
    private final Signer signer;

    /** An interceptor signing with {@code signer}. */
    public NuveraOkHttpInterceptor(Signer signer) {
        this.signer = Objects.requireNonNull(signer, "signer");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        if (chain.connection() == null) {
            throw new NuveraSigningIOException(new NuveraSigningException(Codes.UNSUPPORTED,
                    "add NuveraOkHttpInterceptor with addNetworkInterceptor, not addInterceptor: "
                            + "only a network interceptor sees (and signs) every redirect and retry"));
        }
        Request request = chain.request();
        try {
            return chain.proceed(sign(request));
        } catch (NuveraSigningException e) {
            throw new NuveraSigningIOException(e);
        }
    }

    private Request sign(Request request) throws NuveraSigningException, IOException {
        String url = request.url().toString();
        String method = request.method();
        RequestBody body = request.body();
        SignedRequest signed;
        Request.Builder builder = request.newBuilder();
        if (body == null) {
            signed = signer.sign(method, url);
        } else {
            if (body.isOneShot() || body.isDuplex()) {
                throw new NuveraSigningException(Codes.STREAMING_BODY, "a one-shot or duplex request body cannot be "
                        + "hashed and then sent: give OkHttp a body that can be written twice (bytes, a file, a MultipartBody)");
            }
            Buffer buffer = new Buffer();
            body.writeTo(buffer);
            byte[] bytes = buffer.readByteArray();
            MediaType type = body.contentType();
            String contentType = type == null ? null : type.toString();
            if (contentType != null && NuveraSigning.isMultipartFormData(contentType)) {
                signed = signer.signMultipartBody(method, url, contentType, bytes);
            } else {
                signed = signer.sign(method, url, bytes);
            }
            // Send exactly the bytes that were hashed.
            builder.method(method, RequestBody.create(bytes, type));
        }
        signed.getHeaders().forEach(builder::header);
        return builder.build();
    }

    @Override
    public String toString() {
        return "NuveraOkHttpInterceptor[]";
    }
}
