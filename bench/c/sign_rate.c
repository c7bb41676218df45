/*
 * Signs through the C API for a while and prints signs per second of thread CPU time, then per
 * second of wall time, on one line: the same workload as bindings/c/examples/core_sign_rate.rs
 * (and the core's `bench_probe sign-rate`): key parsed once, POST /api/v1/customers with the same
 * 49-byte JSON body, default options, random jti, token read. bench/c/run.sh compares the two.
 *
 *   sign_rate <pem> <seconds>      prints "<cpu rate> <wall rate>" on stdout; details on stderr
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nuvera_signing.h>

static double seconds_of(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void) { return seconds_of(CLOCK_MONOTONIC); }

static volatile size_t sink;

static int sign_once(const nuvera_signer *signer, const uint8_t *body, size_t len) {
  nuvera_signed_request *req = NULL;
  const char *token = NULL;
  nuvera_error *err = NULL;
  if (nuvera_signer_sign(signer, "POST", "/api/v1/customers", body, len, NULL, NULL, &req, &err) !=
          NUVERA_OK ||
      nuvera_signed_request_token(req, &token, &err) != NUVERA_OK) {
    fprintf(stderr, "sign_rate: %s: %s\n", err->code, err->message);
    nuvera_error_free(err);
    nuvera_signed_request_free(req);
    return 0;
  }
  sink = strlen(token);
  nuvera_signed_request_free(req);
  return 1;
}

int main(int argc, char **argv) {
  const char *json = "{\"companyName\":\"Acme Trading Ltd\",\"country\":\"GB\"}";
  const uint8_t *body = (const uint8_t *)json;
  size_t len = strlen(json);
  nuvera_private_key *key = NULL;
  nuvera_signer *signer = NULL;
  nuvera_error *err = NULL;
  double seconds, start, elapsed, cpu_start, cpu;
  unsigned long count = 0;

  if (argc != 3 || (seconds = atof(argv[2])) <= 0) {
    fprintf(stderr, "usage: %s <pem> <seconds>\n", argv[0]);
    return 2;
  }
  if (nuvera_private_key_from_file(argv[1], NULL, &key, &err) != NUVERA_OK ||
      nuvera_signer_new(key, "nv_live_3f9a2c7d1e", 0, &signer, &err) != NUVERA_OK) {
    fprintf(stderr, "sign_rate: %s: %s\n", err->code, err->message);
    nuvera_error_free(err);
    return 1;
  }
  nuvera_private_key_free(key);
  start = now();
  while (now() - start < 0.3) { /* warm-up, as bench_probe */
    if (!sign_once(signer, body, len)) return 1;
  }
  start = now();
  cpu_start = seconds_of(CLOCK_THREAD_CPUTIME_ID);
  while ((elapsed = now() - start) < seconds) {
    if (!sign_once(signer, body, len)) return 1;
    count++;
  }
  cpu = seconds_of(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
  fprintf(stderr, "c-api signs=%lu wall=%.3fs cpu=%.3fs\n", count, elapsed, cpu);
  printf("%.1f %.1f\n", (double)count / cpu, (double)count / elapsed);
  nuvera_signer_free(signer);
  return 0;
}
