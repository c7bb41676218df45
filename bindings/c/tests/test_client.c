/*
 * C test of the client policy (contract §8) and the read-callback functions of
 * libnuvera_signing: redirects, retries, clock correction and failures through nuvera_exchange_*,
 * and bodies streamed through nuvera_read_fn. Expected values are the contract's (SIGNING.md §8:
 * 307 keeps the method, 303 becomes GET, another origin drops credentials, https -> http is
 * INSECURE_REDIRECT, the offset is Date - (sent + received) / 2) and, for streamed bodies, the
 * library's in-memory functions on the same bytes. The full table of cases
 * (testdata/client-policy/cases.json) runs in the Rust, Go and PHP tests.
 *
 *   test_client <testdata-dir>
 *
 * Built with -Wall -Wextra -Werror -pedantic and run under valgrind by scripts/test-c.
 * The last line is "N passed, N failed"; the exit status is 0 only when nothing failed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nuvera_signing.h"

static int passed;
static int failed;

static void check(int ok, const char *what) {
  if (ok) {
    passed++;
  } else {
    failed++;
    printf("FAIL: %s\n", what);
  }
}

static int expect_ok(nuvera_status status, nuvera_error **errp, const char *what) {
  if (status == NUVERA_OK && *errp == NULL) {
    passed++;
    return 1;
  }
  failed++;
  printf("FAIL: %s: status %d, %s: %s\n", what, (int)status, *errp ? (*errp)->code : "(no error)",
         *errp ? (*errp)->message : "");
  nuvera_error_free(*errp);
  *errp = NULL;
  return 0;
}

static void expect_err(nuvera_status status, nuvera_error **errp, const char *code,
                       const char *what) {
  int ok = status != NUVERA_OK && *errp != NULL && strcmp((*errp)->code, code) == 0;
  if (!ok) {
    printf("FAIL: %s: want %s, got status %d %s\n", what, code, (int)status,
           *errp ? (*errp)->code : "(no error)");
  }
  check(ok, what);
  nuvera_error_free(*errp);
  *errp = NULL;
}

static void expect_send(const nuvera_action *a, const char *method, const char *url,
                        bool send_body, bool credentials, uint64_t delay_ms, const char *reason,
                        const char *what) {
  int ok = a->kind == NUVERA_ACTION_SEND && strcmp(a->attempt.method, method) == 0 &&
           strcmp(a->attempt.url, url) == 0 && a->attempt.send_body == send_body &&
           a->attempt.credentials == credentials && a->delay_ms == delay_ms &&
           strcmp(a->reason, reason) == 0;
  if (!ok) {
    printf("FAIL: %s: got kind %d %s %s body=%d cred=%d delay=%llu %s\n", what, (int)a->kind,
           a->attempt.method ? a->attempt.method : "-", a->attempt.url ? a->attempt.url : "-",
           (int)a->attempt.send_body, (int)a->attempt.credentials,
           (unsigned long long)a->delay_ms, a->reason ? a->reason : "-");
  }
  check(ok, what);
}

/* A response with one header (or none when name is NULL) and a body. */
static nuvera_status respond(nuvera_exchange *ex, uint16_t status, const char *name,
                             const char *value, const char *body, int64_t sent, int64_t received,
                             nuvera_action *out, nuvera_error **err) {
  nuvera_header h;
  h.name = name;
  h.value = value;
  return nuvera_exchange_on_response(ex, status, name ? &h : NULL, name ? 1 : 0,
                                     (const uint8_t *)body, body ? strlen(body) : 0, sent,
                                     received, out, err);
}

static nuvera_signer *test_signer(const char *testdata) {
  char path[4096];
  nuvera_private_key *key = NULL;
  nuvera_signer *signer = NULL;
  nuvera_error *err = NULL;
  snprintf(path, sizeof path, "%s/keys/test-rsa2048-pkcs8.pem", testdata);
  expect_ok(nuvera_private_key_from_file(path, NULL, &key, &err), &err, "key");
  expect_ok(nuvera_signer_new(key, "nv_test_c_client", 0, &signer, &err), &err, "signer");
  nuvera_private_key_free(key);
  return signer;
}

static void test_policy_defaults(void) {
  nuvera_client_policy p;
  nuvera_error *err = NULL;
  expect_ok(nuvera_client_policy_init(&p, &err), &err, "policy init");
  check(p.max_redirects == 10 && p.correct_clock && !p.retry && p.retry_statuses == NULL &&
            p.retry_methods == NULL && p.max_attempts == 3 && p.base_delay_ms == 200 &&
            p.max_delay_ms == 10000,
        "the contract's defaults");
  check(nuvera_client_max_refusal_body() == 64 * 1024, "64 KiB of a refusal body");
  expect_err(nuvera_client_policy_init(NULL, &err), &err, "INVALID_ARGUMENT", "NULL policy");
}

