/*
 * C test of libnuvera_signing: every public vector of testdata/ byte for byte, and every error
 * path. Expected values come from testdata/vectors/signing-vectors.json, through the header that
 * gen_vectors.py generates at test time (vectors.h), and from testdata/keys/.
 *
 *   test_nuvera <testdata-dir> <scratch-dir>
 *
 * Built with -Wall -Wextra -Werror -pedantic and run under valgrind by scripts/test-c.
 * The last line is "N passed, N failed"; the exit status is 0 only when nothing failed.
 */
/* popen/pclose (POSIX) for the callback-key test's stand-in KMS. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nuvera_signing.h"
#include "vectors.h"

static int passed;
static int failed;
static const char *testdata;
static const char *scratch;

static void check(int ok, const char *what, const char *detail) {
  if (ok) {
    passed++;
  } else {
    failed++;
    printf("FAIL: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  }
}

/* Both take the error's address, not its value: C leaves the order in which a call's arguments
 * are evaluated unspecified, so expect_ok(f(&err), err, ...) could read err before f sets it. */

/* Expects success; reports and frees the error otherwise. */
static int expect_ok(nuvera_status status, nuvera_error **errp, const char *what) {
  nuvera_error *err = errp ? *errp : NULL;
  char detail[512];
  if (status == NUVERA_OK && err == NULL) {
    passed++;
    return 1;
  }
  snprintf(detail, sizeof detail, "status %d, %s: %s", (int)status, err ? err->code : "(no error)",
           err ? err->message : "");
  check(0, what, detail);
  nuvera_error_free(err);
  *errp = NULL;
  return 0;
}

/* Expects a failure with this status and code; frees the error. */
static void expect_err(nuvera_status status, nuvera_error **errp, nuvera_status want_status,
                       const char *want_code, const char *what) {
  nuvera_error *err = errp ? *errp : NULL;
  char detail[512];
  int ok = status == want_status && err != NULL && err->status == want_status &&
           strcmp(err->code, want_code) == 0 && err->message != NULL && err->message[0] != '\0';
  snprintf(detail, sizeof detail, "want %d %s, got %d %s (%s)", (int)want_status, want_code,
           (int)status, err ? err->code : "(no error)", err ? err->message : "");
  check(ok, what, ok ? NULL : detail);
  nuvera_error_free(err);
  if (errp) {
    *errp = NULL;
  }
}

/* As expect_err, and the message must not contain `secret`. */
static void expect_err_no_secret(nuvera_status status, nuvera_error **errp,
                                 nuvera_status want_status, const char *want_code,
                                 const char *secret, const char *what) {
  const nuvera_error *err = errp ? *errp : NULL;
  check(err != NULL && err->message != NULL && strstr(err->message, secret) == NULL,
        "no secret in the error message", what);
  expect_err(status, errp, want_status, want_code, what);
}

static void expect_str(const char *got, const char *want, const char *what) {
  int ok = got != NULL && strcmp(got, want) == 0;
  char detail[2048];
  snprintf(detail, sizeof detail, "got \"%.900s\", want \"%.900s\"", got ? got : "(null)", want);
  check(ok, what, ok ? NULL : detail);
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

/* Reads a whole file; NUL-terminated (the length excludes the NUL). */
static char *read_file(const char *path, size_t *len) {
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
  if (len) {
    *len = (size_t)n;
  }
  return buf;
}

static void write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
    printf("cannot write %s\n", path);
    exit(2);
  }
}

static nuvera_private_key *load_key(const char *name, const char *passphrase) {
  char *path = path_in(testdata, name);
  nuvera_private_key *key = NULL;
  nuvera_error *err = NULL;
  expect_ok(nuvera_private_key_from_file(path, passphrase, &key, &err), &err, name);
  free(path);
  return key;
}

/* ------------------------------------------------------------------------------------------ */

static void test_uri_vectors(void) {
  size_t i;
  for (i = 0; i < N_URI_VECTORS; i++) {
    char *uri = NULL;
    nuvera_error *err = NULL;
    if (expect_ok(nuvera_request_uri(URI_VECTORS[i].url, &uri, &err), &err, "request_uri")) {
      expect_str(uri, URI_VECTORS[i].uri, URI_VECTORS[i].url);
    }
    nuvera_string_free(uri);
  }
}

static void test_multipart_wire_vectors(void) {
  size_t i;
  for (i = 0; i < N_MULTIPART_VECTORS; i++) {
    const multipart_vector *v = &MULTIPART_VECTORS[i];
    char *hash = NULL;
    char *canonical = NULL;
    char *received = NULL;
    nuvera_error *err = NULL;
    if (expect_ok(nuvera_multipart_body_hash(v->content_type, v->body, v->body_len, &hash, &err),
                  &err, v->name)) {
      expect_str(hash, v->body_hash, v->name);
    }
    err = NULL;
    if (expect_ok(nuvera_multipart_canonical_json(v->content_type, v->body, v->body_len,
                                                  &canonical, &err),
                  &err, v->name)) {
      expect_str(canonical, v->canonical, v->name);
    }
    err = NULL;
    if (expect_ok(nuvera_received_body_hash(v->content_type, v->body, v->body_len, &received,
                                            &err),
                  &err, v->name)) {
      expect_str(received, v->body_hash, "received_body_hash of a multipart body");
    }
    nuvera_string_free(hash);
    nuvera_string_free(canonical);
    nuvera_string_free(received);
  }
}

/* Builds the vector's form from its parts, in memory or (by_path) through files. */
static nuvera_multipart_form *vector_form(const multipart_vector *v, int by_path) {
  nuvera_multipart_form *form = NULL;
  nuvera_error *err = NULL;
  size_t j;
  if (!expect_ok(nuvera_multipart_form_new(&form, &err), &err, "form_new")) {
    return NULL;
  }
  for (j = 0; j < v->n_fields; j++) {
    err = NULL;
    expect_ok(nuvera_multipart_form_add_field(form, v->fields[j].name, v->fields[j].value, &err),
              &err, "add_field");
  }
  for (j = 0; j < v->n_files; j++) {
    const mp_file *f = &v->files[j];
    err = NULL;
    if (by_path) {
      char name[64];
      char *path;
      snprintf(name, sizeof name, "part-%u", (unsigned)j);
      path = path_in(scratch, name);
      write_file(path, f->bytes, f->len);
      expect_ok(nuvera_multipart_form_add_file_path(form, f->field_name, path, f->file_name,
                                                    f->mime_type, &err),
                &err, "add_file_path");
      free(path);
    } else {
      expect_ok(nuvera_multipart_form_add_file_bytes(form, f->field_name, f->file_name, f->bytes,
                                                     f->len, f->mime_type, &err),
                &err, "add_file_bytes");
    }
  }
  return form;
}

static void test_multipart_structured_vectors(void) {
  size_t i;
  for (i = 0; i < N_MULTIPART_VECTORS; i++) {
    const multipart_vector *v = &MULTIPART_VECTORS[i];
    int by_path;
    for (by_path = 0; by_path < 2; by_path++) {
      nuvera_multipart_form *form = vector_form(v, by_path);
      char *hash = NULL;
      char *canonical = NULL;
      char *content_type = NULL;
      char *rehash = NULL;
      uint8_t *wire = NULL;
      size_t wire_len = 0;
      nuvera_error *err = NULL;
      if (form == NULL) {
        continue;
      }
      if (expect_ok(nuvera_multipart_form_body_hash(form, &hash, &err), &err, v->name)) {
        expect_str(hash, v->body_hash, v->name);
      }
      err = NULL;
      if (expect_ok(nuvera_multipart_form_canonical_json(form, &canonical, &err), &err, v->name)) {
        expect_str(canonical, v->canonical, v->name);
      }
      /* The form's own encoding hashes (as a wire body) to the vector's bodyHash. */
      err = NULL;
      expect_ok(nuvera_multipart_form_content_type(form, &content_type, &err), &err,
                "form_content_type");
      check(content_type != NULL &&
                strncmp(content_type, "multipart/form-data; boundary=", 30) == 0,
            "form content type", content_type);
      err = NULL;
      if (expect_ok(nuvera_multipart_form_encode(form, &wire, &wire_len, &err), &err,
                    "form_encode") &&
          content_type != NULL) {
        err = NULL;
        if (expect_ok(nuvera_multipart_body_hash(content_type, wire, wire_len, &rehash, &err), &err,
                      "hash of the form's encoding")) {
          expect_str(rehash, v->body_hash, "hash of the form's encoding");
        }
      }
      nuvera_string_free(hash);
      nuvera_string_free(canonical);
      nuvera_string_free(content_type);
      nuvera_string_free(rehash);
      nuvera_bytes_free(wire, wire_len);
      nuvera_multipart_form_free(form);
    }
  }
}

static void test_multipart_encode_to_file(void) {
  const multipart_vector *v = &MULTIPART_VECTORS[N_MULTIPART_VECTORS > 2 ? 2 : 0];
  nuvera_multipart_form *form = vector_form(v, 1);
  char *path = path_in(scratch, "encoded.bin");
  char *content_type = NULL;
  char *hash = NULL;
  char *form_hash = NULL;
  char *wire;
  size_t wire_len;
  nuvera_error *err = NULL;
  if (form == NULL) {
    free(path);
    return;
  }
  expect_ok(nuvera_multipart_form_encode_to_file(form, path, &err), &err, "encode_to_file");
  err = NULL;
  expect_ok(nuvera_multipart_form_content_type(form, &content_type, &err), &err, "content_type");
  err = NULL;
  expect_ok(nuvera_multipart_form_body_hash(form, &form_hash, &err), &err, "form body_hash");
  if (form_hash) {
    expect_str(form_hash, v->body_hash, "body hash after encode_to_file");
  }
  wire = read_file(path, &wire_len);
  err = NULL;
  if (content_type &&
      expect_ok(nuvera_multipart_body_hash(content_type, (const uint8_t *)wire, wire_len, &hash,
                                           &err),
                &err, "hash of the encoded file")) {
    expect_str(hash, v->body_hash, "hash of the encoded file");
  }
  free(wire);
  free(path);
  nuvera_string_free(content_type);
  nuvera_string_free(hash);
  nuvera_string_free(form_hash);
  nuvera_multipart_form_free(form);
}

