/*
 * Signs and POSTs two requests to the Nuvera API with libcurl: a JSON body and a multipart upload,
 * following the contract's client policy (SIGNING.md §8) through the library's exchange
 * (`nuvera_exchange_*`): the exchange decides, this program only carries out its answers.
 *
 * - curl sends exactly the bytes that were signed (the JSON text; the multipart body the library
 *   encoded) to the URL the signature covers.
 * - Redirects are followed here, not by curl (CURLOPT_FOLLOWLOCATION stays off): every hop is
 *   signed afresh (new iat and jti) for its own method and URL; a hop to another origin goes
 *   without x-api-key and Authorization, and https -> http is refused (INSECURE_REDIRECT). A 307
 *   or 308 keeps the method and the body; a 303 (and a 301/302 of a POST) becomes a GET without
 *   a body.
 * - A clock refusal (401 with a clock code) with a Date header corrects the signer's clock offset
 *   and sends once more; later requests of the same signer use the corrected offset, so a skewed
 *   clock costs one extra round trip per signer, not per request.
 *
 *   NUVERA_API_KEY=... NUVERA_PRIVATE_KEY_FILE=key.pem ./post_signed BASE_URL FILE [JSON_PATH]
 *
 * BASE_URL is e.g. https://api.nuvera.global (or a local test server). JSON_PATH (default
 * /api/v1/customers) is where the JSON body goes, e.g. a path answering with a redirect. Build:
 *
 *   cc post_signed.c $(pkg-config --cflags --libs nuvera_signing libcurl) -o post_signed
 *
 * Exit status 0 when both requests were finally answered 2xx.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep, strncasecmp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <nuvera_signing.h>

/* Prints a failed call's error (code and message: never a secret) and frees it. */
static int fail(const char *what, nuvera_error *err) {
  fprintf(stderr, "post_signed: %s: %s: %s\n", what, err ? err->code : "?",
          err ? err->message : "(no details)");
  nuvera_error_free(err);
  return 0;
}

/* The local Unix time in milliseconds (the uncorrected clock, as the exchange wants it). */
static int64_t now_ms(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The headers the exchange reads (Location, Date, Retry-After) are short; longer values and
 * headers beyond MAX_HEADERS are dropped, which the exchange then sees as absent. */
#define MAX_HEADERS 48
#define MAX_HEADER_LINE 1024

/* One response: its headers and the start of its body. */
struct response {
  char lines[MAX_HEADERS][MAX_HEADER_LINE]; /* "name\0value\0" */
  nuvera_header headers[MAX_HEADERS];
  size_t header_count;
  uint8_t *body; /* the first `capacity` bytes */
  size_t capacity;
  size_t len;
};

static size_t keep_header(char *data, size_t size, size_t count, void *user) {
  struct response *r = user;
  size_t n = size * count;
  char *line, *colon, *value, *end;
  if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
    r->header_count = 0; /* a new response (e.g. after an interim 1xx) */
    return n;
  }
  if (r->header_count == MAX_HEADERS || n >= MAX_HEADER_LINE) {
    return n;
  }
  line = r->lines[r->header_count];
  memcpy(line, data, n);
  line[n] = '\0';
  colon = strchr(line, ':');
  if (colon == NULL) {
    return n; /* the blank line ending the headers */
  }
  *colon = '\0';
  value = colon + 1;
  while (*value == ' ' || *value == '\t') {
    value++;
  }
  end = value + strlen(value);
  while (end > value && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) {
    *--end = '\0';
  }
  r->headers[r->header_count].name = line;
  r->headers[r->header_count].value = value;
  r->header_count++;
  return n;
}

static size_t keep_body(char *data, size_t size, size_t count, void *user) {
  struct response *r = user;
  size_t n = size * count;
  size_t room = r->capacity - r->len;
  memcpy(r->body + r->len, data, n < room ? n : room);
  r->len += n < room ? n : room;
  return n;
}

/* Sends one attempt: signs it when it carries credentials, and sends the body when it says so.
 * Returns the HTTP status, 0 on a failure (printed). */