static void test_redirects(void) {
  nuvera_exchange *ex = NULL;
  nuvera_attempt first;
  nuvera_action a;
  nuvera_error *err = NULL;
  const int64_t t = 1800000000000;

  expect_ok(nuvera_exchange_new(NULL, "post", "https://api.nuvera.test/api/v1/customers#x", true,
                                NULL, &ex, &err),
            &err, "exchange");
  expect_ok(nuvera_exchange_first(ex, &first, &err), &err, "first");
  check(strcmp(first.method, "POST") == 0 &&
            strcmp(first.url, "https://api.nuvera.test/api/v1/customers") == 0 &&
            first.send_body && first.credentials,
        "first: upper-cased method, no fragment, body, credentials");
  expect_ok(respond(ex, 307, "Location", "/api/v2/customers", "", t, t + 100, &a, &err), &err,
            "307");
  expect_send(&a, "POST", "https://api.nuvera.test/api/v2/customers", true, true, 0, "redirect",
              "307 keeps method and body");
  expect_ok(respond(ex, 303, "location", "/done", NULL, t, t + 100, &a, &err), &err, "303");
  expect_send(&a, "GET", "https://api.nuvera.test/done", false, true, 0, "redirect",
              "303 becomes GET without a body");
  expect_ok(respond(ex, 302, "Location", "https://elsewhere.test/x", NULL, t, t + 100, &a, &err),
            &err, "302");
  expect_send(&a, "GET", "https://elsewhere.test/x", false, false, 0, "redirect",
              "another origin: no credentials");
  expect_err(respond(ex, 302, "Location", "http://elsewhere.test/y", NULL, t, t + 100, &a, &err),
             &err, "INSECURE_REDIRECT", "https -> http");
  expect_err(respond(ex, 200, NULL, NULL, NULL, t, t + 100, &a, &err), &err, "OBJECT_CLOSED",
             "a finished exchange");
  nuvera_exchange_free(ex);

  ex = NULL;
  {
    nuvera_client_policy p;
    nuvera_client_policy_init(&p, NULL);
    p.max_redirects = 0;
    expect_ok(nuvera_exchange_new(&p, "GET", "http://localhost:8045/a", false, NULL, &ex, &err),
              &err, "exchange, no redirects");
    expect_err(respond(ex, 301, "Location", "/b", NULL, t, t, &a, &err), &err,
               "TOO_MANY_REDIRECTS", "max_redirects 0");
    nuvera_exchange_free(ex);
  }
  ex = NULL;
  expect_err(nuvera_exchange_new(NULL, "GET", "ftp://x.test/", false, NULL, &ex, &err), &err,
             "INVALID_URL", "ftp URL");
  check(ex == NULL, "no exchange on failure");
  expect_err(nuvera_exchange_new(NULL, NULL, "https://x.test/", false, NULL, &ex, &err), &err,
             "INVALID_ARGUMENT", "NULL method");
}

static void test_retries(void) {
  nuvera_client_policy p;
  nuvera_exchange *ex = NULL;
  nuvera_action a;
  nuvera_error *err = NULL;
  const double jitter[] = {0.5, 0.25};
  const uint16_t statuses[] = {500};
  const int64_t t = 1800000000000;

  nuvera_client_policy_init(&p, NULL);
  p.retry = true;
  expect_ok(nuvera_exchange_new(&p, "GET", "https://api.nuvera.test/x", false, NULL, &ex, &err),
            &err, "exchange with retries");
  expect_ok(nuvera_exchange_set_jitter(ex, jitter, 2, &err), &err, "jitter");
  expect_ok(respond(ex, 503, NULL, NULL, NULL, t, t, &a, &err), &err, "503");
  expect_send(&a, "GET", "https://api.nuvera.test/x", false, true, 100, "retry",
              "first retry: 0.5 of 200 ms");
  expect_ok(respond(ex, 429, "Retry-After", "3", NULL, t, t, &a, &err), &err, "429");
  expect_send(&a, "GET", "https://api.nuvera.test/x", false, true, 3000, "retry",
              "Retry-After in seconds");
  expect_ok(respond(ex, 503, NULL, NULL, NULL, t, t, &a, &err), &err, "503 again");
  check(a.kind == NUVERA_ACTION_DONE && a.reason == NULL, "3 attempts, then done");
  nuvera_exchange_free(ex);

  ex = NULL;
  p.retry_statuses = statuses;
  p.retry_status_count = 1;
  p.retry_methods = "get, post";
  expect_ok(nuvera_exchange_new(&p, "POST", "https://api.nuvera.test/x", true, NULL, &ex, &err),
            &err, "exchange retrying POST on 500");
  expect_ok(nuvera_exchange_set_jitter(ex, jitter, 1, &err), &err, "jitter");
  expect_ok(respond(ex, 500, NULL, NULL, NULL, t, t, &a, &err), &err, "500");
  expect_send(&a, "POST", "https://api.nuvera.test/x", true, true, 100, "retry", "POST retried");
  nuvera_exchange_free(ex);

  ex = NULL;
  p.retry_methods = "G ET";
  expect_err(nuvera_exchange_new(&p, "GET", "https://api.nuvera.test/x", false, NULL, &ex, &err),
             &err, "INVALID_METHOD", "a bad retry method");
  p.retry_methods = NULL;
  p.max_attempts = 0;
  expect_err(nuvera_exchange_new(&p, "GET", "https://api.nuvera.test/x", false, NULL, &ex, &err),
             &err, "INVALID_ARGUMENT", "max_attempts 0");
}

