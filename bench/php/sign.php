<?php

// What a signature costs through PHP's FFI, against PHP's own openssl_sign of the same JWT
// signing input in the same run, and what loading the header costs (paid per request under
// php-fpm without ffi.preload, once per worker with it). Not a test: figures only.
//
//   NUVERA_SIGNING_LIB=target/release/libnuvera_signing.so php bench/php/sign.php [ROUNDS]

declare(strict_types=1);

require __DIR__ . '/../../php/tests/bootstrap.php';

use Nuvera\Signing\Native;
use Nuvera\Signing\PrivateKey;
use Nuvera\Signing\Signer;

$rounds = (int) ($argv[1] ?? 7);
$perRound = 400;
$root = dirname(__DIR__, 2);
$pem = (string) file_get_contents("$root/testdata/keys/test-rsa2048-pkcs8.pem");
$body = str_repeat('{"companyName":"Acme Imports"}', 30);

$header = (string) file_get_contents(Native::headerPath());
$start = hrtime(true);
for ($i = 0; $i < 50; $i++) {
    FFI::cdef(Native::declarations($header), Native::libraryPath());
}
$cdefMs = (hrtime(true) - $start) / 1e6 / 50;

$signer = new Signer(PrivateKey::fromPem($pem), 'nv_bench_0000');
$openssl = openssl_pkey_get_private($pem);
$claims = json_encode(['iss' => 'nuvera-api', 'aud' => 'nuvera-rest-api', 'sub' => 'nv_bench_0000', 'method' => 'POST',
    'uri' => '/api/v1/customers', 'bodyHash' => hash('sha256', $body), 'iat' => time(), 'exp' => time() + 55, 'jti' => '3b241101-e2bb-4255-8caf-4136c566a962']);
$b64 = static fn (string $s): string => rtrim(strtr(base64_encode($s), '+/', '-_'), '=');

$ratios = [];
$ffiUs = [];
$sslUs = [];
for ($round = 0; $round < $rounds; $round++) {
    $t = hrtime(true);
    for ($i = 0; $i < $perRound; $i++) {
        $signer->sign('POST', 'https://api.nuvera.global/api/v1/customers', $body)->authorization();
    }
    $ffi = (hrtime(true) - $t) / $perRound;
    $t = hrtime(true);
    for ($i = 0; $i < $perRound; $i++) {
        // The reference: the same work done in PHP (body hash, claims, JWS) with ext-openssl.
        $input = $b64('{"alg":"RS256","typ":"JWT"}') . '.' . $b64(str_replace(hash('sha256', ''), hash('sha256', $body), $claims));
        openssl_sign($input, $signature, $openssl, OPENSSL_ALGO_SHA256);
        $token = $input . '.' . $b64($signature);
    }
    $ssl = (hrtime(true) - $t) / $perRound;
    $ffiUs[] = $ffi / 1000;
    $sslUs[] = $ssl / 1000;
    $ratios[] = $ssl / $ffi;
}
sort($ratios);
sort($ffiUs);
sort($sslUs);
$median = static fn (array $v) => $v[intdiv(count($v), 2)];
printf("header load (FFI::cdef of nuvera_signing.h): %.2f ms\n", $cdefMs);
printf("sign via FFI: %.1f µs; openssl_sign in PHP: %.1f µs (medians of %d rounds of %d)\n", $median($ffiUs), $median($sslUs), $rounds, $perRound);
printf("speed of the FFI path relative to ext-openssl: %.3fx (median of per-round ratios; >1 is faster)\n", $median($ratios));