static long send_attempt(const nuvera_signer *signer, const nuvera_attempt *attempt,
                         const char *content_type, const uint8_t *body, size_t len,
                         struct response *response) {
  nuvera_signed_request *signed_request = NULL;
  const char *api_key = NULL;
  const char *authorization = NULL;
  char *sendable = NULL;
  char header[4096];
  struct curl_slist *headers = NULL;
  nuvera_error *err = NULL;
  long status = 0;
  CURL *curl;
  CURLcode rc;

  if (attempt->credentials &&
      (nuvera_signer_sign_body(signer, attempt->method, attempt->url,
                               attempt->send_body ? content_type : NULL,
                               attempt->send_body ? body : NULL, attempt->send_body ? len : 0,
                               NULL, NULL, &signed_request, &err) != NUVERA_OK ||
       nuvera_signed_request_api_key(signed_request, &api_key, &err) != NUVERA_OK ||
       nuvera_signed_request_authorization(signed_request, &authorization, &err) != NUVERA_OK)) {
    nuvera_signed_request_free(signed_request);
    return fail("sign", err);
  }
  /* The normalized URL: what curl sends as the request target is what was signed. */
  if (nuvera_sendable_url(attempt->url, &sendable, &err) != NUVERA_OK) {
    nuvera_signed_request_free(signed_request);
    return fail("url", err);
  }
  if (api_key != NULL) {
    snprintf(header, sizeof header, "x-api-key: %s", api_key);
    headers = curl_slist_append(headers, header);
    snprintf(header, sizeof header, "Authorization: %s", authorization);
    headers = curl_slist_append(headers, header);
  }
  if (attempt->send_body) {
    snprintf(header, sizeof header, "Content-Type: %s", content_type);
    headers = curl_slist_append(headers, header);
  }
  headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */

  curl = curl_easy_init();
  if (curl != NULL) {
    curl_easy_setopt(curl, CURLOPT_URL, sendable);
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L); /* the normalized path is sent unchanged */
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L); /* the exchange follows redirects */
    if (attempt->send_body) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)body);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, attempt->method);
    } else if (strcmp(attempt->method, "GET") == 0) {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(attempt->method, "HEAD") == 0) {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, attempt->method);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keep_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, response);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, response);
    rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    } else {
      fprintf(stderr, "post_signed: %s %s: %s\n", attempt->method, sendable,
              curl_easy_strerror(rc));
    }
    curl_easy_cleanup(curl);
  }
  curl_slist_free_all(headers);
  nuvera_string_free(sendable);
  nuvera_signed_request_free(signed_request);
  return status;
}

/* One caller request through the exchange: sends, then does what the exchange answers each
 * response, until it is done. Prints every send; returns the final status (0 on a failure). */
static long send_signed(const nuvera_signer *signer, const char *method, const char *url,
                        const char *content_type, const uint8_t *body, size_t len,
                        struct response *response) {
  nuvera_exchange *exchange = NULL;
  nuvera_attempt attempt;
  nuvera_action action;
  nuvera_error *err = NULL;
  int64_t sent_at, received_at;
  long status = 0;

  if (nuvera_exchange_new(NULL /* the contract's defaults */, method, url, body != NULL, signer,
                          &exchange, &err) != NUVERA_OK ||
      nuvera_exchange_first(exchange, &attempt, &err) != NUVERA_OK) {
    nuvera_exchange_free(exchange);
    return fail("exchange", err);
  }
  for (;;) {
    response->header_count = 0;
    response->len = 0;
    sent_at = now_ms();
    status = send_attempt(signer, &attempt, content_type, body, len, response);
    received_at = now_ms();
    if (status == 0) {
      break;
    }
    printf("  %s %s%s: HTTP %ld\n", attempt.method, attempt.url,
           attempt.credentials ? "" : " (no credentials)", status);
    if (nuvera_exchange_on_response(exchange, (uint16_t)status, response->headers,
                                    response->header_count, response->body, response->len,
                                    sent_at, received_at, &action, &err) != NUVERA_OK) {
      status = fail("exchange", err);
      break;
    }
    if (action.kind == NUVERA_ACTION_DONE) {
      break;
    }
    printf("  -> %s\n", action.reason);
    if (action.delay_ms > 0) {
      struct timespec wait = {(time_t)(action.delay_ms / 1000),
                              (long)(action.delay_ms % 1000) * 1000000L};
      nanosleep(&wait, NULL);
    }
    attempt = action.attempt;
  }
  nuvera_exchange_free(exchange);
  return status;
}

