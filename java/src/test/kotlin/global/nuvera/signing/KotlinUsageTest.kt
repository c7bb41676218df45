package global.nuvera.signing

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.nio.file.Path

/**
 * The Java API as a Kotlin user sees it: the JSpecify annotations make every type non-null
 * (`String`, not `String!`) unless marked nullable, so these declarations compile only when the
 * annotations are right (the build runs Kotlin with `-Xjspecify-annotations=strict -Werror`).
 */
class KotlinUsageTest {
    private val testdata = Path.of(System.getProperty("nuvera.testdata", "../testdata"))
    private val keyFile = testdata.resolve("keys/test-rsa2048-pkcs8.pem")

    @Test
    fun signsVerifiesAndExplainsFromKotlin() {
        PrivateKey.fromFile(keyFile).use { key ->
            Signer.builder(key, "nv_test_java_7Qx2").lifetimeSeconds(30).build().use { signer ->
                val signed: SignedRequest = signer.sign("POST", "https://api.nuvera.global/api/v1/customers", "{\"a\":1}")
                val headers: Map<String, String> = signed.headers
                val token: String = signed.token
                val claims: Claims = signed.claims
                assertEquals("Bearer $token", headers["Authorization"])
                assertEquals(claims.iat + 30, claims.exp)
                assertEquals(NuveraSigning.bodyHash("{\"a\":1}"), claims.bodyHash)

                val pem = key.publicKeyPem().replace("\n", "\\n")
                val registry = "{\"applications\":[{\"name\":\"Kotlin\",\"enabled\":true," +
                    "\"permissions\":[\"CUSTOMERS_WRITE\"],\"apiKeys\":[{\"key\":\"nv_test_java_7Qx2\"}]," +
                    "\"publicKeys\":[{\"pem\":\"$pem\"}]}]}"
                Verifier.builder().registryJson(registry).build().use { verifier ->
                    val verified: Verified =
                        verifier.verify("POST", "/api/v1/customers", signed.apiKey, signed.authorization, claims.bodyHash)
                    val permission: String = verified.permission
                    assertEquals("CUSTOMERS_WRITE", permission)
                }

                val noBody: ByteArray? = null
                assertEquals(NuveraSigning.bodyHash(ByteArray(0)), signer.sign("GET", "/api/v1/customers", noBody).claims.bodyHash)

                MultipartForm.create().use { form ->
                    form.addField("customerId", "c_42").addFile("file", "a.txt", "hello".toByteArray(), null)
                    val encoded: EncodedForm = form.encode()
                    val upload = signer.signMultipart("POST", "/api/v1/documents", form)
                    assertEquals(encoded.bodyHash, upload.claims.bodyHash)
                }

                val report: ExplainReport = NuveraSigning.explain("POST", "https://api.nuvera.global/api/v1/customers",
                    "nv_test_java_7Qx2", "application/json", "{\"a\": 1}".toByteArray(), token)
                val verdict: String? = report.verdict.orElse(null)
                assertEquals("AUTH_BODY_HASH_MISMATCH", verdict)
                val fingerprint: String = key.fingerprint()
                assertTrue(fingerprint.startsWith("SHA256:"))
                assertEquals(fingerprint, NuveraSigning.publicKeyFingerprint(key.publicKeyPem()))

                val noType: String? = null
                val json = "{\"a\":1}".toByteArray()
                val byType: SignedRequest = signer.signWithContentType("POST", "/api/v1/customers", noType, json)
                assertEquals(NuveraSigning.bodyHash(json), byType.claims.bodyHash)
            }
            val e = assertThrows<NuveraSigningException> { Signer.create(key, "") }
            assertEquals("INVALID_API_KEY", e.code)
            assertEquals("key", e.family)
        }
    }
}
