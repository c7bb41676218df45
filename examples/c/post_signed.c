/*
 * Signs and POSTs two requests to the Nuvera API with libcurl: a JSON body and a multipart upload.
 * curl sends exactly the bytes that were signed (the JSON text; the multipart body the library
 * encoded) to the URL the signature covers, and never follows a redirect (a redirected request
 * would need a new signature).
 *
 *   NUVERA_API_KEY=... NUVERA_PRIVATE_KEY_FILE=key.pem ./post_signed BASE_URL FILE_TO_UPLOAD
 *
 * BASE_URL is e.g. https://api.nuvera.global (or a local test server). Build:
 *
 *   cc post_signed.c $(pkg-config --cflags --libs nuvera_signing libcurl) -o post_signed
 *
 * Exit status 0 when both requests were answered 200.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <nuvera_signing.h>

/* Prints a failed call's error (code and message: never a secret) and frees it. */
static int fail(const char *what, nuvera_error *err) {
  fprintf(stderr, "post_signed: %s: %s: %s\n", what, err ? err->code : "?",
          err ? err->message : "(no details)");
  nuvera_error_free(err);
  return 0;
}

/* Keeps the start of the response body, to print it after the status line. */
struct response {
  char text[512];
  size_t len;
};

static size_t keep_response(char *data, size_t size, size_t count, void *user) {
  struct response *r = user;
  size_t n = size * count;
  size_t room = sizeof r->text - 1 - r->len;
  memcpy(r->text + r->len, data, n < room ? n : room);
  r->len += n < room ? n : room;
  r->text[r->len] = '\0';
  return n;
}

/* POSTs body to url with the signed request's two headers; returns the HTTP status (0 on a
 * transport error) and the start of the response body. */
static long post(const char *url, const char *content_type, const uint8_t *body, size_t len,
                 const nuvera_signed_request *signed_request, struct response *response) {
  const char *api_key = NULL;
  const char *authorization = NULL;
  char *sendable = NULL;
  char *header;
  size_t n;
  struct curl_slist *headers = NULL;
  nuvera_error *err = NULL;
  long status = 0;
  CURL *curl;
  CURLcode rc;

  if (nuvera_signed_request_api_key(signed_request, &api_key, &err) != NUVERA_OK ||
      nuvera_signed_request_authorization(signed_request, &authorization, &err) != NUVERA_OK ||
      /* The normalized URL: what curl sends as the request target is what was signed. */
      nuvera_sendable_url(url, &sendable, &err) != NUVERA_OK) {
    fail("signed request", err);
    return 0;
  }

  n = strlen(authorization) + 64 + strlen(api_key) + strlen(content_type);
  header = malloc(n);
  if (header == NULL) {
    nuvera_string_free(sendable);
    return 0;
  }
  snprintf(header, n, "x-api-key: %s", api_key);
  headers = curl_slist_append(headers, header);
  snprintf(header, n, "Authorization: %s", authorization);
  headers = curl_slist_append(headers, header);
  snprintf(header, n, "Content-Type: %s", content_type);
  headers = curl_slist_append(headers, header);
  headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
  free(header);

  curl = curl_easy_init();
  if (curl == NULL) {
    curl_slist_free_all(headers);
    nuvera_string_free(sendable);
    return 0;
  }
  curl_easy_setopt(curl, CURLOPT_URL, sendable);
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L); /* the normalized path is sent unchanged */
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)body);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_response);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, response);
  rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  } else {
    fprintf(stderr, "post_signed: %s: %s\n", sendable, curl_easy_strerror(rc));
  }
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);
  nuvera_string_free(sendable);
  return status;
}

