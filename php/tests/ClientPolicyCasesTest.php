<?php

declare(strict_types=1);

namespace Nuvera\Signing\Tests;

use Nuvera\Signing\ClientPolicy;
use Nuvera\Signing\Exchange;
use Nuvera\Signing\NuveraException;
use Nuvera\Signing\PrivateKey;
use Nuvera\Signing\Signer;
use PHPUnit\Framework\TestCase;

/** The table of §8 cases (testdata/client-policy/cases.json) through the PHP Exchange. */
final class ClientPolicyCasesTest extends TestCase
{
    /** @param array<string, mixed>|null $policy */
    private static function policy(?array $policy): ClientPolicy
    {
        $retry = $policy['retry'] ?? null;
        return new ClientPolicy(
            retry: $retry !== null,
            maxRedirects: $policy['maxRedirects'] ?? null,
            correctClock: $policy['correctClock'] ?? null,
            retryStatuses: $retry['statuses'] ?? null,
            retryMethods: $retry['methods'] ?? null,
            maxAttempts: $retry['maxAttempts'] ?? null,
            baseDelayMs: $retry['baseDelayMs'] ?? null,
            maxDelayMs: $retry['maxDelayMs'] ?? null,
        );
    }

    /** @param array{0: string, 1: string}[] $pairs @return array<string, list<string>> */
    private static function headers(array $pairs): array
    {
        $headers = [];
        foreach ($pairs as [$name, $value]) {
            $headers[$name][] = $value;
        }
        return $headers;
    }

    public function testEveryCase(): void
    {
        $table = TestData::json('client-policy/cases.json');
        $this->assertCount(77, $table['cases']);
        $key = PrivateKey::fromFile(TestData::keyPath('test-rsa2048-pkcs8.pem'));
        $base = new Signer($key, 'nv_test_policy');
        foreach ($table['cases'] as $case) {
            $name = $case['name'];
            $signer = $base->withClockOffset($case['clockOffset']);
            $request = $case['request'];
            try {
                $exchange = new Exchange(self::policy($case['policy'] ?? null), $request['method'], $request['url'], $request['hasBody'], $signer);
            } catch (NuveraException $e) {
                $this->assertSame($case['first']['fail'] ?? null, $e->getErrorCode(), $name);
                continue;
            }
            if (isset($case['jitter'])) {
                $exchange->setJitter(...$case['jitter']);
            }
            $first = $exchange->first();
            $this->assertSame($case['first'], ['method' => $first->method, 'url' => $first->url, 'sendBody' => $first->sendBody, 'credentials' => $first->credentials], $name);
            foreach ($case['steps'] as $i => $step) {
                $r = $step['response'];
                $expect = $step['expect'];
                $what = "$name, step $i";
                try {
                    $next = $exchange->onResponse($r['status'], self::headers($r['headers']), $r['body'], $r['sentAtMs'], $r['receivedAtMs']);
                } catch (NuveraException $e) {
                    $this->assertSame('fail', $expect['action'], "$what: {$e->getMessage()}");
                    $this->assertSame($expect['code'], $e->getErrorCode(), $what);
                    $this->assertSame($expect['clockOffset'], $signer->clockOffset(), $what);
                    continue;
                }
                if ($expect['action'] === 'done') {
                    $this->assertNull($next, $what);
                } else {
                    $this->assertSame('send', $expect['action'], $what);
                    $this->assertNotNull($next, $what);
                    $this->assertSame($expect['reason'], $next->reason, $what);
                    $this->assertSame($expect['delayMs'], $next->delayMs, $what);
                    $this->assertSame($expect['attempt'], ['method' => $next->method, 'url' => $next->url, 'sendBody' => $next->sendBody, 'credentials' => $next->credentials], $what);
                }
                $this->assertSame($expect['clockOffset'], $exchange->clockOffset(), $what);
                $this->assertSame($expect['clockOffset'], $signer->clockOffset(), $what);
            }
        }
    }
}
