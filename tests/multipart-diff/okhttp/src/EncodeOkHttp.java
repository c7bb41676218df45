import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import okio.Buffer;

/**
 * Encodes each form with OkHttp's MultipartBody (one JVM for all forms). Input lines, from
 * gen-okhttp.py: id, then per part "F" or "B" and base64 of name, value or file name, content
 * and type, tab-separated. Output: JSON lines {"id", "contentType", "bodyBase64"}.
 */
public final class EncodeOkHttp {
    private static String text(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int refused = 0;
        for (String line; (line = in.readLine()) != null; ) {
            String[] cols = line.split("\t", -1);
            try {
                MultipartBody.Builder form = new MultipartBody.Builder().setType(MultipartBody.FORM);
                int parts = 0;
                for (int i = 1; i + 4 < cols.length; i += 5) {
                    String kind = cols[i];
                    String name = text(cols[i + 1]);
                    String type = cols[i + 4].isEmpty() ? null : text(cols[i + 4]);
                    MediaType mediaType = type == null ? null : MediaType.parse(type);
                    if (kind.equals("F")) {
                        String value = text(cols[i + 2]);
                        if (mediaType == null) {
                            form.addFormDataPart(name, value);
                        } else {
                            form.addPart(MultipartBody.Part.createFormData(name, null,
                                    RequestBody.create(value.getBytes(StandardCharsets.UTF_8), mediaType)));
                        }
                    } else {
                        byte[] content = Base64.getDecoder().decode(cols[i + 3]);
                        form.addFormDataPart(name, text(cols[i + 2]), RequestBody.create(content, mediaType));
                    }
                    parts++;
                }
                if (parts == 0) {
                    continue;
                }
                MultipartBody body = form.build();
                Buffer out = new Buffer();
                body.writeTo(out);
                System.out.println("{\"id\":\"" + cols[0] + "/okhttp\",\"contentType\":\""
                        + body.contentType().toString().replace("\\", "\\\\").replace("\"", "\\\"")
                        + "\",\"bodyBase64\":\"" + Base64.getEncoder().encodeToString(out.readByteArray()) + "\"}");
            } catch (RuntimeException e) {
                refused++;
            }
        }
        if (refused > 0) {
            System.err.println("okhttp refused " + refused + " forms");
        }
    }
}