static int post_json(const nuvera_signer *signer, const char *base) {
  const char *json = "{\"companyName\":\"Acme Imports\",\"countryOfIncorporationId\":\"SG\"}";
  char url[1024];
  nuvera_signed_request *signed_request = NULL;
  nuvera_error *err = NULL;
  struct response response = {"", 0};
  long status;

  snprintf(url, sizeof url, "%s/api/v1/customers", base);
  if (nuvera_signer_sign(signer, "POST", url, (const uint8_t *)json, strlen(json), NULL, NULL,
                         &signed_request, &err) != NUVERA_OK) {
    return fail("sign JSON", err);
  }
  status = post(url, "application/json", (const uint8_t *)json, strlen(json), signed_request,
                &response);
  nuvera_signed_request_free(signed_request);
  printf("POST %s (JSON): HTTP %ld %s\n", url, status, response.text);
  return status >= 200 && status < 300;
}

static int post_multipart(const nuvera_signer *signer, const char *base, const char *file) {
  char url[1024];
  nuvera_multipart_form *form = NULL;
  nuvera_signed_request *signed_request = NULL;
  nuvera_error *err = NULL;
  char *content_type = NULL;
  uint8_t *body = NULL;
  size_t len = 0;
  struct response response = {"", 0};
  long status = 0;
  int ok = 0;

  snprintf(url, sizeof url, "%s/api/v1/documents", base);
  if (nuvera_multipart_form_new(&form, &err) != NUVERA_OK ||
      nuvera_multipart_form_add_field(form, "customerId", "c_42", &err) != NUVERA_OK ||
      nuvera_multipart_form_add_field(form, "type", "INCORPORATION", &err) != NUVERA_OK ||
      nuvera_multipart_form_add_file_path(form, "file", file, NULL, "application/pdf", &err) !=
          NUVERA_OK ||
      nuvera_multipart_form_content_type(form, &content_type, &err) != NUVERA_OK ||
      /* Encode, then sign: the signature covers exactly the encoded bytes. */
      nuvera_multipart_form_encode(form, &body, &len, &err) != NUVERA_OK ||
      nuvera_signer_sign_multipart(signer, "POST", url, form, NULL, NULL, &signed_request, &err) !=
          NUVERA_OK) {
    fail("multipart", err);
  } else {
    status = post(url, content_type, body, len, signed_request, &response);
    printf("POST %s (multipart, %lu bytes): HTTP %ld %s\n", url, (unsigned long)len, status,
           response.text);
    ok = status >= 200 && status < 300;
  }
  nuvera_signed_request_free(signed_request);
  nuvera_bytes_free(body, len);
  nuvera_string_free(content_type);
  nuvera_multipart_form_free(form);
  return ok;
}

int main(int argc, char **argv) {
  const char *api_key = getenv("NUVERA_API_KEY");
  const char *key_file = getenv("NUVERA_PRIVATE_KEY_FILE");
  const char *passphrase = getenv("NUVERA_KEY_PASSPHRASE"); /* NULL when unset */
  nuvera_private_key *key = NULL;
  nuvera_signer *signer = NULL;
  nuvera_error *err = NULL;
  int ok;

  if (argc != 3 || api_key == NULL || key_file == NULL) {
    fprintf(stderr, "usage: NUVERA_API_KEY=... NUVERA_PRIVATE_KEY_FILE=... %s BASE_URL FILE\n",
            argv[0]);
    return 2;
  }
  if (nuvera_private_key_from_file(key_file, passphrase, &key, &err) != NUVERA_OK) {
    fail("private key", err);
    return 1;
  }
  /* 0: the default token lifetime (55 s). The signer keeps its own reference to the key. */
  if (nuvera_signer_new(key, api_key, 0, &signer, &err) != NUVERA_OK) {
    nuvera_private_key_free(key);
    fail("signer", err);
    return 1;
  }
  nuvera_private_key_free(key);

  curl_global_init(CURL_GLOBAL_DEFAULT);
  ok = post_json(signer, argv[1]);
  ok = post_multipart(signer, argv[1], argv[2]) && ok;
  curl_global_cleanup();
  nuvera_signer_free(signer);
  return ok ? 0 : 1;
}
