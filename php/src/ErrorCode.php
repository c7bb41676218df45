<?php

declare(strict_types=1);

namespace Nuvera\Signing;

/**
 * The core's one list of error codes, read from the library (PHP keeps no copy of it).
 */
final class ErrorCode
{
    private function __construct()
    {
    }

    /** @return list<string> every code the library can report, in the core's order */
    public static function all(): array
    {
        $ffi = Native::ffi();
        $codes = [];
        $count = $ffi->nuvera_error_code_count();
        for ($i = 0; $i < $count; $i++) {
            // `const char *` results arrive as PHP strings.
            $codes[] = (string) $ffi->nuvera_error_code_at($i);
        }
        return $codes;
    }

    /** The family of a code (`key`, `request`, `auth`, ...), or null for a string that is not one. */
    public static function family(string $code): ?string
    {
        $family = Native::ffi()->nuvera_error_code_family($code);
        return $family === null ? null : (string) $family;
    }
}
