<?php

declare(strict_types=1);

namespace Nuvera\Signing\Tests;

use GuzzleHttp\Client;
use GuzzleHttp\Exception\ClientException;
use GuzzleHttp\HandlerStack;
use GuzzleHttp\Psr7\PumpStream;
use Nuvera\Signing\ClientPolicy;
use Nuvera\Signing\Guzzle\SigningMiddleware;
use Nuvera\Signing\PrivateKey;
use Nuvera\Signing\Signer;
use PHPUnit\Framework\TestCase;

/** The Guzzle middleware against the real mock server (`nuvera-sign serve`) over loopback. */
final class GuzzleMiddlewareTest extends TestCase
{
    private static MockServer $server;

    public static function setUpBeforeClass(): void
    {
        self::$server = MockServer::start(['--test-routes']);
    }

    public static function tearDownAfterClass(): void
    {
        self::$server->stop();
    }

    private static function signer(MockServer $server): Signer
    {
        return new Signer(PrivateKey::fromFile($server->env['NUVERA_PRIVATE_KEY_FILE']), $server->env['NUVERA_API_KEY']);
    }

    private static function client(MockServer $server, ?Signer $signer = null, ?ClientPolicy $policy = null): Client
    {
        $stack = HandlerStack::create();
        $stack->push(SigningMiddleware::create($signer ?? self::signer($server), $policy), 'nuvera_signing');
        return new Client(['handler' => $stack, 'base_uri' => $server->url()]);
    }

    /** @return array<string, mixed> the last log entry */
    private static function lastLogged(MockServer $server): array
    {
        $log = $server->log();
        self::assertNotEmpty($log);
        return $log[count($log) - 1];
    }

    public function testJsonPostIsAccepted(): void
    {
        $response = self::client(self::$server)->post('/api/v1/customers', ['json' => ['companyName' => 'Acme Imports', 'note' => "é\u{1F600}/"]]);
        $this->assertSame(201, $response->getStatusCode(), (string) $response->getBody());
        $created = json_decode((string) $response->getBody(), true);
        $this->assertIsArray($created);
        $this->assertSame(201, self::lastLogged(self::$server)['status']);
    }

    public function testGetWithQueryIsAccepted(): void
    {
        $response = self::client(self::$server)->get('/api/v1/customers', ['query' => ['limit' => 20, 'name' => 'a b&c']]);
        $this->assertSame(200, $response->getStatusCode(), (string) $response->getBody());
        $logged = self::lastLogged(self::$server);
        $this->assertSame(200, $logged['status']);
        $this->assertStringContainsString('limit=20', $logged['uri']);
    }

    public function testMultipartUploadIsAccepted(): void
    {
        $file = tempnam(sys_get_temp_dir(), 'nuvera-php-');
        file_put_contents($file, random_bytes(300000));
        try {
            $response = self::client(self::$server)->post('/api/v1/documents', ['multipart' => [
                ['name' => 'customerId', 'contents' => 'c_42'],
                ['name' => 'type', 'contents' => 'INCORPORATION'],
                ['name' => 'file', 'contents' => fopen($file, 'rb'), 'filename' => 'cert.pdf', 'headers' => ['Content-Type' => 'application/pdf']],
            ]]);
        } finally {
            unlink($file);
        }
        $this->assertSame(201, $response->getStatusCode(), (string) $response->getBody());
    }

    public function testOneShotStreamBodyIsReadFirstAndAccepted(): void
    {
        $chunks = ['{"companyName":', '"Streamed Ltd"}'];
        $body = new PumpStream(static function () use (&$chunks) {
            return array_shift($chunks) ?? false;
        });
        $response = self::client(self::$server)->post('/api/v1/customers', ['body' => $body, 'headers' => ['Content-Type' => 'application/json']]);
        $this->assertSame(201, $response->getStatusCode(), (string) $response->getBody());
    }

    public function testUnsignedRequestIsRefused(): void
    {
        $response = (new Client(['base_uri' => self::$server->url(), 'http_errors' => false]))->get('/api/v1/customers');
        $this->assertSame(401, $response->getStatusCode());
    }