static void test_body_hash(void) {
  size_t i;
  for (i = 0; i < N_JWT_VECTORS; i++) {
    const jwt_vector *v = &JWT_VECTORS[i];
    char *hash = NULL;
    char *file_hash = NULL;
    char *path = path_in(scratch, "body.bin");
    uint64_t size = 0;
    nuvera_error *err = NULL;
    if (expect_ok(nuvera_body_hash(v->body, v->body_len, &hash, &err), &err, "body_hash")) {
      expect_str(hash, v->body_hash, v->name);
    }
    write_file(path, v->body, v->body_len);
    err = NULL;
    if (expect_ok(nuvera_body_hash_file(path, &file_hash, &size, &err), &err, "body_hash_file")) {
      expect_str(file_hash, v->body_hash, v->name);
      check(size == v->body_len, "body_hash_file size", v->name);
    }
    nuvera_string_free(hash);
    nuvera_string_free(file_hash);
    free(path);
  }
}

static void check_signed(nuvera_signed_request *req, const jwt_vector *v) {
  const char *token = NULL;
  const char *auth = NULL;
  const char *api_key = NULL;
  const char *claims = NULL;
  const char *proof = NULL;
  char bearer[4096];
  nuvera_error *err = NULL;
  if (expect_ok(nuvera_signed_request_token(req, &token, &err), &err, "token")) {
    expect_str(token, v->token, v->name);
  }
  err = NULL;
  if (expect_ok(nuvera_signed_request_authorization(req, &auth, &err), &err, "authorization")) {
    snprintf(bearer, sizeof bearer, "Bearer %s", v->token);
    expect_str(auth, bearer, v->name);
  }
  err = NULL;
  if (expect_ok(nuvera_signed_request_api_key(req, &api_key, &err), &err, "api_key")) {
    expect_str(api_key, v->api_key, v->name);
  }
  err = NULL;
  if (expect_ok(nuvera_signed_request_claims_json(req, &claims, &err), &err, "claims_json")) {
    expect_str(claims, v->payload, v->name);
  }
  err = NULL;
  if (expect_ok(nuvera_signed_request_proof_json(req, &proof, &err), &err, "proof_json")) {
    check(strstr(proof, v->body_hash) != NULL, "proof names the body hash", v->name);
    check(strstr(proof, v->token) == NULL, "proof does not hold the token", v->name);
    check(strlen(v->api_key) <= 4 || strstr(proof, v->api_key) == NULL,
          "proof does not hold the API key", v->name);
  }
}

static void test_jwt_vectors(void) {
  const char *key_name = VECTOR_KEY;
  nuvera_private_key *key = load_key(key_name, NULL);
  size_t i;
  if (key == NULL) {
    return;
  }
  for (i = 0; i < N_JWT_VECTORS; i++) {
    const jwt_vector *v = &JWT_VECTORS[i];
    nuvera_signer *signer = NULL;
    nuvera_signed_request *req = NULL;
    nuvera_error *err = NULL;
    char *uri = NULL;
    if (!expect_ok(nuvera_signer_new(key, v->api_key, v->lifetime, &signer, &err), &err,
                   v->name)) {
      continue;
    }
    err = NULL;
    if (expect_ok(nuvera_signer_sign(signer, v->method, v->url, v->body, v->body_len, &v->iat,
                                     v->jti, &req, &err),
                  &err, v->name)) {
      check_signed(req, v);
    }
    err = NULL;
    if (expect_ok(nuvera_request_uri(v->url, &uri, &err), &err, "request_uri")) {
      expect_str(uri, v->uri, v->name);
    }
    nuvera_string_free(uri);
    nuvera_signed_request_free(req);
    nuvera_signer_free(signer);
  }
  nuvera_private_key_free(key);
}

/* Every form of the 2048-bit key gives the first vector's token. */
static void test_every_key_form(void) {
  const jwt_vector *v = &JWT_VECTORS[0];
  const char *files[] = {"keys/test-rsa2048-pkcs8.pem", "keys/test-rsa2048-pkcs1.pem",
                         "keys/test-rsa2048-encrypted-pkcs8.pem",
                         "keys/test-rsa2048-pkcs8-escaped-newlines.txt"};
  char *fingerprint0 = NULL;
  size_t i;
  for (i = 0; i < 2 * (sizeof files / sizeof files[0]); i++) {
    const char *name = files[i / 2];
    const char *pass = strstr(name, "encrypted") ? "correct horse battery staple" : NULL;
    nuvera_private_key *key = NULL;
    nuvera_signer *signer = NULL;
    nuvera_signed_request *req = NULL;
    nuvera_error *err = NULL;
    char *fingerprint = NULL;
    if (i % 2 == 0) {
      key = load_key(name, pass);
    } else {
      char *path = path_in(testdata, name);
      char *pem = read_file(path, NULL);
      expect_ok(nuvera_private_key_from_pem(pem, pass, &key, &err), &err, name);
      free(pem);
      free(path);
    }
    if (key == NULL) {
      continue;
    }
    err = NULL;
    expect_ok(nuvera_private_key_fingerprint(key, &fingerprint, &err), &err, "fingerprint");
    if (fingerprint0 == NULL) {
      fingerprint0 = fingerprint;
    } else {
      expect_str(fingerprint, fingerprint0, "same fingerprint for every form");
      nuvera_string_free(fingerprint);
    }
    err = NULL;
    expect_ok(nuvera_signer_new(key, v->api_key, 0, &signer, &err), &err, "signer_new");
    nuvera_private_key_free(key); /* the signer keeps its own reference */
    err = NULL;
    if (signer && expect_ok(nuvera_signer_sign(signer, v->method, v->url, v->body, v->body_len,
                                               &v->iat, v->jti, &req, &err),
                            &err, name)) {
      const char *token = NULL;
      err = NULL;
      expect_ok(nuvera_signed_request_token(req, &token, &err), &err, "token");
      expect_str(token, v->token, name);
    }
    nuvera_signed_request_free(req);
    nuvera_signer_free(signer);
  }
  nuvera_string_free(fingerprint0);
}

static void test_public_key(void) {
  nuvera_private_key *key = load_key("keys/test-rsa2048-pkcs8.pem", NULL);
  char *path = path_in(testdata, "keys/test-rsa2048-public.pem");
  char *want = read_file(path, NULL);
  char *pem = NULL;
  size_t bits = 0;
  size_t n;
  nuvera_error *err = NULL;
  if (key != NULL) {
    if (expect_ok(nuvera_private_key_public_pem(key, &pem, &err), &err, "public_pem")) {
      /* Compare without trailing line breaks. */
      n = strlen(want);
      while (n > 0 && (want[n - 1] == '\n' || want[n - 1] == '\r')) {
        want[--n] = '\0';
      }
      n = strlen(pem);
      while (n > 0 && (pem[n - 1] == '\n' || pem[n - 1] == '\r')) {
        pem[--n] = '\0';
      }
      expect_str(pem, want, "public PEM equals testdata/keys/test-rsa2048-public.pem");
    }
    err = NULL;
    if (expect_ok(nuvera_private_key_bits(key, &bits, &err), &err, "bits")) {
      check(bits == 2048, "2048-bit key", NULL);
    }
  }
  nuvera_string_free(pem);
  free(want);
  free(path);
  nuvera_private_key_free(key);
}

static void test_sign_multipart(void) {
  const multipart_vector *v = &MULTIPART_VECTORS[N_MULTIPART_VECTORS > 2 ? 2 : 0];
  nuvera_private_key *key = load_key("keys/test-rsa2048-pkcs8.pem", NULL);
  nuvera_signer *signer = NULL;
  int encoded;
  nuvera_error *err = NULL;
  char want[128];
  uint64_t iat = JWT_VECTORS[0].iat;
  snprintf(want, sizeof want, "\"bodyHash\":\"%s\"", v->body_hash);
  if (key == NULL ||
      !expect_ok(nuvera_signer_new(key, "nv_test_0000", 0, &signer, &err), &err, "signer_new")) {
    nuvera_private_key_free(key);
    return;
  }
  for (encoded = 0; encoded < 2; encoded++) {
    nuvera_multipart_form *form = vector_form(v, encoded);
    nuvera_signed_request *req = NULL;
    const char *claims = NULL;
    uint8_t *wire = NULL;
    size_t wire_len = 0;
    err = NULL;
    if (encoded) {
      expect_ok(nuvera_multipart_form_encode(form, &wire, &wire_len, &err), &err, "encode");
      err = NULL;
    }
    if (expect_ok(nuvera_signer_sign_multipart(signer, "POST",
                                               "https://api.nuvera.global/api/v1/documents", form,
                                               &iat, NULL, &req, &err),
                  &err, "sign_multipart")) {
      err = NULL;
      expect_ok(nuvera_signed_request_claims_json(req, &claims, &err), &err, "claims");
      check(claims != NULL && strstr(claims, want) != NULL, "multipart claims bodyHash", claims);
    }
    nuvera_bytes_free(wire, wire_len);
    nuvera_signed_request_free(req);
    nuvera_multipart_form_free(form);
  }
  nuvera_signer_free(signer);
  nuvera_private_key_free(key);
}

/* ------------------------------------------------------------------------------------------ */
/* Signing bodies as HTTP clients hold them: by Content-Type, an encoded multipart body, a file */

