<?php

declare(strict_types=1);

namespace Nuvera\Signing\Tests;

/** The project's testdata/ (vectors, keys, the error codes, the client-policy cases). */
final class TestData
{
    public static function dir(): string
    {
        return dirname(__DIR__, 2) . '/testdata';
    }

    /** @return array<string, mixed> */
    public static function json(string $relative): array
    {
        $text = file_get_contents(self::dir() . '/' . $relative);
        self::assertRead($text, $relative);
        return json_decode((string) $text, true, 512, JSON_THROW_ON_ERROR);
    }

    public static function key(string $name): string
    {
        $text = file_get_contents(self::dir() . '/keys/' . $name);
        self::assertRead($text, $name);
        return (string) $text;
    }

    public static function keyPath(string $name): string
    {
        return self::dir() . '/keys/' . $name;
    }

    private static function assertRead(string|false $text, string $what): void
    {
        if ($text === false) {
            throw new \RuntimeException("cannot read $what");
        }
    }
}