static void test_clock_correction(nuvera_signer *signer) {
  nuvera_exchange *ex = NULL;
  nuvera_signer *ahead = NULL;
  nuvera_action a;
  nuvera_error *err = NULL;
  int64_t offset = 1;
  /* Date is Sun, 06 Nov 1994 08:49:37 GMT = 784111777 s; the request went out 600 s earlier by
   * the local clock, and took 400 ms. */
  const int64_t sent = (784111777 - 600) * (int64_t)1000 - 200;
  const char *expired = "{\"errors\":[{\"code\":\"AUTH_TOKEN_EXPIRED\",\"message\":\"m\"}]}";

  expect_ok(nuvera_signer_clock_offset(signer, &offset, &err), &err, "offset");
  check(offset == 0, "a new signer's offset is 0");
  expect_ok(nuvera_exchange_new(NULL, "GET", "https://api.nuvera.test/x", false, signer, &ex,
                                &err),
            &err, "exchange with the signer");
  expect_ok(respond(ex, 401, "Date", "Sun, 06 Nov 1994 08:49:37 GMT", expired, sent, sent + 400,
                    &a, &err),
            &err, "401 expired");
  expect_send(&a, "GET", "https://api.nuvera.test/x", false, true, 0, "clock-correction",
              "sign again after the correction");
  expect_ok(nuvera_signer_clock_offset(signer, &offset, &err), &err, "offset");
  check(offset == 600, "the signer learnt Date - (sent + received) / 2 = 600 s");
  expect_ok(nuvera_exchange_clock_offset(ex, &offset, &err), &err, "exchange offset");
  check(offset == 600, "the exchange reads the signer's offset");
  expect_ok(respond(ex, 401, "Date", "Sun, 06 Nov 1994 08:49:37 GMT", expired, sent, sent + 400,
                    &a, &err),
            &err, "401 again");
  check(a.kind == NUVERA_ACTION_DONE, "corrected once per exchange");
  nuvera_exchange_free(ex);

  expect_ok(nuvera_signer_with_clock_offset(signer, -30, &ahead, &err), &err, "with offset");
  expect_ok(nuvera_signer_clock_offset(ahead, &offset, &err), &err, "offset");
  check(offset == -30, "a signer made with an offset");
  nuvera_signer_free(ahead);
  ahead = NULL;
  expect_err(nuvera_signer_with_clock_offset(signer, 86401, &ahead, &err), &err,
             "CLOCK_SKEW_TOO_LARGE", "over 24 h");
}

/* A body handed out in chunks of at most `step` bytes; fails at `fail_at` when not 0. */
typedef struct {
  const uint8_t *data;
  size_t len, pos, step, fail_at;
} chunks;

static ptrdiff_t read_chunks(void *ctx, uint8_t *buf, size_t cap) {
  chunks *c = ctx;
  size_t n = c->len - c->pos;
  if (c->fail_at != 0 && c->pos >= c->fail_at) {
    return -1;
  }
  if (n > cap) {
    n = cap;
  }
  if (n > c->step) {
    n = c->step;
  }
  memcpy(buf, c->data + c->pos, n);
  c->pos += n;
  return (ptrdiff_t)n;
}

