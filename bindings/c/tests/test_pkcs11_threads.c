/*
 * C test of libnuvera_signing's PKCS#11 keys against a real SoftHSM2 token, and of one signer
 * shared by several POSIX threads (an in-memory key and the token's key). Expected tokens come
 * from testdata/vectors/signing-vectors.json through vectors.h (gen_vectors.py).
 *
 *   test_pkcs11_threads <testdata-dir> <pkcs11-module> <token-label> <pin-env> <pin-file>
 *                       <wrong-pin-file>
 *
 * scripts/test-c makes the token (softhsm2-util, SOFTHSM2_CONF in a temporary directory, the
 * vectors' key imported under label "signing", id 01), sets the PIN in the variable <pin-env>,
 * and runs this under valgrind. The last line is "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nuvera_signing.h"
#include "vectors.h"

#define KEY_LABEL "signing"
#define KEY_ID_HEX "01"
#define THREADS 4
#define ROUNDS_PER_THREAD 3

static int passed;
static int failed;
static const char *testdata;
static const char *module;
static const char *token_label;
static const char *pin_env;
static const char *pin_file;
static const char *wrong_pin_file;
/* The counters are updated by several threads. */
static pthread_mutex_t counters = PTHREAD_MUTEX_INITIALIZER;

static void check(int ok, const char *what, const char *detail) {
  pthread_mutex_lock(&counters);
  if (ok) {
    passed++;
  } else {
    failed++;
    printf("FAIL: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  }
  pthread_mutex_unlock(&counters);
}

/* Expects success; reports and frees the error otherwise. */
static int expect_ok(nuvera_status status, nuvera_error **errp, const char *what) {
  char detail[768];
  if (status == NUVERA_OK && *errp == NULL) {
    check(1, what, NULL);
    return 1;
  }
  snprintf(detail, sizeof detail, "status %d, %s: %s", (int)status,
           *errp ? (*errp)->code : "(no error)", *errp ? (*errp)->message : "");
  check(0, what, detail);
  nuvera_error_free(*errp);
  *errp = NULL;
  return 0;
}

/* Expects a failure with this status and code, whose message does not contain `secret` (may be
 * NULL); frees the error. */
static void expect_err(nuvera_status status, nuvera_error **errp, nuvera_status want_status,
                       const char *want_code, const char *secret, const char *what) {
  nuvera_error *err = *errp;
  char detail[768];
  int ok = status == want_status && err != NULL && strcmp(err->code, want_code) == 0 &&
           err->message[0] != '\0' && (secret == NULL || strstr(err->message, secret) == NULL);
  snprintf(detail, sizeof detail, "want %d %s, got %d %s (%s)", (int)want_status, want_code,
           (int)status, err ? err->code : "(no error)", err ? err->message : "");
  check(ok, what, ok ? NULL : detail);
  nuvera_error_free(err);
  *errp = NULL;
}

static char *path_in(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p == NULL) {
    abort();
  }
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if (f == NULL) {
    printf("cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    abort();
  }
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* Signs vector `v` with `signer` and compares the token with the vector's; 1 when equal. */
static int signs_vector(const nuvera_signer *signer, const jwt_vector *v, const char *what) {
  nuvera_signed_request *req = NULL;
  nuvera_error *err = NULL;
  const char *token = NULL;
  int ok = 0;
  char detail[256];
  nuvera_status status = nuvera_signer_sign(signer, v->method, v->url, v->body, v->body_len,
                                            &v->iat, v->jti, &req, &err);
  if (status == NUVERA_OK &&
      nuvera_signed_request_token(req, &token, &err) == NUVERA_OK) {
    ok = strcmp(token, v->token) == 0;
  }
  snprintf(detail, sizeof detail, "%s: %s", v->name, err ? err->message : "token differs");
  check(ok, what, ok ? NULL : detail);
  nuvera_error_free(err);
  nuvera_signed_request_free(req);
  return ok;
}

/* A signer per distinct (api key, lifetime) of the vectors would do; one per vector is simpler. */
static void sign_every_vector(const nuvera_private_key *key, const char *what) {
  size_t i;
  for (i = 0; i < N_JWT_VECTORS; i++) {
    const jwt_vector *v = &JWT_VECTORS[i];
    nuvera_signer *signer = NULL;
    nuvera_error *err = NULL;
    if (expect_ok(nuvera_signer_new(key, v->api_key, v->lifetime, &signer, &err), &err,
                  "signer")) {
      signs_vector(signer, v, what);
    }
    nuvera_signer_free(signer);
  }
}

static nuvera_private_key *token_key_by_label(void) {
  nuvera_private_key *key = NULL;
  nuvera_error *err = NULL;
  expect_ok(nuvera_remote_key_from_pkcs11(module, token_label, NULL, KEY_LABEL, NULL, pin_env,
                                          NULL, &key, &err),
            &err, "PKCS#11 key by token label, key label, PIN from the environment");
  return key;
}

/* Every vector byte for byte through the token; the token's public key is the vectors' key. */
static void test_pkcs11_vectors(void) {
  nuvera_private_key *key = token_key_by_label();
  nuvera_private_key *by_id = NULL;
  nuvera_error *err = NULL;
  char *public_path = path_in(testdata, "keys/test-rsa2048-public.pem");
  char *want_pem = read_file(public_path);
  char *pem = NULL;
  char *fingerprint = NULL;
  char *want_fingerprint = NULL;
  if (key != NULL) {
    expect_ok(nuvera_private_key_check(key, &err), &err, "the start-up check of a PKCS#11 key");
    sign_every_vector(key, "a vector through the PKCS#11 token");
    if (expect_ok(nuvera_private_key_fingerprint(key, &fingerprint, &err), &err, "fingerprint") &&
        expect_ok(nuvera_public_key_fingerprint(want_pem, &want_fingerprint, &err), &err,
                  "fingerprint of the vectors' public key")) {
      check(strcmp(fingerprint, want_fingerprint) == 0,
            "the token's key has the vectors' fingerprint", fingerprint);
    }
  }
  /* The key by its CKA_ID, the PIN from a file (with a trailing line break, as echo writes). */
  if (expect_ok(nuvera_remote_key_from_pkcs11(module, token_label, NULL, NULL, KEY_ID_HEX, NULL,
                                              pin_file, &by_id, &err),
                &err, "PKCS#11 key by id, PIN from a file") &&
      expect_ok(nuvera_private_key_public_pem(by_id, &pem, &err), &err, "public PEM")) {
    check(strcmp(pem, want_pem) == 0, "the public key is read from the token", pem);
  }
  nuvera_string_free(pem);
  nuvera_string_free(fingerprint);
  nuvera_string_free(want_fingerprint);
  nuvera_private_key_free(by_id);
  nuvera_private_key_free(key);
  free(want_pem);
  free(public_path);
}

/* Each failure has its code; no message shows the PIN. */
static void test_pkcs11_errors(void) {
  nuvera_private_key *key = NULL;
  nuvera_error *err = NULL;
  const uint64_t slot = 0;
  const char *pin = getenv(pin_env);
  expect_err(nuvera_remote_key_from_pkcs11(module, token_label, NULL, KEY_LABEL, NULL, NULL,
                                           wrong_pin_file, &key, &err),
             &err, NUVERA_ERROR, "REMOTE_SIGNER_FAILED", "wrong-pin", "a PIN the token refuses");
  expect_err(nuvera_remote_key_from_pkcs11(module, "no-such-token", NULL, KEY_LABEL, NULL,
                                           pin_env, NULL, &key, &err),
             &err, NUVERA_ERROR, "REMOTE_SIGNER_FAILED", pin, "a token that is not there");
  expect_err(nuvera_remote_key_from_pkcs11(module, token_label, NULL, "no-such-key", NULL,
                                           pin_env, NULL, &key, &err),
             &err, NUVERA_ERROR, "REMOTE_SIGNER_FAILED", pin, "a key that is not there");
  expect_err(nuvera_remote_key_from_pkcs11("/nonexistent/libpkcs11.so", token_label, NULL,
                                           KEY_LABEL, NULL, pin_env, NULL, &key, &err),
             &err, NUVERA_ERROR, "REMOTE_SIGNER_FAILED", pin, "a module that is not there");
  expect_err(nuvera_remote_key_from_pkcs11(module, token_label, &slot, KEY_LABEL, NULL, pin_env,
                                           NULL, &key, &err),
             &err, NUVERA_ERROR, "INVALID_ARGUMENT", pin, "both a token label and a slot");
  expect_err(nuvera_remote_key_from_pkcs11(module, token_label, NULL, KEY_LABEL, KEY_ID_HEX,
                                           pin_env, NULL, &key, &err),
             &err, NUVERA_ERROR, "INVALID_ARGUMENT", pin, "both a key label and an id");
  expect_err(nuvera_remote_key_from_pkcs11(module, token_label, NULL, NULL, "0x1", pin_env, NULL,
                                           &key, &err),
             &err, NUVERA_ERROR, "INVALID_ARGUMENT", pin, "a key id that is not hex");
  expect_err(nuvera_remote_key_from_pkcs11(module, token_label, NULL, KEY_LABEL, NULL,
                                           "NUVERA_C_TEST_UNSET_PIN_VARIABLE", NULL, &key, &err),
             &err, NUVERA_ERROR, "INVALID_ARGUMENT", pin, "an unset PIN variable");
  expect_err(nuvera_remote_key_from_pkcs11(module, token_label, NULL, KEY_LABEL, NULL, NULL, NULL,
                                           &key, &err),
             &err, NUVERA_ERROR, "INVALID_ARGUMENT", pin, "no PIN source");
  expect_err(nuvera_remote_key_from_pkcs11(NULL, token_label, NULL, KEY_LABEL, NULL, pin_env,
                                           NULL, &key, &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", pin, "a NULL module");
  expect_err(nuvera_remote_key_from_pkcs11(module, token_label, NULL, KEY_LABEL, NULL, pin_env,
                                           NULL, NULL, &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", pin, "a NULL out");
  check(key == NULL, "no key on failure", NULL);
}

typedef struct {
  const nuvera_signer *signer;
  const jwt_vector *vector;
  int equal;
} worker;

static void *sign_in_thread(void *arg) {
  worker *w = arg;
  int round;
  for (round = 0; round < ROUNDS_PER_THREAD; round++) {
    w->equal += signs_vector(w->signer, w->vector, "a vector signed from a thread");
  }
  return NULL;
}

/* One signer, THREADS threads signing at once (the signer is used through a const pointer, as
 * the header allows); every token is the vector's. */
static void test_one_signer_many_threads(const nuvera_private_key *key, const char *what) {
  const jwt_vector *v = &JWT_VECTORS[0];
  nuvera_signer *signer = NULL;
  nuvera_error *err = NULL;
  pthread_t threads[THREADS];
  worker workers[THREADS];
  int started = 0;
  int i;
  int equal = 0;
  if (key == NULL ||
      !expect_ok(nuvera_signer_new(key, v->api_key, v->lifetime, &signer, &err), &err, what)) {
    return;
  }
  for (i = 0; i < THREADS; i++) {
    workers[i].signer = signer;
    workers[i].vector = v;
    workers[i].equal = 0;
    if (pthread_create(&threads[i], NULL, sign_in_thread, &workers[i]) == 0) {
      started++;
    }
  }
  for (i = 0; i < started; i++) {
    pthread_join(threads[i], NULL);
    equal += workers[i].equal;
  }
  check(started == THREADS, "all threads started", what);
  check(equal == THREADS * ROUNDS_PER_THREAD, "every token from every thread is the vector's",
        what);
  nuvera_signer_free(signer);
}

int main(int argc, char **argv) {
  nuvera_private_key *in_memory = NULL;
  nuvera_private_key *in_token = NULL;
  nuvera_error *err = NULL;
  char *key_path;
  if (argc != 7) {
    fprintf(stderr,
            "usage: %s <testdata> <module> <token-label> <pin-env> <pin-file> <wrong-pin-file>\n",
            argv[0]);
    return 2;
  }
  testdata = argv[1];
  module = argv[2];
  token_label = argv[3];
  pin_env = argv[4];
  pin_file = argv[5];
  wrong_pin_file = argv[6];
  check(N_JWT_VECTORS > 0 && getenv(pin_env) != NULL, "vectors and the PIN variable present",
        NULL);

  test_pkcs11_vectors();
  test_pkcs11_errors();

  key_path = path_in(testdata, VECTOR_KEY);
  expect_ok(nuvera_private_key_from_file(key_path, NULL, &in_memory, &err), &err,
            "the vectors' key");
  expect_ok(nuvera_private_key_check(in_memory, &err), &err,
            "an in-memory key has nothing to check");
  expect_err(nuvera_private_key_check(NULL, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", NULL, "checking a NULL key");
  test_one_signer_many_threads(in_memory, "one signer with an in-memory key, many threads");
  in_token = token_key_by_label();
  test_one_signer_many_threads(in_token, "one signer with a PKCS#11 key, many threads");
  nuvera_private_key_free(in_memory);
  nuvera_private_key_free(in_token);
  free(key_path);

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