/* Takes the request's address, as expect_ok takes the error's: the call fills it in. Frees it. */
static void expect_claims_hash(nuvera_status status, nuvera_error **errp,
                               nuvera_signed_request **reqp, const char *want_hash,
                               const char *what) {
  const char *claims = NULL;
  char want[128];
  snprintf(want, sizeof want, "\"bodyHash\":\"%s\"", want_hash);
  if (expect_ok(status, errp, what)) {
    nuvera_error *err = NULL;
    expect_ok(nuvera_signed_request_claims_json(*reqp, &claims, &err), &err, "claims");
    check(claims != NULL && strstr(claims, want) != NULL, what, claims);
  }
  nuvera_signed_request_free(*reqp);
  *reqp = NULL;
}

static void test_sign_bodies_as_sent(void) {
  const multipart_vector *v = &MULTIPART_VECTORS[0];
  const jwt_vector *j = &JWT_VECTORS[0];
  nuvera_private_key *key = load_key("keys/test-rsa2048-pkcs8.pem", NULL);
  nuvera_signer *signer = NULL;
  nuvera_signed_request *req = NULL;
  nuvera_error *err = NULL;
  char *file = path_in(scratch, "body-to-sign.json");
  char *file_hash = NULL;
  const char *url = "https://api.nuvera.global/api/v1/documents";
  if (key == NULL ||
      !expect_ok(nuvera_signer_new(key, "nv_test_0000", 0, &signer, &err), &err, "signer_new")) {
    goto done;
  }
  expect_claims_hash(nuvera_signer_sign_multipart_wire(signer, "POST", url, v->content_type,
                                                       v->body, v->body_len, &j->iat, NULL, &req,
                                                       &err),
                     &err, &req, v->body_hash, "sign_multipart_wire signs the canonical hash");
  expect_claims_hash(nuvera_signer_sign_body(signer, "POST", url, v->content_type, v->body,
                                             v->body_len, &j->iat, NULL, &req, &err),
                     &err, &req, v->body_hash, "sign_body with a multipart Content-Type");
  expect_claims_hash(nuvera_signer_sign_body(signer, j->method, j->url, "application/json",
                                             j->body, j->body_len, &j->iat, j->jti, &req, &err),
                     &err, &req, j->body_hash, "sign_body with a plain Content-Type");
  expect_claims_hash(nuvera_signer_sign_body(signer, j->method, j->url, NULL, j->body,
                                             j->body_len, &j->iat, j->jti, &req, &err),
                     &err, &req, j->body_hash, "sign_body with no Content-Type");
  expect_err(nuvera_signer_sign_multipart_wire(signer, "POST", url, "multipart/form-data",
                                               v->body, v->body_len, NULL, NULL, &req, &err),
             &err, NUVERA_ERROR, "MULTIPART_MALFORMED", "a multipart Content-Type without boundary");
  check(req == NULL, "no request on failure", NULL);

  write_file(file, j->body, j->body_len);
  expect_ok(nuvera_body_hash_file(file, &file_hash, NULL, NULL), NULL, "body_hash_file");
  expect_str(file_hash, j->body_hash, "the file holds the vector's body");
  expect_claims_hash(nuvera_signer_sign_file(signer, j->method, j->url, file, &j->iat, j->jti,
                                             &req, &err),
                     &err, &req, j->body_hash, "sign_file");
  expect_err(nuvera_signer_sign_file(signer, "POST", url, "/nonexistent/nuvera/body", NULL, NULL,
                                     &req, &err),
             &err, NUVERA_ERROR, "IO_ERROR", "sign_file of a missing file");
  expect_err(nuvera_signer_sign_file(signer, "POST", url, NULL, NULL, NULL, &req, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "sign_file of a NULL path");
done:
  nuvera_string_free(file_hash);
  free(file);
  nuvera_signer_free(signer);
  nuvera_private_key_free(key);
}

/* A read callback over memory, in chunks of at most 7 bytes so the library calls it many times;
 * `fail` makes it report a failure instead. */
typedef struct {
  const uint8_t *data;
  size_t len;
  size_t pos;
  int fail;
} memory_reader;

static ptrdiff_t read_memory(void *ctx, uint8_t *buf, size_t len) {
  memory_reader *r = ctx;
  size_t n = r->len - r->pos;
  if (r->fail) {
    return -1;
  }
  if (n > len) {
    n = len;
  }
  if (n > 7) {
    n = 7;
  }
  if (n > 0) {
    memcpy(buf, r->data + r->pos, n);
  }
  r->pos += n;
  return (ptrdiff_t)n;
}

static void test_readers_and_precomputed_hashes(void) {
  const jwt_vector *j = &JWT_VECTORS[0];
  const multipart_vector *v = NULL;
  nuvera_private_key *key = load_key("keys/test-rsa2048-pkcs8.pem", NULL);
  nuvera_signer *signer = NULL;
  nuvera_signed_request *req = NULL;
  nuvera_error *err = NULL;
  memory_reader body = {0, 0, 0, 0};
  char *hash = NULL;
  uint64_t size = 0;
  size_t i;
  body.data = j->body;
  body.len = j->body_len;
  if (expect_ok(nuvera_body_hash_reader(read_memory, &body, &hash, &size, &err), &err,
                "body_hash_reader")) {
    expect_str(hash, j->body_hash, "body_hash_reader equals the vector");
    check(size == j->body_len, "body_hash_reader size", NULL);
  }
  nuvera_string_free(hash);
  hash = NULL;
  body.pos = 0;
  body.fail = 1;
  expect_err(nuvera_body_hash_reader(read_memory, &body, &hash, NULL, &err), &err, NUVERA_ERROR,
             "IO_ERROR", "a failing read callback");
  expect_err(nuvera_body_hash_reader(NULL, NULL, &hash, NULL, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "a NULL read callback");
  if (key == NULL ||
      !expect_ok(nuvera_signer_new(key, j->api_key, j->lifetime, &signer, &err), &err,
                 "signer_new")) {
    goto done;
  }
  body.pos = 0;
  body.fail = 0;
  if (expect_ok(nuvera_signer_sign_reader(signer, j->method, j->url, read_memory, &body, &j->iat,
                                          j->jti, &req, &err),
                &err, "sign_reader")) {
    const char *token = NULL;
    expect_ok(nuvera_signed_request_token(req, &token, NULL), NULL, "token");
    expect_str(token, j->token, "sign_reader gives the vector's token");
  }
  nuvera_signed_request_free(req);
  req = NULL;
  if (expect_ok(nuvera_signer_sign_body_hash(signer, j->method, j->url, j->body_hash, &j->iat,
                                             j->jti, &req, &err),
                &err, "sign_body_hash")) {
    const char *token = NULL;
    expect_ok(nuvera_signed_request_token(req, &token, NULL), NULL, "token");
    expect_str(token, j->token, "sign_body_hash gives the vector's token");
  }
  nuvera_signed_request_free(req);
  req = NULL;
  expect_err(nuvera_signer_sign_body_hash(signer, j->method, j->url, "ABC", NULL, NULL, &req, &err),
             &err, NUVERA_ERROR, "INVALID_BODY_HASH", "sign_body_hash with a bad hash");

  /* A file part from a callback: encoded once, then signed over exactly what was encoded. */
  for (i = 0; i < N_MULTIPART_VECTORS && v == NULL; i++) {
    if (MULTIPART_VECTORS[i].n_files == 1) {
      v = &MULTIPART_VECTORS[i];
    }
  }
  if (v != NULL) {
    nuvera_multipart_form *form = NULL;
    memory_reader file = {0, 0, 0, 0};
    uint8_t *wire = NULL;
    size_t wire_len = 0;
    char *content_type = NULL;
    char *wire_hash = NULL;
    file.data = v->files[0].bytes;
    file.len = v->files[0].len;
    size_t f;
    expect_ok(nuvera_multipart_form_new(&form, &err), &err, "form");
    for (f = 0; f < v->n_fields; f++) {
      expect_ok(nuvera_multipart_form_add_field(form, v->fields[f].name, v->fields[f].value, &err),
                &err, "add_field");
    }
    expect_ok(nuvera_multipart_form_add_file_reader(form, v->files[0].field_name,
                                                    v->files[0].file_name, read_memory, &file,
                                                    v->files[0].mime_type, &err),
              &err, "add_file_reader");
    expect_ok(nuvera_multipart_form_encode(form, &wire, &wire_len, &err), &err, "encode");
    expect_ok(nuvera_multipart_form_content_type(form, &content_type, NULL), NULL, "ct");
    expect_ok(nuvera_multipart_body_hash(content_type, wire, wire_len, &wire_hash, NULL), NULL,
              "hash of the encoded body");
    expect_str(wire_hash, v->body_hash, "a reader part hashes as the vector");
    expect_claims_hash(nuvera_signer_sign_multipart(signer, "POST", j->url, form, NULL, NULL,
                                                    &req, &err),
                       &err, &req, v->body_hash, "a spent reader signs from the encoding");
    expect_err(nuvera_multipart_form_encode(form, &wire, &wire_len, &err), &err, NUVERA_ERROR,
               "INVALID_FORM_PART", "a reader encodes once");
    nuvera_string_free(wire_hash);
    nuvera_string_free(content_type);
    nuvera_bytes_free(wire, wire_len);
    nuvera_multipart_form_free(form);
  } else {
    check(0, "a multipart vector with one file", NULL);
  }

  check(nuvera_is_multipart_form_data("Multipart/Form-Data; boundary=x"), "multipart", NULL);
  check(!nuvera_is_multipart_form_data("multipart/mixed; boundary=x"), "not form-data", NULL);
  check(!nuvera_is_multipart_form_data(NULL), "NULL is not multipart", NULL);
done:
  nuvera_signer_free(signer);
  nuvera_private_key_free(key);
}

/* ------------------------------------------------------------------------------------------ */
/* Explain and support bundles */

static void test_explain_and_support_bundle(void) {
  const jwt_vector *j = &JWT_VECTORS[0];
  char *public_path = path_in(testdata, "keys/test-rsa2048-public.pem");
  char *public_pem = read_file(public_path, NULL);
  char *json = NULL;
  char *text = NULL;
  char *bundle = NULL;
  bool ok = false;
  nuvera_error *err = NULL;
  const char *tampered = "{\"tampered\":true}";
  nuvera_header headers[2];
  char authorization[4096];
  static const char response[] =
      "{\"errors\":[{\"code\":\"AUTH_BODY_HASH_MISMATCH\",\"message\":\"body hash\"}]}";

  /* The vector's own request: every rule holds. */
  if (expect_ok(nuvera_explain(j->method, j->url, j->api_key, "application/json", j->body,
                               j->body_len, j->token, public_pem, &j->iat, &json, &text, &ok,
                               &err),
                &err, "explain the vector's request")) {
    check(ok, "explain: the vector's request is accepted", json);
    check(strstr(json, j->api_key) == NULL, "explain JSON masks the API key", NULL);
  }
  nuvera_string_free(json);
  nuvera_string_free(text);
  json = text = NULL;

  /* The body re-serialized after signing: a finding with the body hash code and a fix. */
  if (expect_ok(nuvera_explain(j->method, j->url, j->api_key, "application/json",
                               (const uint8_t *)tampered, strlen(tampered), j->token, NULL,
                               &j->iat, &json, NULL, &ok, &err),
                &err, "explain a changed body")) {
    check(!ok, "explain: a changed body is refused", NULL);
    check(strstr(json, "AUTH_BODY_HASH_MISMATCH") != NULL, "explain names the body hash", json);
  }
  nuvera_string_free(json);
  json = NULL;
  expect_err(nuvera_explain(j->method, j->url, NULL, NULL, NULL, 0, j->token, "not a key", NULL,
                            &json, NULL, NULL, &err),
             &err, NUVERA_ERROR, "INVALID_PUBLIC_KEY", "explain with a bad public key");
  expect_err(nuvera_explain(j->method, j->url, NULL, NULL, NULL, 0, j->token, NULL, NULL, NULL,
                            NULL, NULL, &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "explain without report_json");

  /* A bundle with only the Authorization header given: x-api-key is completed and masked. */
  snprintf(authorization, sizeof authorization, "Bearer %s", j->token);
  headers[0].name = "Content-Type";
  headers[0].value = "application/json";
  headers[1].name = "Authorization";
  headers[1].value = authorization;
  if (expect_ok(nuvera_support_bundle(j->method, j->url, headers, 2, j->api_key,
                                      "application/json", (const uint8_t *)tampered,
                                      strlen(tampered), j->token, 401, (const uint8_t *)response,
                                      strlen(response), "C test", public_pem, &j->iat, &bundle,
                                      &err),
                &err, "support_bundle")) {
    check(strstr(bundle, "x-api-key") != NULL, "the bundle records x-api-key", NULL);
    check(strstr(bundle, j->api_key) == NULL, "no API key in the bundle", NULL);
    check(strstr(bundle, j->token) == NULL, "no token in the bundle", NULL);
    check(strstr(bundle, tampered) == NULL, "no body bytes in the bundle", NULL);
    check(strstr(bundle, "AUTH_BODY_HASH_MISMATCH") != NULL, "the bundle's diagnosis", NULL);
  }
  nuvera_string_free(bundle);
  bundle = NULL;
  expect_err(nuvera_support_bundle(j->method, j->url, NULL, 1, NULL, NULL, NULL, 0, j->token, 401,
                                   NULL, 0, NULL, NULL, NULL, &bundle, &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "headers NULL with a count");
  free(public_pem);
  free(public_path);
}

/* ------------------------------------------------------------------------------------------ */
/* Keys and codes */

static void test_fingerprints_and_codes(void) {
  nuvera_private_key *key = load_key("keys/test-rsa2048-pkcs8.pem", NULL);
  char *public_path = path_in(testdata, "keys/test-rsa2048-public.pem");
  char *public_pem = read_file(public_path, NULL);
  char *of_private = NULL;
  char *of_public = NULL;
  nuvera_error *err = NULL;
  size_t i, n = nuvera_error_code_count();
  int internal_error = 0, internal_panic = 0;
  if (key != NULL) {
    expect_ok(nuvera_private_key_fingerprint(key, &of_private, &err), &err, "fingerprint");
  }
  expect_ok(nuvera_public_key_fingerprint(public_pem, &of_public, &err), &err,
            "public_key_fingerprint");
  if (of_private != NULL && of_public != NULL) {
    expect_str(of_public, of_private, "one fingerprint for both halves");
    check(strncmp(of_public, "SHA256:", 7) == 0, "fingerprint prefix", of_public);
  }
  expect_err(nuvera_public_key_fingerprint("-----BEGIN PUBLIC KEY-----\nAAAA\n", &of_public, &err),
             &err, NUVERA_ERROR, "INVALID_PUBLIC_KEY", "a broken public key");

  check(n > 20, "the core's code list", NULL);
  for (i = 0; i < n; i++) {
    internal_error += strcmp(nuvera_error_code_at(i), "INTERNAL_ERROR") == 0;
    internal_panic += strcmp(nuvera_error_code_at(i), "INTERNAL_PANIC") == 0;
  }
  check(internal_error == 1 && internal_panic == 0, "INTERNAL_ERROR listed, INTERNAL_PANIC not",
        NULL);
  check(nuvera_error_code_at(n) == NULL, "NULL past the end", NULL);
  expect_str(nuvera_error_code_family("AUTH_BODY_HASH_MISMATCH"), "auth", "family of AUTH_*");
  check(nuvera_error_code_family("NOT_A_CODE") == NULL, "no family for an unknown code", NULL);
  check(NUVERA_PANIC == NUVERA_INTERNAL_ERROR, "the old status name is kept", NULL);

  nuvera_string_free(of_private);
  nuvera_string_free(of_public);
  free(public_pem);
  free(public_path);
  nuvera_private_key_free(key);
}

/* ------------------------------------------------------------------------------------------ */
/* Verifier */

static nuvera_signed_request *sign_now(nuvera_signer *signer, const char *method, const char *url,
                                       const char *body) {
  nuvera_signed_request *req = NULL;
  nuvera_error *err = NULL;
  expect_ok(nuvera_signer_sign(signer, method, url, (const uint8_t *)body, strlen(body), NULL,
                               NULL, &req, &err),
            &err, "sign (system clock)");
  return req;
}

static nuvera_status verify(nuvera_verifier *verifier, const char *method, const char *target,
                            const char *api_key, nuvera_signed_request *req, const char *body,
                            char **application, nuvera_error **err) {
  const char *auth = NULL;
  char *hash = NULL;
  nuvera_status status;
  if (req != NULL) {
    expect_ok(nuvera_signed_request_authorization(req, &auth, NULL), NULL, "authorization");
  }
  expect_ok(nuvera_body_hash((const uint8_t *)body, strlen(body), &hash, NULL), NULL, "hash");
  status = nuvera_verifier_verify(verifier, method, target, api_key, auth, hash, application, err);
  nuvera_string_free(hash);
  return status;
}

static void test_verifier(void) {
  nuvera_private_key *key = load_key("keys/test-rsa2048-pkcs8.pem", NULL);
  nuvera_signer *signer = NULL;
  nuvera_verifier *verifier = NULL;
  char *pem = NULL;
  char *registry_path = path_in(scratch, "registry.toml");
  char registry[4096];
  const char *api_key = "nv_test_c_abi";
  const char *url = "https://api.nuvera.global/api/v1/customers";
  const char *body = "{\"companyName\":\"Acme Imports\"}";
  nuvera_signed_request *req;
  nuvera_error *err = NULL;
  char *application = NULL;
  if (key == NULL) {
    free(registry_path);
    return;
  }
  expect_ok(nuvera_private_key_public_pem(key, &pem, &err), &err, "public_pem");
  snprintf(registry, sizeof registry,
           "[[applications]]\nname = \"C ABI test\"\npermissions = [\"CUSTOMERS_WRITE\"]\n"
           "apiKeys = [{ key = \"%s\" }]\npublicKeys = [{ pem = \"\"\"\n%s\"\"\" }]\n",
           api_key, pem ? pem : "");
  write_file(registry_path, registry, strlen(registry));
  err = NULL;
  expect_ok(nuvera_verifier_from_registry_file(registry_path, &verifier, &err), &err,
            "verifier_from_registry_file");
  err = NULL;
  expect_ok(nuvera_signer_new(key, api_key, 0, &signer, &err), &err, "signer_new");
  if (verifier == NULL || signer == NULL) {
    goto done;
  }

  req = sign_now(signer, "POST", url, body);
  err = NULL;
  if (expect_ok(verify(verifier, "POST", "/api/v1/customers", api_key, req, body, &application,
                       &err),
                &err, "verify a fresh signature")) {
    expect_str(application, "C ABI test", "verified application");
  }
  err = NULL;
  expect_err(verify(verifier, "POST", "/api/v1/customers", api_key, req, body, NULL, &err), &err,
             NUVERA_REFUSED, "AUTH_REPLAYED_JTI", "the same token twice");
  nuvera_signed_request_free(req);

  req = sign_now(signer, "POST", url, body);
  err = NULL;
  expect_err(verify(verifier, "POST", "/api/v1/customers", api_key, req, "{\"companyName\":1}",
                    NULL, &err),
             &err, NUVERA_REFUSED, "AUTH_BODY_HASH_MISMATCH", "another body");
  err = NULL;
  expect_err_no_secret(
      verify(verifier, "POST", "/api/v1/customers", "nv_unknown_secret", req, body, NULL, &err),
      &err, NUVERA_REFUSED, "AUTH_INVALID_API_KEY", "unknown_secret", "unknown API key");
  err = NULL;
  expect_err(verify(verifier, "POST", "/api/v1/customers", api_key, NULL, body, NULL, &err), &err,
             NUVERA_REFUSED, "AUTH_MISSING_HEADER", "no Authorization");
  err = NULL;
  expect_err(verify(verifier, "PUT", "/api/v1/customers", api_key, req, body, NULL, &err), &err,
             NUVERA_REFUSED, "AUTH_METHOD_MISMATCH", "another method");
  nuvera_signed_request_free(req);

  req = sign_now(signer, "POST", "https://api.nuvera.global/api/v1/documents", body);
  err = NULL;
  {
    nuvera_status status = verify(verifier, "POST", "/api/v1/documents", api_key, req, body,
                                  NULL, &err);
    check(err != NULL && err->http_status == 403, "permission denied answers 403", NULL);
    expect_err(status, &err, NUVERA_REFUSED, "AUTH_PERMISSION_DENIED", "no DOCUMENTS_WRITE");
  }
  nuvera_signed_request_free(req);

  /* A multipart body, hashed as the server receives it. */
  {
    nuvera_multipart_form *form = vector_form(&MULTIPART_VECTORS[N_MULTIPART_VECTORS - 1], 0);
    char *content_type = NULL;
    uint8_t *wire = NULL;
    size_t wire_len = 0;
    char *hash = NULL;
    const char *auth = NULL;
    err = NULL;
    expect_ok(nuvera_multipart_form_encode(form, &wire, &wire_len, &err), &err, "encode");
    expect_ok(nuvera_multipart_form_content_type(form, &content_type, NULL), NULL, "ct");
    req = NULL;
    err = NULL;
    expect_ok(nuvera_signer_sign_multipart(signer, "POST", url, form, NULL, NULL, &req, &err), &err,
              "sign_multipart");
    expect_ok(nuvera_received_body_hash(content_type, wire, wire_len, &hash, NULL), NULL,
              "received_body_hash");
    if (req != NULL) {
      expect_ok(nuvera_signed_request_authorization(req, &auth, NULL), NULL, "authorization");
    }
    err = NULL;
    expect_ok(nuvera_verifier_verify(verifier, "POST", "/api/v1/customers", api_key, auth, hash,
                                     NULL, &err),
              &err, "verify a multipart request");
    nuvera_string_free(hash);
    nuvera_string_free(content_type);
    nuvera_bytes_free(wire, wire_len);
    nuvera_signed_request_free(req);
    nuvera_multipart_form_free(form);
  }

  /* The request as received: raw headers and body, hashed by the verifier itself. */
  {
    const multipart_vector *v = &MULTIPART_VECTORS[0];
    const char *auth = NULL;
    nuvera_header headers[3];
    req = NULL;
    err = NULL;
    expect_ok(nuvera_signer_sign_body(signer, "POST", url, v->content_type, v->body, v->body_len,
                                      NULL, NULL, &req, &err),
              &err, "sign_body (system clock)");
    if (req != NULL) {
      expect_ok(nuvera_signed_request_authorization(req, &auth, NULL), NULL, "authorization");
    }
    headers[0].name = "content-type";
    headers[0].value = v->content_type;
    headers[1].name = "X-Api-Key";
    headers[1].value = api_key;
    headers[2].name = "AUTHORIZATION";
    headers[2].value = auth ? auth : "";
    err = NULL;
    expect_ok(nuvera_verifier_verify_request(verifier, "POST", "/api/v1/customers", headers, 3,
                                             v->body, v->body_len, NULL, &err),
              &err, "verify_request from raw headers and body");
    expect_err(nuvera_verifier_verify_request(verifier, "POST", "/api/v1/customers", headers, 3,
                                              v->body, v->body_len, NULL, &err),
               &err, NUVERA_REFUSED, "AUTH_REPLAYED_JTI", "verify_request twice");
    /* A body unreadable as its Content-Type is a refusal (the token's checks come first, the jti
       is only recorded for a request that passes every rule); without credentials it is never
       read at all. */
    headers[0].value = "multipart/form-data";
    expect_err(nuvera_verifier_verify_request(verifier, "POST", "/api/v1/customers", headers, 3,
                                              v->body, v->body_len, NULL, &err),
               &err, NUVERA_REFUSED, "AUTH_BODY_HASH_MISMATCH", "verify_request, no boundary");
    expect_err(nuvera_verifier_verify_request(verifier, "POST", "/api/v1/customers", headers, 1,
                                              v->body, v->body_len, NULL, &err),
               &err, NUVERA_REFUSED, "AUTH_MISSING_HEADER", "verify_request, headers before body");
    expect_err(nuvera_verifier_verify_request(verifier, "POST", "/api/v1/customers", headers + 1,
                                              1, NULL, 0, NULL, &err),
               &err, NUVERA_REFUSED, "AUTH_MISSING_HEADER", "verify_request, no Authorization");
    nuvera_signed_request_free(req);
  }

  err = NULL;
  expect_err(nuvera_verifier_verify(verifier, "POST", "/api/v1/customers", api_key, "Bearer x.y.z",
                                    "ABC", NULL, &err),
             &err, NUVERA_ERROR, "INVALID_BODY_HASH", "verify with a malformed body hash");

  /* A shared replay cache: options checked at once (the password never shown); a store that
   * does not answer (nothing listens on port 1) refuses every request with 503. The Go tests
   * run two verifiers against a real redis-server. */
  err = NULL;
  expect_err_no_secret(nuvera_verifier_set_replay_cache(verifier, "http://u:secret-pass@cache:6379",
                                                        NULL, 0, 0, &err),
                       &err, NUVERA_ERROR, "INVALID_ARGUMENT", "secret-pass",
                       "replay cache URL not redis://");
  err = NULL;
  expect_err(nuvera_verifier_set_replay_cache(verifier, "redis://127.0.0.1:1", NULL, 20000, 0,
                                              &err),
             &err, NUVERA_ERROR, "INVALID_ARGUMENT", "replay cache timeout over 10 s");
  err = NULL;
  expect_err(nuvera_verifier_set_replay_cache(NULL, "redis://127.0.0.1:1", NULL, 0, 0, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "replay cache on a NULL verifier");
  err = NULL;
  if (expect_ok(nuvera_verifier_set_replay_cache(verifier, "redis://127.0.0.1:1", "c-test:", 200,
                                                 2, &err),
                &err, "set_replay_cache")) {
    nuvera_status status;
    req = sign_now(signer, "POST", url, body);
    err = NULL;
    status = verify(verifier, "POST", "/api/v1/customers", api_key, req, body, NULL, &err);
    check(err != NULL && err->http_status == 503, "replay cache unavailable answers 503", NULL);
    expect_err(status, &err, NUVERA_REFUSED, "AUTH_REPLAY_CACHE_UNAVAILABLE",
               "replay cache not answering");
    nuvera_signed_request_free(req);
  }

done:
  nuvera_string_free(application);
  nuvera_string_free(pem);
  free(registry_path);
  nuvera_verifier_free(verifier);
  nuvera_signer_free(signer);
  nuvera_private_key_free(key);
}

/* ------------------------------------------------------------------------------------------ */
/* Error paths */

static void test_key_errors(void) {
  nuvera_private_key *key = NULL;
  nuvera_error *err = NULL;
  char *path;

  expect_err(nuvera_private_key_from_pem("not a key", NULL, &key, &err), &err, NUVERA_ERROR,
             "INVALID_PRIVATE_KEY", "garbage PEM");
  check(key == NULL, "no key on failure", NULL);
  err = NULL;
  expect_err(nuvera_private_key_from_pem(
                 "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASC\n"
                 "-----END PRIVATE KEY-----\n",
                 NULL, &key, &err),
             &err, NUVERA_ERROR, "INVALID_PRIVATE_KEY", "truncated PEM");
  err = NULL;
  expect_err(nuvera_private_key_from_pem("-----BEGIN PRIVATE KEY-----\n\377\376\n", NULL, &key,
                                         &err),
             &err, NUVERA_ERROR, "INVALID_PRIVATE_KEY", "PEM that is not UTF-8");
  err = NULL;
  path = path_in(testdata, "keys/weak-rsa1024-pkcs8.pem");
  expect_err(nuvera_private_key_from_file(path, NULL, &key, &err), &err, NUVERA_ERROR,
             "KEY_TOO_SMALL", "1024-bit key");
  free(path);
  err = NULL;
  path = path_in(testdata, "keys/not-rsa-p256.pem");
  expect_err(nuvera_private_key_from_file(path, NULL, &key, &err), &err, NUVERA_ERROR,
             "UNSUPPORTED_KEY_TYPE", "EC key");
  free(path);
  err = NULL;
  path = path_in(testdata, "keys/test-rsa2048-public.pem");
  expect_err(nuvera_private_key_from_file(path, NULL, &key, &err), &err, NUVERA_ERROR,
             "INVALID_PRIVATE_KEY", "public key given as private");
  free(path);

  path = path_in(testdata, "keys/test-rsa2048-encrypted-pkcs8.pem");
  err = NULL;
  expect_err_no_secret(nuvera_private_key_from_file(path, "wrong horse", &key, &err), &err,
                       NUVERA_ERROR, "WRONG_PASSPHRASE", "wrong horse", "wrong passphrase");
  err = NULL;
  expect_err(nuvera_private_key_from_file(path, NULL, &key, &err), &err, NUVERA_ERROR,
             "PASSPHRASE_REQUIRED", "no passphrase");
  free(path);

  err = NULL;
  path = path_in(scratch, "no-such-key.pem");
  expect_err(nuvera_private_key_from_file(path, NULL, &key, &err), &err, NUVERA_ERROR, "IO_ERROR",
             "missing key file");
  free(path);
  check(key == NULL, "still no key", NULL);

  err = NULL;
  expect_err(nuvera_private_key_from_pem(NULL, NULL, &key, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "NULL pem");
  err = NULL;
  expect_err(nuvera_private_key_from_file(NULL, NULL, &key, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "NULL path");
  err = NULL;
  expect_err(nuvera_private_key_from_pem("x", NULL, NULL, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "NULL out");
  err = NULL;
  expect_err(nuvera_private_key_public_pem(NULL, NULL, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "public_pem of NULL");
  {
    char *s = NULL;
    size_t bits = 0;
    err = NULL;
    expect_err(nuvera_private_key_fingerprint(NULL, &s, &err), &err, NUVERA_INVALID_ARGUMENT,
               "INVALID_ARGUMENT", "fingerprint of NULL");
    err = NULL;
    expect_err(nuvera_private_key_bits(NULL, &bits, &err), &err, NUVERA_INVALID_ARGUMENT,
               "INVALID_ARGUMENT", "bits of NULL");
  }
  /* err itself may be NULL: the status still tells. */
  check(nuvera_private_key_from_pem("not a key", NULL, &key, NULL) == NUVERA_ERROR,
        "failure without an error out-parameter", NULL);
}

/* nuvera_signer_new_with_options: the issuer, audience and lifetime reach the token; NULL takes
 * the contract's defaults; an empty issuer or audience and a lifetime of 61 are refused. */
static void test_signer_options(void) {
  nuvera_private_key *key = load_key("keys/test-rsa2048-pkcs8.pem", NULL);
  nuvera_signer *signer = NULL;
  nuvera_signer *bad = NULL;
  nuvera_signed_request *req = NULL;
  nuvera_error *err = NULL;
  const char *claims = NULL;
  const uint64_t iat = 1767225600;
  if (key == NULL) {
    return;
  }
  if (expect_ok(nuvera_signer_new_with_options(key, "nv_test_0000", 30, "partner-gateway",
                                               "nuvera-sandbox", &signer, &err),
                &err, "signer with options") &&
      expect_ok(nuvera_signer_sign(signer, "GET", "https://api.nuvera.global/api/v1/customers",
                                   NULL, 0, &iat, "3b241101-e2bb-4255-8caf-4136c566a962", &req,
                                   &err),
                &err, "sign with options") &&
      expect_ok(nuvera_signed_request_claims_json(req, &claims, &err), &err, "claims")) {
    check(strstr(claims, "\"iss\":\"partner-gateway\",\"aud\":\"nuvera-sandbox\"") != NULL,
          "issuer and audience in the token", claims);
    check(strstr(claims, "\"iat\":1767225600,\"exp\":1767225630") != NULL, "lifetime 30 s",
          claims);
  }
  nuvera_signed_request_free(req);
  nuvera_signer_free(signer);
  req = NULL;
  signer = NULL;
  err = NULL;
  if (expect_ok(nuvera_signer_new_with_options(key, "nv_test_0000", 0, NULL, NULL, &signer, &err),
                &err, "signer with default options") &&
      expect_ok(nuvera_signer_sign(signer, "GET", "https://api.nuvera.global/api/v1/customers",
                                   NULL, 0, &iat, "3b241101-e2bb-4255-8caf-4136c566a962", &req,
                                   &err),
                &err, "sign with default options") &&
      expect_ok(nuvera_signed_request_claims_json(req, &claims, &err), &err, "claims")) {
    check(strstr(claims, "\"iss\":\"nuvera-api\",\"aud\":\"nuvera-rest-api\"") != NULL,
          "default issuer and audience", claims);
    check(strstr(claims, "\"exp\":1767225655") != NULL, "default lifetime 55 s", claims);
  }
  nuvera_signed_request_free(req);
  nuvera_signer_free(signer);
  err = NULL;
  expect_err(nuvera_signer_new_with_options(key, "nv_test_0000", 0, "", NULL, &bad, &err), &err,
             NUVERA_ERROR, "INVALID_CLAIM", "empty issuer");
  err = NULL;
  expect_err(nuvera_signer_new_with_options(key, "nv_test_0000", 0, NULL, "", &bad, &err), &err,
             NUVERA_ERROR, "INVALID_CLAIM", "empty audience");
  err = NULL;
  expect_err(nuvera_signer_new_with_options(key, "nv_test_0000", 61, NULL, NULL, &bad, &err), &err,
             NUVERA_ERROR, "INVALID_LIFETIME", "lifetime 61 with options");
  err = NULL;
  expect_err(nuvera_signer_new_with_options(key, "nv_test_0000", 0, "iss\377", NULL, &bad, &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "issuer not UTF-8");
  check(bad == NULL, "no signer on failure", NULL);
  nuvera_private_key_free(key);
}

static void test_signing_errors(void) {
  nuvera_private_key *key = load_key("keys/test-rsa2048-pkcs8.pem", NULL);
  nuvera_signer *signer = NULL;
  nuvera_signer *bad = NULL;
  nuvera_signed_request *req = NULL;
  nuvera_error *err = NULL;
  const uint8_t body[] = "{}";
  const char *s = NULL;
  if (key == NULL) {
    return;
  }
  expect_err(nuvera_signer_new(key, "nv_test_0000", 61, &bad, &err), &err, NUVERA_ERROR,
             "INVALID_LIFETIME", "lifetime 61");
  check(bad == NULL, "no signer on failure", NULL);
  err = NULL;
  expect_err(nuvera_signer_new(key, "", 0, &bad, &err), &err, NUVERA_ERROR, "INVALID_API_KEY",
             "empty API key");
  err = NULL;
  expect_err_no_secret(nuvera_signer_new(key, "nv_live_secret0123\n", 0, &bad, &err), &err,
                       NUVERA_ERROR, "INVALID_API_KEY", "secret0123", "API key with a line break");
  err = NULL;
  expect_err(nuvera_signer_new(key, "nv_\377", 0, &bad, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "API key not UTF-8");
  err = NULL;
  expect_err(nuvera_signer_new(NULL, "nv_test_0000", 0, &bad, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "NULL key");
  err = NULL;
  expect_err(nuvera_signer_new(key, NULL, 0, &bad, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "NULL API key");
  err = NULL;
  if (!expect_ok(nuvera_signer_new(key, "nv_test_0000", 60, &signer, &err), &err, "lifetime 60")) {
    nuvera_private_key_free(key);
    return;
  }

  err = NULL;
  expect_err(nuvera_signer_sign(signer, "POST", "ftp://example.com/x", body, 2, NULL, NULL, &req,
                                &err),
             &err, NUVERA_ERROR, "INVALID_URL", "ftp URL");
  err = NULL;
  expect_err(nuvera_signer_sign(signer, "POST", "api/v1/customers", body, 2, NULL, NULL, &req,
                                &err),
             &err, NUVERA_ERROR, "INVALID_URL", "relative URL");
  err = NULL;
  expect_err(nuvera_signer_sign(signer, "GE T", "/api/v1/customers", body, 2, NULL, NULL, &req,
                                &err),
             &err, NUVERA_ERROR, "INVALID_METHOD", "method with a space");
  err = NULL;
  expect_err(nuvera_signer_sign(signer, "", "/api/v1/customers", body, 2, NULL, NULL, &req, &err),
             &err, NUVERA_ERROR, "INVALID_METHOD", "empty method");
  err = NULL;
  expect_err(nuvera_signer_sign(signer, "P\303", "/api/v1/customers", body, 2, NULL, NULL, &req,
                                &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "method not UTF-8");
  err = NULL;
  expect_err(nuvera_signer_sign(signer, "POST", "/api/v1/\377", body, 2, NULL, NULL, &req, &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "URL not UTF-8");
  err = NULL;
  expect_err(nuvera_signer_sign(signer, "POST", "/api/v1/x", body, 2, NULL, "j\377", &req, &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "jti not UTF-8");
  err = NULL;
  expect_err(nuvera_signer_sign(signer, "POST", "/api/v1/x", body, 2, NULL, "", &req, &err), &err,
             NUVERA_ERROR, "INVALID_CLAIM", "empty jti");
  err = NULL;
  expect_err(nuvera_signer_sign(signer, "POST", "/api/v1/x", NULL, 5, NULL, NULL, &req, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL body with a length");
  err = NULL;
  expect_err(nuvera_signer_sign(NULL, "POST", "/api/v1/x", body, 2, NULL, NULL, &req, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL signer");
  err = NULL;
  expect_err(nuvera_signer_sign(signer, NULL, "/api/v1/x", body, 2, NULL, NULL, &req, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL method");
  err = NULL;
  expect_err(nuvera_signer_sign(signer, "POST", NULL, body, 2, NULL, NULL, &req, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL url");
  err = NULL;
  expect_err(nuvera_signer_sign(signer, "POST", "/api/v1/x", body, 2, NULL, NULL, NULL, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL out");
  check(req == NULL, "no signed request on failure", NULL);
  err = NULL;
  expect_ok(nuvera_signer_sign(signer, "GET", "/api/v1/x", NULL, 0, NULL, NULL, &req, &err), &err,
            "NULL body with length 0 is an empty body");
  nuvera_signed_request_free(req);

  err = NULL;
  expect_err(nuvera_signer_sign_multipart(signer, "POST", "/api/v1/x", NULL, NULL, NULL, &req,
                                          &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL form");
  err = NULL;
  expect_err(nuvera_signed_request_token(NULL, &s, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "token of NULL");
  err = NULL;
  expect_err(nuvera_signed_request_authorization(NULL, &s, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "authorization of NULL");
  err = NULL;
  expect_err(nuvera_signed_request_api_key(NULL, &s, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "api_key of NULL");
  err = NULL;
  expect_err(nuvera_signed_request_claims_json(NULL, &s, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "claims of NULL");
  err = NULL;
  expect_err(nuvera_signed_request_proof_json(NULL, &s, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "proof of NULL");

  {
    char *out = NULL;
    err = NULL;
    expect_err(nuvera_request_uri("https://exa mple.com/x", &out, &err), &err, NUVERA_ERROR,
               "INVALID_URL", "request_uri of a bad host");
    err = NULL;
    expect_err(nuvera_request_uri(NULL, &out, &err), &err, NUVERA_INVALID_ARGUMENT,
               "INVALID_ARGUMENT", "request_uri of NULL");
    err = NULL;
    expect_err(nuvera_request_uri("/\377", &out, &err), &err, NUVERA_INVALID_ARGUMENT,
               "INVALID_ARGUMENT", "request_uri not UTF-8");
    err = NULL;
    expect_err(nuvera_sendable_url("/api/v1/x", &out, &err), &err, NUVERA_ERROR, "INVALID_URL",
               "sendable_url of a target");
    err = NULL;
    if (expect_ok(nuvera_sendable_url("https://h:443/a/../b c?#f", &out, &err), &err,
                  "sendable_url")) {
      char *uri = NULL;
      /* What a client sends for it is what is signed. */
      expect_ok(nuvera_request_uri(out, &uri, NULL), NULL, "request_uri");
      {
        char *signed_uri = NULL;
        expect_ok(nuvera_request_uri("https://h:443/a/../b c?#f", &signed_uri, NULL), NULL,
                  "request_uri");
        expect_str(uri, signed_uri ? signed_uri : "", "sendable_url keeps the uri");
        nuvera_string_free(signed_uri);
      }
      nuvera_string_free(uri);
    }
    nuvera_string_free(out);
  }

  nuvera_signer_free(signer);
  nuvera_private_key_free(key);
}

static void test_multipart_errors(void) {
  const char *garbage = "this is not multipart";
  nuvera_multipart_form *form = NULL;
  nuvera_error *err = NULL;
  char *out = NULL;
  char *missing = path_in(scratch, "no-such-file.pdf");
  uint8_t *wire = NULL;
  size_t wire_len = 0;

  expect_err(nuvera_multipart_body_hash("multipart/form-data; boundary=b",
                                        (const uint8_t *)garbage, strlen(garbage), &out, &err),
             &err, NUVERA_ERROR, "MULTIPART_MALFORMED", "body without a boundary line");
  err = NULL;
  expect_err(nuvera_multipart_body_hash("multipart/form-data", (const uint8_t *)"--b--\r\n", 7,
                                        &out, &err),
             &err, NUVERA_ERROR, "MULTIPART_MALFORMED", "content type without boundary");
  err = NULL;
  expect_err(nuvera_multipart_canonical_json("multipart/form-data; boundary=b",
                                             (const uint8_t *)"--b\r\nX", 6, &out, &err),
             &err, NUVERA_ERROR, "MULTIPART_MALFORMED", "truncated part");
  err = NULL;
  expect_err(nuvera_multipart_body_hash(NULL, (const uint8_t *)"x", 1, &out, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL content type");
  err = NULL;
  expect_err(nuvera_multipart_body_hash("multipart/form-data; boundary=\377",
                                        (const uint8_t *)"x", 1, &out, &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "content type not UTF-8");
  err = NULL;
  expect_err(nuvera_multipart_body_hash("multipart/form-data; boundary=b", NULL, 3, &out, &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL body with a length");
  check(out == NULL, "no hash on failure", NULL);

  err = NULL;
  expect_err(nuvera_multipart_form_new_with_boundary("bad boundary!", &form, &err), &err,
             NUVERA_ERROR, "INVALID_FORM_PART", "bad boundary");
  err = NULL;
  expect_err(nuvera_multipart_form_new(NULL, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "form_new NULL out");
  err = NULL;
  if (!expect_ok(nuvera_multipart_form_new_with_boundary("Xy12", &form, &err), &err,
                 "form with boundary")) {
    free(missing);
    return;
  }
  err = NULL;
  expect_err(nuvera_multipart_form_add_field(form, "a\r\nb", "v", &err), &err, NUVERA_ERROR,
             "INVALID_FORM_PART", "line break in a field name");
  err = NULL;
  expect_err(nuvera_multipart_form_add_field(form, "a", "\377", &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "field value not UTF-8");
  err = NULL;
  expect_err(nuvera_multipart_form_add_field(form, NULL, "v", &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "NULL field name");
  err = NULL;
  expect_err(nuvera_multipart_form_add_field(NULL, "a", "v", &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "NULL form");
  err = NULL;
  expect_err(nuvera_multipart_form_add_file_bytes(form, "f", "x.bin", (const uint8_t *)"x", 1,
                                                  "not a media type", &err),
             &err, NUVERA_ERROR, "INVALID_FORM_PART", "bad media type");
  err = NULL;
  expect_err(nuvera_multipart_form_add_file_bytes(form, "f", "x.bin", NULL, 1, NULL, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL file bytes with a length");
  err = NULL;
  expect_err(nuvera_multipart_form_add_file_bytes(form, "f", NULL, (const uint8_t *)"x", 1, NULL,
                                                  &err),
             &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL file name");
  err = NULL;
  expect_err(nuvera_multipart_form_add_file_path(form, "f", NULL, NULL, NULL, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL path");

  /* A missing file is reported when the form is read. */
  err = NULL;
  expect_ok(nuvera_multipart_form_add_file_path(form, "file", missing, NULL, "application/pdf",
                                                &err),
            &err, "add a path that does not exist");
  err = NULL;
  expect_err(nuvera_multipart_form_body_hash(form, &out, &err), &err, NUVERA_ERROR, "IO_ERROR",
             "body_hash of a form with a missing file");
  err = NULL;
  expect_err(nuvera_multipart_form_encode(form, &wire, &wire_len, &err), &err, NUVERA_ERROR,
             "IO_ERROR", "encode a form with a missing file");
  check(wire == NULL, "no body on failure", NULL);
  err = NULL;
  {
    char *dst = path_in(scratch, "out.bin");
    expect_err(nuvera_multipart_form_encode_to_file(form, dst, &err), &err, NUVERA_ERROR,
               "IO_ERROR", "encode_to_file of a form with a missing file");
    free(dst);
  }
  err = NULL;
  {
    char *dst = path_in(scratch, "no-such-dir/out.bin");
    nuvera_multipart_form *empty = NULL;
    expect_ok(nuvera_multipart_form_new(&empty, NULL), NULL, "form_new");
    expect_err(nuvera_multipart_form_encode_to_file(empty, dst, &err), &err, NUVERA_ERROR,
               "IO_ERROR", "encode_to_file into a missing folder");
    nuvera_multipart_form_free(empty);
    free(dst);
  }
  {
    nuvera_private_key *key = load_key("keys/test-rsa2048-pkcs8.pem", NULL);
    nuvera_signer *signer = NULL;
    nuvera_signed_request *req = NULL;
    expect_ok(nuvera_signer_new(key, "nv_test_0000", 0, &signer, NULL), NULL, "signer_new");
    err = NULL;
    expect_err(nuvera_signer_sign_multipart(signer, "POST", "/api/v1/documents", form, NULL, NULL,
                                            &req, &err),
               &err, NUVERA_ERROR, "IO_ERROR", "sign a form with a missing file");
    check(req == NULL, "no signed request on failure", NULL);
    nuvera_signer_free(signer);
    nuvera_private_key_free(key);
  }
  err = NULL;
  expect_err(nuvera_body_hash_file(missing, &out, NULL, &err), &err, NUVERA_ERROR, "IO_ERROR",
             "body_hash_file of a missing file");
  err = NULL;
  expect_err(nuvera_body_hash(NULL, 1, &out, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "body_hash NULL with a length");
  err = NULL;
  expect_err(nuvera_multipart_form_content_type(NULL, &out, &err), &err, NUVERA_INVALID_ARGUMENT,
             "INVALID_ARGUMENT", "content_type of NULL");
  check(out == NULL, "no string on failure", NULL);

  nuvera_multipart_form_free(form);
  free(missing);
}

static void test_verifier_errors(void) {
  nuvera_verifier *verifier = NULL;
  nuvera_error *err = NULL;
  char *missing = path_in(scratch, "no-such-registry.toml");
  char *bad = path_in(scratch, "bad-registry.json");
  const char *text = "{\"applications\": 7}";
  char *hash = NULL;
  expect_err(nuvera_verifier_from_registry_file(missing, &verifier, &err), &err, NUVERA_ERROR,
             "IO_ERROR", "missing registry");
  write_file(bad, text, strlen(text));
  err = NULL;
  expect_err(nuvera_verifier_from_registry_file(bad, &verifier, &err), &err, NUVERA_ERROR,
             "INVALID_REGISTRY", "invalid registry");
  err = NULL;
  expect_err(nuvera_verifier_from_registry_file(NULL, &verifier, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL registry path");
  err = NULL;
  expect_err(nuvera_verifier_verify(NULL, "GET", "/", NULL, NULL, "", NULL, &err), &err,
             NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL verifier");
  err = NULL;
  expect_err(nuvera_received_body_hash("multipart/form-data; boundary=b", (const uint8_t *)"x", 1,
                                       &hash, &err),
             &err, NUVERA_ERROR, "MULTIPART_MALFORMED", "received malformed multipart");
  /* Without a content type the raw bytes are hashed: each vector's body gives its bodyHash. */
  {
    size_t i;
    for (i = 0; i < N_JWT_VECTORS; i++) {
      err = NULL;
      hash = NULL;
      if (expect_ok(nuvera_received_body_hash(NULL, JWT_VECTORS[i].body, JWT_VECTORS[i].body_len,
                                              &hash, &err),
                    &err, "received_body_hash without content type")) {
        expect_str(hash, JWT_VECTORS[i].body_hash, JWT_VECTORS[i].name);
      }
      nuvera_string_free(hash);
    }
  }
  free(missing);
  free(bad);
}

static void test_memory_functions_accept_null(void) {
  nuvera_error_free(NULL);
  nuvera_string_free(NULL);
  nuvera_bytes_free(NULL, 0);
  nuvera_private_key_free(NULL);
  nuvera_signer_free(NULL);
  nuvera_signed_request_free(NULL);
  nuvera_multipart_form_free(NULL);
  nuvera_verifier_free(NULL);
  check(nuvera_version() != NULL && nuvera_version()[0] != '\0', "version", NULL);
}

/* A stand-in KMS for callback keys: `openssl pkeyutl` signs the digest it is given, as AWS KMS
 * does with MessageType=DIGEST. The key file is in another process, never in this one. */
typedef struct {
  char key_path[1024];
  int calls;
  int freed;
} openssl_kms;

static int32_t openssl_kms_sign(void *user_data, const uint8_t *input, size_t input_len,
                                uint8_t *signature, size_t *signature_len, char *message) {
  openssl_kms *kms = user_data;
  char input_path[1200];
  char command[2600];
  FILE *pipe;
  size_t n;
  kms->calls++;
  snprintf(input_path, sizeof input_path, "%s/kms-digest-%d.bin", scratch, kms->calls);
  write_file(input_path, input, input_len);
  snprintf(command, sizeof command,
           "openssl pkeyutl -sign -pkeyopt digest:sha256 -inkey '%s' -in '%s' 2>/dev/null",
           kms->key_path, input_path);
  pipe = popen(command, "r");
  if (pipe == NULL) {
    snprintf(message, NUVERA_CALLBACK_MESSAGE_LEN, "cannot run openssl");
    return 1;
  }
  n = fread(signature, 1, NUVERA_MAX_SIGNATURE_LEN, pipe);
  if (pclose(pipe) != 0 || n == 0) {
    snprintf(message, NUVERA_CALLBACK_MESSAGE_LEN, "openssl pkeyutl failed");
    return 2;
  }
  *signature_len = n;
  return 0;
}

static int32_t denied_kms_sign(void *user_data, const uint8_t *input, size_t input_len,
                               uint8_t *signature, size_t *signature_len, char *message) {
  (void)user_data;
  (void)input;
  (void)input_len;
  (void)signature;
  (void)signature_len;
  snprintf(message, NUVERA_CALLBACK_MESSAGE_LEN, "AccessDeniedException: not authorized");
  return 7;
}

static void openssl_kms_free(void *user_data) { ((openssl_kms *)user_data)->freed++; }

/* A callback key signs the first vector byte for byte; provider failures carry their code. */
static void test_callback_keys(void) {
  const jwt_vector *v = &JWT_VECTORS[0];
  char *public_path = path_in(testdata, "keys/test-rsa2048-public.pem");
  char *public_pem = read_file(public_path, NULL);
  char *key_path = path_in(testdata, "keys/test-rsa2048-pkcs8.pem");
  char *other_path = path_in(testdata, "keys/test-rsa4096-pkcs8.pem");
  openssl_kms kms = {{0}, 0, 0};
  const int64_t no_timeout = 0;
  const int64_t *timeouts[2] = {NULL, &no_timeout};
  int t;
  snprintf(kms.key_path, sizeof kms.key_path, "%s", key_path);
  for (t = 0; t < 2; t++) {
    nuvera_private_key *key = NULL;
    nuvera_signer *signer = NULL;
    nuvera_signed_request *req = NULL;
    nuvera_error *err = NULL;
    kms.freed = 0;
    if (!expect_ok(nuvera_remote_key_from_callback(public_pem, NUVERA_SIGNATURE_INPUT_DIGEST,
                                                   timeouts[t], openssl_kms_sign, &kms,
                                                   openssl_kms_free, &key, &err),
                   &err, "remote key from a callback")) {
      continue;
    }
    if (expect_ok(nuvera_private_key_check(key, &err), &err,
                  "the start-up check of a callback key") &&
        expect_ok(nuvera_signer_new(key, v->api_key, v->lifetime, &signer, &err), &err,
                  "signer with a callback key") &&
        expect_ok(nuvera_signer_sign(signer, v->method, v->url, v->body, v->body_len, &v->iat,
                                     v->jti, &req, &err),
                  &err, "sign through the callback")) {
      check_signed(req, v);
    }
    nuvera_signed_request_free(req);
    nuvera_private_key_free(key);
    check(kms.freed == 0, "the signer keeps the callback's data alive", NULL);
    nuvera_signer_free(signer);
    check(kms.freed == 1, "the callback's data is freed once, with the last user", NULL);
  }
  check(kms.calls == 4, "one KMS call per signature and per check", NULL);

  {
    nuvera_private_key *key = NULL;
    nuvera_signer *signer = NULL;
    nuvera_signed_request *req = NULL;
    nuvera_error *err = NULL;
    if (expect_ok(nuvera_remote_key_from_callback(public_pem, NUVERA_SIGNATURE_INPUT_DIGEST, NULL,
                                                  denied_kms_sign, NULL, NULL, &key, &err),
                  &err, "remote key, denied") &&
        expect_ok(nuvera_signer_new(key, "nv_test_1234", 0, &signer, &err), &err, "signer")) {
      expect_err(nuvera_private_key_check(key, &err), &err, NUVERA_ERROR, "REMOTE_SIGNER_FAILED",
                 "the start-up check of a failing callback");
      nuvera_status status =
          nuvera_signer_sign(signer, "GET", "/api/v1/customers", NULL, 0, NULL, NULL, &req, &err);
      check(err != NULL && strstr(err->message, "AccessDeniedException") != NULL,
            "the provider's message is kept", err ? err->message : NULL);
      expect_err(status, &err, NUVERA_ERROR, "REMOTE_SIGNER_FAILED", "a failing callback");
    }
    nuvera_signer_free(signer);
    nuvera_private_key_free(key);
  }

  {
    /* The 4096-bit key signs where the 2048-bit public key was announced: 512 bytes, not 256. */
    openssl_kms other = {{0}, 0, 0};
    nuvera_private_key *key = NULL;
    nuvera_signer *signer = NULL;
    nuvera_signed_request *req = NULL;
    nuvera_error *err = NULL;
    snprintf(other.key_path, sizeof other.key_path, "%s", other_path);
    if (expect_ok(nuvera_remote_key_from_callback(public_pem, NUVERA_SIGNATURE_INPUT_DIGEST, NULL,
                                                  openssl_kms_sign, &other, NULL, &key, &err),
                  &err, "remote key, another key") &&
        expect_ok(nuvera_signer_new(key, "nv_test_1234", 0, &signer, &err), &err, "signer")) {
      expect_err(nuvera_private_key_check(key, &err), &err, NUVERA_ERROR, "REMOTE_SIGNER_FAILED",
                 "the start-up check of a key of another size");
      expect_err(
          nuvera_signer_sign(signer, "GET", "/api/v1/customers", NULL, 0, NULL, NULL, &req, &err),
          &err, NUVERA_ERROR, "REMOTE_SIGNER_FAILED", "a signature of another size");
      check(req == NULL, "no signed request", NULL);
    }
    nuvera_signer_free(signer);
    nuvera_private_key_free(key);
  }

  {
    openssl_kms data = {{0}, 0, 0};
    nuvera_private_key *key = NULL;
    nuvera_error *err = NULL;
    const int64_t negative = -1;
    expect_err(nuvera_remote_key_from_callback(public_pem, NUVERA_SIGNATURE_INPUT_DIGEST, NULL,
                                               NULL, &data, openssl_kms_free, &key, &err),
               &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "NULL sign callback");
    check(data.freed == 1, "user data freed when the key cannot be made", NULL);
    expect_err(nuvera_remote_key_from_callback(public_pem, 7, NULL, openssl_kms_sign, NULL, NULL,
                                               &key, &err),
               &err, NUVERA_INVALID_ARGUMENT, "INVALID_ARGUMENT", "unknown input kind");
    expect_err(nuvera_remote_key_from_callback(public_pem, NUVERA_SIGNATURE_INPUT_DIGEST,
                                               &negative, openssl_kms_sign, NULL, NULL, &key,
                                               &err),
               &err, NUVERA_ERROR, "INVALID_ARGUMENT", "negative timeout");
    expect_err(nuvera_remote_key_from_callback("not a key", NUVERA_SIGNATURE_INPUT_DIGEST, NULL,
                                               openssl_kms_sign, NULL, NULL, &key, &err),
               &err, NUVERA_ERROR, "INVALID_PUBLIC_KEY", "public key that is not PEM");
    check(key == NULL, "no key on failure", NULL);
  }
  free(public_path);
  free(public_pem);
  free(key_path);
  free(other_path);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <testdata-dir> <scratch-dir>\n", argv[0]);
    return 2;
  }
  testdata = argv[1];
  scratch = argv[2];
  check(N_URI_VECTORS > 0 && N_MULTIPART_VECTORS > 0 && N_JWT_VECTORS > 0, "vectors present",
        NULL);
  test_uri_vectors();
  test_multipart_wire_vectors();
  test_multipart_structured_vectors();
  test_multipart_encode_to_file();
  test_body_hash();
  test_jwt_vectors();
  test_every_key_form();
  test_public_key();
  test_sign_multipart();
  test_sign_bodies_as_sent();
  test_readers_and_precomputed_hashes();
  test_explain_and_support_bundle();
  test_fingerprints_and_codes();
  test_verifier();
  test_key_errors();
  test_signer_options();
  test_signing_errors();
  test_multipart_errors();
  test_verifier_errors();
  test_memory_functions_accept_null();
  test_callback_keys();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