static void test_read_callbacks(nuvera_signer *signer) {
  static const char json[] = "{\"companyName\":\"Acme Imports\"}";
  static const char ct[] = "multipart/form-data; boundary=Xy12";
  static const char wire[] = "--Xy12\r\nContent-Disposition: form-data; name=\"companyName\"\r\n"
                             "\r\nAcme Imports\r\n--Xy12--\r\n";
  chunks c = {(const uint8_t *)json, sizeof json - 1, 0, 3, 0};
  char *want = NULL, *got = NULL;
  uint64_t size = 0;
  const uint64_t iat = 1767225600;
  const char *t1 = NULL, *t2 = NULL;
  nuvera_signed_request *a = NULL, *b = NULL;
  nuvera_error *err = NULL;

  expect_ok(nuvera_body_hash((const uint8_t *)json, sizeof json - 1, &want, &err), &err, "hash");
  expect_ok(nuvera_body_hash_reader(read_chunks, &c, &got, &size, &err), &err, "hash reader");
  check(want && got && strcmp(want, got) == 0 && size == sizeof json - 1,
        "streamed in 3-byte chunks: the same hash and size");
  nuvera_string_free(got);
  nuvera_string_free(want);
  got = want = NULL;

  c.pos = 0;
  c.fail_at = 6;
  expect_err(nuvera_body_hash_reader(read_chunks, &c, &got, NULL, &err), &err, "IO_ERROR",
             "a failing callback");
  expect_err(nuvera_body_hash_reader(NULL, &c, &got, NULL, &err), &err, "INVALID_ARGUMENT",
             "a NULL callback");

  c = (chunks){(const uint8_t *)wire, sizeof wire - 1, 0, 5, 0};
  expect_ok(nuvera_multipart_body_hash(ct, (const uint8_t *)wire, sizeof wire - 1, &want, &err),
            &err, "multipart hash");
  expect_ok(nuvera_multipart_body_hash_reader(ct, read_chunks, &c, &got, &err), &err,
            "multipart hash reader");
  check(want && got && strcmp(want, got) == 0, "multipart streamed: the same hash");
  nuvera_string_free(got);
  nuvera_string_free(want);

  c.pos = 0;
  expect_ok(nuvera_signer_sign_multipart_wire(signer, "POST", "/api/v1/documents", ct,
                                              (const uint8_t *)wire, sizeof wire - 1, &iat, "j1",
                                              &a, &err),
            &err, "sign wire");
  expect_ok(nuvera_signer_sign_body_reader(signer, "POST", "/api/v1/documents", ct, read_chunks,
                                           &c, &iat, "j1", &b, &err),
            &err, "sign body reader (multipart)");
  nuvera_signed_request_token(a, &t1, NULL);
  nuvera_signed_request_token(b, &t2, NULL);
  check(t1 && t2 && strcmp(t1, t2) == 0, "multipart through the reader signs alike");
  nuvera_signed_request_free(a);
  nuvera_signed_request_free(b);
  a = b = NULL;

  c = (chunks){(const uint8_t *)json, sizeof json - 1, 0, 7, 0};
  expect_ok(nuvera_signer_sign(signer, "POST", "/api/v1/customers", (const uint8_t *)json,
                               sizeof json - 1, &iat, "j2", &a, &err),
            &err, "sign bytes");
  expect_ok(nuvera_signer_sign_reader(signer, "POST", "/api/v1/customers", read_chunks, &c, &iat,
                                      "j2", &b, &err),
            &err, "sign reader");
  nuvera_signed_request_token(a, &t1, NULL);
  nuvera_signed_request_token(b, &t2, NULL);
  check(t1 && t2 && strcmp(t1, t2) == 0, "a streamed body signs alike");
  nuvera_signed_request_free(b);
  b = NULL;
  expect_ok(nuvera_signer_sign_body_hash(
                signer, "POST", "/api/v1/customers",
                "9b1bb2cdc8f6bcd0cd1ab2b1bfef1e0f5b0b7a06b52cbad0e6e4bdbf2c8c2b34", &iat, "j2", &b,
                &err),
            &err, "sign a precomputed hash");
  nuvera_signed_request_free(b);
  b = NULL;
  expect_err(nuvera_signer_sign_body_hash(signer, "POST", "/x", "ABC", &iat, "j2", &b, &err), &err,
             "INVALID_BODY_HASH", "a malformed precomputed hash");
  nuvera_signed_request_free(a);
}

int main(int argc, char **argv) {
  nuvera_signer *signer;
  if (argc != 2) {
    fprintf(stderr, "usage: %s <testdata-dir>\n", argv[0]);
    return 2;
  }
  signer = test_signer(argv[1]);
  test_policy_defaults();
  test_redirects();
  test_retries();
  test_clock_correction(signer);
  test_read_callbacks(signer);
  nuvera_signer_free(signer);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