    public function testRedirectsAreResignedAndPostBecomesGet(): void
    {
        $client = self::client(self::$server);
        foreach ([301, 302, 303, 307, 308] as $status) {
            $response = $client->get('/__test/redirect', ['query' => ['status' => $status, 'to' => '/api/v1/customers?limit=1']]);
            $this->assertSame(200, $response->getStatusCode(), "$status: " . $response->getBody());
        }
        // 303 after POST: GET without the body, signed afresh for the new target.
        $response = $client->post('/__test/redirect?status=303&to=/api/v1/customers', ['json' => ['x' => 1]]);
        $this->assertSame(200, $response->getStatusCode());
        $logged = self::lastLogged(self::$server);
        $this->assertSame('GET', $logged['method']);
        // 307 keeps the method and the body, signed again.
        $response = $client->post('/__test/redirect?status=307&to=/api/v1/customers', ['json' => ['companyName' => 'Kept']]);
        $this->assertSame(201, $response->getStatusCode(), (string) $response->getBody());
    }

    public function testCrossOriginHopGoesWithoutCredentials(): void
    {
        // 127.0.0.1 and localhost are different origins: the hop is sent unsigned, so the server
        // refuses it for the missing headers.
        $other = str_replace('127.0.0.1', 'localhost', self::$server->url()) . '/api/v1/customers';
        $client = self::client(self::$server);
        $response = $client->get('/__test/redirect', ['query' => ['status' => 302, 'to' => $other], 'http_errors' => false]);
        $this->assertSame(401, $response->getStatusCode());
        $this->assertStringContainsString('AUTH_MISSING_HEADER', (string) $response->getBody());
        // With http_errors on (Guzzle's default) the final 401 is Guzzle's own exception.
        $this->expectException(ClientException::class);
        $client->get('/__test/redirect', ['query' => ['status' => 302, 'to' => $other]]);
    }

    public function testTooManyRedirectsIsTheCoreCode(): void
    {
        $client = self::client(self::$server, null, new ClientPolicy(maxRedirects: 2));
        $loop = '/__test/redirect?status=302&to=' . rawurlencode('/__test/redirect?status=302&to=/__test/redirect%3Fstatus%3D302%26to%3D/api/v1/customers');
        try {
            $client->get($loop);
            $this->fail('expected TOO_MANY_REDIRECTS');
        } catch (\Nuvera\Signing\NuveraException $e) {
            $this->assertSame('TOO_MANY_REDIRECTS', $e->getErrorCode());
            $this->assertSame('client', $e->getFamily());
        }
    }

    public function testRetriesAreOptIn(): void
    {
        $id = bin2hex(random_bytes(4));
        $uri = "/api/v1/customers?__unavailable=$id&__times=2&__retry_after=0";
        $response = self::client(self::$server)->get($uri, ['http_errors' => false]);
        $this->assertSame(503, $response->getStatusCode(), 'no retry without the policy');
        $retrying = self::client(self::$server, null, new ClientPolicy(retry: true, baseDelayMs: 1, maxDelayMs: 5));
        $response = $retrying->get($uri);
        $this->assertSame(200, $response->getStatusCode(), (string) $response->getBody());
    }

    /** @return array<string, array{int}> */
    public static function clockOffsets(): array
    {
        return ['server ahead' => [600], 'server behind' => [-600]];
    }

    /** @dataProvider clockOffsets */
    public function testClockIsCorrectedFromDate(int $offset): void
    {
        $server = MockServer::start(['--clock-offset', (string) $offset]);
        try {
            $signer = self::signer($server);
            $client = self::client($server, $signer);
            $response = $client->post('/api/v1/customers', ['json' => ['companyName' => 'Clockwork']]);
            $this->assertSame(201, $response->getStatusCode(), (string) $response->getBody());
            $this->assertEqualsWithDelta($offset, $signer->clockOffset(), 2);
            $statuses = array_column($server->log(), 'status');
            $this->assertSame([401, 201], $statuses, 'one refusal, then the corrected re-send');
            // The learnt offset is kept: the next request is accepted at once.
            $this->assertSame(200, $client->get('/api/v1/customers')->getStatusCode());
            $this->assertSame([401, 201, 200], array_column($server->log(), 'status'));
            // Without correction the refusal reaches the caller.
            $plain = self::client($server, null, new ClientPolicy(correctClock: false));
            $this->assertSame(401, $plain->get('/api/v1/customers', ['http_errors' => false])->getStatusCode());
        } finally {
            $server->stop();
        }
    }
}
