<?php

declare(strict_types=1);

// Composer's autoloader when the package was installed with it; otherwise the same PSR-4 rule
// for src/ and tests/, and Debian's Guzzle (php-guzzlehttp-guzzle), so the tests run on Debian's
// php-cli and phpunit with no network.
$composer = __DIR__ . '/../vendor/autoload.php';
if (is_file($composer)) {
    require $composer;
} else {
    spl_autoload_register(static function (string $class): void {
        foreach (['Nuvera\\Signing\\Tests\\' => __DIR__ . '/', 'Nuvera\\Signing\\' => __DIR__ . '/../src/'] as $prefix => $dir) {
            if (str_starts_with($class, $prefix)) {
                $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
                if (is_file($file)) {
                    require $file;
                }
                return;
            }
        }
    });
    if (!class_exists(\GuzzleHttp\Client::class)) {
        require 'GuzzleHttp/autoload.php';
    }
}
