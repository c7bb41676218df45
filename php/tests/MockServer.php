<?php

declare(strict_types=1);

namespace Nuvera\Signing\Tests;

/**
 * The project's mock server (`nuvera-sign serve`) over loopback, started and stopped through the
 * shared scripts/mock-server helper.
 */
final class MockServer
{
    /** @param array<string, string> $env the helper's env file (NUVERA_MOCK_URL, ...) */
    private function __construct(private readonly string $envFile, public readonly array $env)
    {
    }

    /** @param list<string> $serveArgs extra `serve` arguments, e.g. --clock-offset 600 */
    public static function start(array $serveArgs = []): self
    {
        $envFile = sys_get_temp_dir() . '/nuvera-php-mock-' . bin2hex(random_bytes(6)) . '.env';
        $command = array_merge([self::script(), 'start', '--env', $envFile, '--'], $serveArgs);
        $escaped = implode(' ', array_map('escapeshellarg', $command));
        exec("$escaped 2>&1", $output, $status);
        if ($status !== 0) {
            throw new \RuntimeException("scripts/mock-server start failed:\n" . implode("\n", $output));
        }
        $env = [];
        foreach (file($envFile, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [] as $line) {
            [$key, $value] = explode('=', $line, 2);
            $env[$key] = $value;
        }
        return new self($envFile, $env);
    }

    public function url(): string
    {
        return $this->env['NUVERA_MOCK_URL'];
    }

    /** @return list<array<string, mixed>> the server's log: one object per request */
    public function log(): array
    {
        $lines = file($this->env['NUVERA_MOCK_LOG'], FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [];
        $entries = [];
        foreach ($lines as $line) {
            $entry = json_decode($line, true);
            if (is_array($entry)) {
                $entries[] = $entry;
            }
        }
        return $entries;
    }

    public function stop(): void
    {
        exec(implode(' ', array_map('escapeshellarg', [self::script(), 'stop', '--env', $this->envFile])) . ' 2>&1');
    }

    private static function script(): string
    {
        return dirname(__DIR__, 2) . '/scripts/mock-server';
    }
}