/* Prints the final status and the start of the body. */
static int report(const char *what, const char *url, long status, const struct response *r) {
  int shown = r->len < 300 ? (int)r->len : 300;
  printf("POST %s (%s): HTTP %ld %.*s\n", url, what, status, shown, (const char *)r->body);
  return status >= 200 && status < 300;
}

static int post_json(const nuvera_signer *signer, const char *base, const char *path,
                     struct response *response) {
  const char *json = "{\"companyName\":\"Acme Imports\",\"countryOfIncorporationId\":\"SG\"}";
  char url[2048];
  long status;

  snprintf(url, sizeof url, "%s%s", base, path);
  status = send_signed(signer, "POST", url, "application/json", (const uint8_t *)json,
                       strlen(json), response);
  return report("JSON", url, status, response);
}

static int post_multipart(const nuvera_signer *signer, const char *base, const char *file,
                          struct response *response) {
  char url[1024];
  nuvera_multipart_form *form = NULL;
  nuvera_error *err = NULL;
  char *content_type = NULL;
  uint8_t *body = NULL;
  size_t len = 0;
  int ok = 0;

  snprintf(url, sizeof url, "%s/api/v1/documents", base);
  if (nuvera_multipart_form_new(&form, &err) != NUVERA_OK ||
      nuvera_multipart_form_add_field(form, "customerId", "c_42", &err) != NUVERA_OK ||
      nuvera_multipart_form_add_field(form, "type", "INCORPORATION", &err) != NUVERA_OK ||
      nuvera_multipart_form_add_file_path(form, "file", file, NULL, "application/pdf", &err) !=
          NUVERA_OK ||
      nuvera_multipart_form_content_type(form, &content_type, &err) != NUVERA_OK ||
      /* Encode once; every send signs these exact bytes (through their canonical object). */
      nuvera_multipart_form_encode(form, &body, &len, &err) != NUVERA_OK) {
    fail("multipart", err);
  } else {
    char what[64];
    long status = send_signed(signer, "POST", url, content_type, body, len, response);
    snprintf(what, sizeof what, "multipart, %lu bytes", (unsigned long)len);
    ok = report(what, url, status, response);
  }
  nuvera_bytes_free(body, len);
  nuvera_string_free(content_type);
  nuvera_multipart_form_free(form);
  return ok;
}

int main(int argc, char **argv) {
  const char *api_key = getenv("NUVERA_API_KEY");
  const char *key_file = getenv("NUVERA_PRIVATE_KEY_FILE");
  const char *passphrase = getenv("NUVERA_KEY_PASSPHRASE"); /* NULL when unset */
  const char *json_path = argc > 3 ? argv[3] : "/api/v1/customers";
  nuvera_private_key *key = NULL;
  nuvera_signer *signer = NULL;
  nuvera_error *err = NULL;
  struct response *response;
  int64_t offset = 0;
  int ok;

  if (argc < 3 || argc > 4 || api_key == NULL || key_file == NULL) {
    fprintf(stderr,
            "usage: NUVERA_API_KEY=... NUVERA_PRIVATE_KEY_FILE=... %s BASE_URL FILE [JSON_PATH]\n",
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

  /* Room for the largest 401 body the exchange reads, plus one byte to tell it was longer. */
  response = calloc(1, sizeof *response);
  if (response == NULL ||
      (response->body = malloc(nuvera_client_max_refusal_body() + 1)) == NULL) {
    free(response);
    nuvera_signer_free(signer);
    return 1;
  }
  response->capacity = nuvera_client_max_refusal_body() + 1;

  curl_global_init(CURL_GLOBAL_DEFAULT);
  ok = post_json(signer, argv[1], json_path, response);
  ok = post_multipart(signer, argv[1], argv[2], response) && ok;
  curl_global_cleanup();
  if (nuvera_signer_clock_offset(signer, &offset, &err) == NUVERA_OK && offset != 0) {
    printf("clock offset learnt from the server: %+lld s\n", (long long)offset);
  }
  free(response->body);
  free(response);
  nuvera_signer_free(signer);
  return ok ? 0 : 1;
}
