<?php

// opcache.preload script for php-fpm and other servers where ffi.enable=preload (PHP's default)
// forbids FFI::cdef at request time: it loads libnuvera_signing into the FFI scope
// NUVERA_SIGNING, which Nuvera\Signing\Native then uses, and compiles the package's classes.
//
//   opcache.preload=/path/to/php/preload.php
//   opcache.preload_user=www-data
//
// NUVERA_SIGNING_FFI_HEADER may name a header written by bin/nuvera-ffi-header; without it one is
// written to the temporary directory from NUVERA_SIGNING_LIB/_HEADER or the usual places.

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'Nuvera\\Signing\\';
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (str_starts_with($class, $prefix) && is_file($file)) {
        require_once $file;
    }
});
foreach (glob(__DIR__ . '/src/*.php') ?: [] as $file) {
    class_exists('Nuvera\\Signing\\' . basename($file, '.php'));
}

// FFI::load refuses to run when opcache.preload_user is set (as it must be when the server
// starts as root); there, load the header with ffi.preload instead and this script only compiles
// the classes.
$header = getenv('NUVERA_SIGNING_FFI_HEADER') ?: '';
if (!ini_get('opcache.preload_user') && !ini_get('ffi.preload')) {
    if ($header === '' || !is_file($header)) {
        $header = sys_get_temp_dir() . '/nuvera_signing.' . getmypid() . '.ffi.h';
        file_put_contents($header, \Nuvera\Signing\Native::preloadHeader());
    }
    FFI::load($header);
}
