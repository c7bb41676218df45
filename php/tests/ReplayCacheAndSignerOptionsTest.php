<?php

declare(strict_types=1);

namespace Nuvera\Signing\Tests;

use Nuvera\Signing\NuveraException;
use Nuvera\Signing\PrivateKey;
use Nuvera\Signing\Signer;
use Nuvera\Signing\VerificationException;
use Nuvera\Signing\Verifier;
use PHPUnit\Framework\TestCase;

/** The Signer's issuer and audience; two Verifiers sharing a real redis-server. */
final class ReplayCacheAndSignerOptionsTest extends TestCase
{
    private const API_KEY = 'nv_test_php_replay';

    public function testIssuerAudienceAndLifetimeReachTheToken(): void
    {
        $key = PrivateKey::fromFile(TestData::keyPath('test-rsa2048-pkcs8.pem'));
        $signer = new Signer($key, self::API_KEY, lifetime: 30, issuer: 'partner-gateway', audience: 'nuvera-sandbox');
        $claims = $signer->sign('GET', 'https://api.nuvera.global/api/v1/customers', null, 1767225600, '3b241101-e2bb-4255-8caf-4136c566a962')->claimsJson();
        $this->assertStringContainsString('"iss":"partner-gateway","aud":"nuvera-sandbox"', $claims);
        $this->assertStringContainsString('"iat":1767225600,"exp":1767225630', $claims);
        foreach (['issuer' => ['', null], 'audience' => [null, '']] as $what => [$issuer, $audience]) {
            try {
                new Signer($key, self::API_KEY, issuer: $issuer, audience: $audience);
                $this->fail("empty $what accepted");
            } catch (NuveraException $e) {
                $this->assertSame('INVALID_CLAIM', $e->getErrorCode(), $what);
            }
        }
    }

    public function testTwoVerifiersShareARedisReplayCache(): void
    {
        $registry = self::registry();
        [$url, $redis] = self::startRedis();
        try {
            $first = Verifier::fromRegistryFile($registry, $url, replayCachePrefix: 'php-test:', replayCacheTimeoutMs: 500);
            $second = Verifier::fromRegistryFile($registry, $url, replayCachePrefix: 'php-test:', replayCacheTimeoutMs: 500);
            $signer = new Signer(PrivateKey::fromFile(TestData::keyPath('test-rsa2048-pkcs8.pem')), self::API_KEY);
            $body = '{"companyName":"Acme"}';
            $headers = self::headers($signer, $body);
            $this->assertSame('PHP replay', $first->verifyRequest('POST', '/api/v1/customers', $headers, $body));
            $this->assertRefused(fn () => $second->verifyRequest('POST', '/api/v1/customers', $headers, $body), 'AUTH_REPLAYED_JTI', 401);
            $this->assertSame('PHP replay', $second->verifyRequest('POST', '/api/v1/customers', self::headers($signer, $body), $body));

            self::stop($redis);
            $this->assertRefused(fn () => $first->verifyRequest('POST', '/api/v1/customers', self::headers($signer, $body), $body), 'AUTH_REPLAY_CACHE_UNAVAILABLE', 503);
        } finally {
            self::stop($redis);
            unlink($registry);
        }
    }

    public function testReplayCacheOptionsAreCheckedByTheCore(): void
    {
        $registry = self::registry();
        try {
            foreach ([
                ['http://u:secret-pass@cache:6379', null, null],
                ['redis://:secret-pass@cache:6379', 60000, null],
                ['redis://:secret-pass@cache:6379', -1, null],
                ['redis://:secret-pass@cache:6379', null, 5000],
                [null, 100, null],
            ] as [$url, $timeout, $connections]) {
                try {
                    Verifier::fromRegistryFile($registry, $url, replayCacheTimeoutMs: $timeout, replayCacheMaxConnections: $connections);
                    $this->fail("accepted $url $timeout $connections");
                } catch (NuveraException $e) {
                    $this->assertSame('INVALID_ARGUMENT', $e->getErrorCode());
                    $this->assertStringNotContainsString('secret-pass', $e->getMessage());
                }
            }
        } finally {
            unlink($registry);
        }
    }

    private function assertRefused(callable $call, string $code, int $status): void
    {
        try {
            $call();
            $this->fail("expected $code");
        } catch (VerificationException $e) {
            $this->assertSame($code, $e->getErrorCode());
            $this->assertSame($status, $e->getHttpStatus());
        }
    }

    /** @return array<string, string> */
    private static function headers(Signer $signer, string $body): array
    {
        $signed = $signer->sign('POST', 'http://localhost/api/v1/customers', $body);
        return ['X-Api-Key' => $signed->apiKey(), 'Authorization' => $signed->authorization(), 'Content-Type' => 'application/json'];
    }

    private static function registry(): string
    {
        $path = tempnam(sys_get_temp_dir(), 'nuvera-php-registry-') . '.json';
        file_put_contents($path, json_encode(['applications' => [[
            'name' => 'PHP replay',
            'permissions' => ['CUSTOMERS_WRITE'],
            'apiKeys' => [['key' => self::API_KEY]],
            'publicKeys' => [['pem' => TestData::key('test-rsa2048-public.pem')]],
        ]]], JSON_THROW_ON_ERROR));
        return $path;
    }

    /**
     * A real redis-server on a free loopback port, without persistence.
     *
     * @return array{string, resource}
     */
    private static function startRedis(): array
    {
        $bin = trim((string) shell_exec('command -v redis-server'));
        if ($bin === '') {
            self::fail('redis-server not found: bash scripts/install-tools php installs it');
        }
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr((string) strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        $process = proc_open(
            [$bin, '--port', (string) $port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', sys_get_temp_dir()],
            [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes
        );
        if (!is_resource($process)) {
            self::fail('cannot start redis-server');
        }
        while (($line = fgets($pipes[1])) !== false) {
            if (str_contains($line, 'Ready to accept connections')) {
                // Its later output goes nowhere it could block on.
                fclose($pipes[1]);
                return ["redis://127.0.0.1:$port", $process];
            }
        }
        self::fail('redis-server exited before accepting connections');
    }

    /** @param resource $process */
    private static function stop($process): void
    {
        if (is_resource($process)) {
            proc_terminate($process);
            proc_close($process);
        }
    }
}
