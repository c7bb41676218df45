<?php

// Memory per streamed call: the package's shared read callback against a closure handed to FFI
// per call (what PHP's FFI keeps until the request ends). Not a test: figures only.
//
//   php bench/php/callbacks.php

declare(strict_types=1);

require __DIR__ . '/../../php/tests/bootstrap.php';

use Nuvera\Signing\Native;
use Nuvera\Signing\NuveraSigning;

$calls = 3000;
$measure = static function (string $what, callable $one) use ($calls): void {
    $one(); // warm up
    $before = memory_get_usage();
    for ($i = 0; $i < $calls; $i++) {
        $one();
    }
    printf("%s: %+.0f bytes of PHP heap per call (%d calls)\n", $what, (memory_get_usage() - $before) / $calls, $calls);
};
$measure('NuveraSigning::bodyHashStream (shared callback)', static fn () => NuveraSigning::bodyHashStream(fopen('php://memory', 'rb')));
$measure('a closure per call', static function (): void {
    $out = Native::stringOut();
    $read = Native::reader(static fn (int $max) => '');
    Native::call(static fn ($err) => Native::ffi()->nuvera_body_hash_reader($read, null, \FFI::addr($out), null, $err));
    Native::takeString($out);
});
