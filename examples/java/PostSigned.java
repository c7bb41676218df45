/*
 * Signs and sends three requests to the Nuvera API with java.net.http, through the library's
 * NuveraHttpClient: a JSON POST, a GET with a query, and a multipart document upload. The client
 * sends exactly the bytes it signed and signs every redirect hop again.
 *
 *   NUVERA_API_KEY=... NUVERA_PRIVATE_KEY_FILE=key.pem \
 *     java -cp nuvera-signing.jar PostSigned.java BASE_URL FILE_TO_UPLOAD
 *
 * BASE_URL is e.g. https://api.nuvera.global, or a local mock server (`nuvera-sign serve`).
 * Exit status 0 when every request was accepted (2xx).
 */
import global.nuvera.signing.MultipartForm;
import global.nuvera.signing.NuveraHttpClient;
import global.nuvera.signing.NuveraRequest;
import global.nuvera.signing.NuveraSigningException;
import global.nuvera.signing.PrivateKey;
import global.nuvera.signing.Signer;
import java.net.http.HttpResponse;
import java.nio.file.Path;

public class PostSigned {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: PostSigned BASE_URL FILE_TO_UPLOAD");
            System.exit(2);
        }
        String base = args[0];
        String apiKey = System.getenv("NUVERA_API_KEY");
        String keyFile = System.getenv("NUVERA_PRIVATE_KEY_FILE");
        if (apiKey == null || keyFile == null) {
            System.err.println("PostSigned: set NUVERA_API_KEY and NUVERA_PRIVATE_KEY_FILE");
            System.exit(2);
        }
        try (PrivateKey key = PrivateKey.fromFile(Path.of(keyFile));
                Signer signer = Signer.create(key, apiKey);
                MultipartForm form = MultipartForm.create()) {
            NuveraHttpClient client = NuveraHttpClient.create(signer);
            boolean ok = true;

            HttpResponse<String> created = client.send(
                    NuveraRequest.post(base + "/api/v1/customers")
                            .json("{\"companyName\":\"Acme Imports\",\"registrationNumber\":\"ACME-123\"}"),
                    HttpResponse.BodyHandlers.ofString());
            ok &= report("POST /api/v1/customers", created);

            HttpResponse<String> listed = client.send(
                    NuveraRequest.get(base + "/api/v1/customers?limit=20&offset=0"), HttpResponse.BodyHandlers.ofString());
            ok &= report("GET /api/v1/customers?limit=20&offset=0", listed);

            Path file = Path.of(args[1]);
            form.addField("type", "INCORPORATION").addFile("file", file, file.getFileName().toString(), "application/pdf");
            HttpResponse<String> uploaded = client.send(
                    NuveraRequest.post(base + "/api/v1/documents").multipart(form), HttpResponse.BodyHandlers.ofString());
            ok &= report("POST /api/v1/documents (multipart)", uploaded);
            System.exit(ok ? 0 : 1);
        } catch (NuveraSigningException e) {
            // The code is stable; the message says what to change. Neither contains a secret.
            System.err.println("PostSigned: " + e.getCode() + ": " + e.getMessage());
            System.exit(1);
        }
    }

    private static boolean report(String what, HttpResponse<String> response) {
        String body = response.body();
        System.out.println(what + " -> " + response.statusCode() + " " + body.substring(0, Math.min(120, body.length())));
        return response.statusCode() / 100 == 2;
    }
}
