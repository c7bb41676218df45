<?php

declare(strict_types=1);

namespace Nuvera\Signing\Tests;

use Nuvera\Signing\ErrorCode;
use Nuvera\Signing\MultipartForm;
use Nuvera\Signing\NuveraException;
use Nuvera\Signing\NuveraSigning;
use Nuvera\Signing\PrivateKey;
use Nuvera\Signing\Signer;
use Nuvera\Signing\VerificationException;
use Nuvera\Signing\Verifier;
use PHPUnit\Framework\TestCase;

/** The error codes (the core's one list), errors of bad input, the Verifier, explain, bundles. */
final class ErrorsAndVerifierTest extends TestCase
{
    private const API_KEY = 'nv_test_php_verifier';

    public function testCodesAndFamiliesAreTheCoreList(): void
    {
        $expected = TestData::json('error-codes.json');
        $this->assertSame(array_column($expected, 'code'), ErrorCode::all());
        foreach ($expected as $entry) {
            $this->assertSame($entry['family'], ErrorCode::family($entry['code']), $entry['code']);
        }
        $this->assertNull(ErrorCode::family('NOT_A_CODE'));
    }

    /** @return array<string, array{callable(): mixed, string}> */
    public static function badInputs(): array
    {
        $key = static fn () => PrivateKey::fromFile(TestData::keyPath('test-rsa2048-pkcs8.pem'));
        return [
            'not a PEM' => [static fn () => PrivateKey::fromPem('not a key'), 'INVALID_PRIVATE_KEY'],
            'EC key' => [static fn () => PrivateKey::fromFile(TestData::keyPath('not-rsa-p256.pem')), 'UNSUPPORTED_KEY_TYPE'],
            '1024 bits' => [static fn () => PrivateKey::fromFile(TestData::keyPath('weak-rsa1024-pkcs8.pem')), 'KEY_TOO_SMALL'],
            'no passphrase' => [static fn () => PrivateKey::fromFile(TestData::keyPath('test-rsa2048-encrypted-pkcs8.pem')), 'PASSPHRASE_REQUIRED'],
            'wrong passphrase' => [static fn () => PrivateKey::fromFile(TestData::keyPath('test-rsa2048-encrypted-pkcs8.pem'), 'nope'), 'WRONG_PASSPHRASE'],
            'missing key file' => [static fn () => PrivateKey::fromFile('/nonexistent/key.pem'), 'IO_ERROR'],
            'lifetime 61' => [static fn () => new Signer($key(), 'nv_x', 61), 'INVALID_LIFETIME'],
            'lifetime 0' => [static fn () => new Signer($key(), 'nv_x', 0), 'INVALID_LIFETIME'],
            'bad URL' => [static fn () => (new Signer($key(), 'nv_x'))->sign('GET', 'no url'), 'INVALID_URL'],
            'bad method' => [static fn () => (new Signer($key(), 'nv_x'))->sign('GE T', '/x'), 'INVALID_METHOD'],
            'bad body hash' => [static fn () => (new Signer($key(), 'nv_x'))->signBodyHash('GET', '/x', 'abc'), 'INVALID_BODY_HASH'],
            'missing body file' => [static fn () => (new Signer($key(), 'nv_x'))->signFile('POST', '/x', '/nonexistent/body'), 'IO_ERROR'],
            'malformed multipart' => [static fn () => NuveraSigning::multipartBodyHash('multipart/form-data; boundary=b', 'garbage'), 'MULTIPART_MALFORMED'],
            'missing form file' => [static fn () => (new MultipartForm())->addFilePath('f', '/nonexistent/file')->bodyHash(), 'IO_ERROR'],
            'failing stream' => [static fn () => NuveraSigning::bodyHashStream(self::failingStream()), 'IO_ERROR'],
        ];
    }

    /** @return resource a stream whose read fails */
    private static function failingStream()
    {
        // A write-only stream: fread fails on it.
        $stream = fopen('php://output', 'wb');
        self::assertIsResource($stream);
        return $stream;
    }

    /**
     * @dataProvider badInputs
     * @param callable(): mixed $call
     */
    public function testBadInputIsAnExceptionWithItsCode(callable $call, string $code): void
    {
        try {
            $call();
            $this->fail("expected $code");
        } catch (NuveraException $e) {
            $this->assertSame($code, $e->getErrorCode(), $e->getMessage());
            $this->assertSame(ErrorCode::family($code), $e->getFamily());
            $this->assertNull($e->getHttpStatus());
            $this->assertNotSame('', $e->getMessage());
        }
    }

    public function testSecretsStayOutOfDumpsAndMessages(): void
    {
        $pem = TestData::key('test-rsa2048-pkcs8.pem');
        $key = PrivateKey::fromPem($pem);
        $signer = new Signer($key, self::API_KEY);
        $signed = $signer->sign('GET', '/api/v1/customers');
        $dump = print_r([$key, $signer, $signed], true);
        $this->assertStringNotContainsString(self::API_KEY, $dump);
        $this->assertStringNotContainsString($signed->token(), $dump);
        $this->assertStringNotContainsString('PRIVATE KEY', $dump);
        try {
            PrivateKey::fromPem(substr($pem, 0, 200));
            $this->fail('a truncated key must be refused');
        } catch (NuveraException $e) {
            $this->assertStringNotContainsString(substr($pem, 40, 60), $e->getMessage());
        }
    }

    private static function registry(string $dir): string
    {
        $path = "$dir/registry.json";
        file_put_contents($path, json_encode(['applications' => [[
            'name' => 'PHP tests',
            'permissions' => ['CUSTOMERS_READ', 'CUSTOMERS_WRITE', 'DOCUMENTS_WRITE'],
            'apiKeys' => [['key' => self::API_KEY]],
            'publicKeys' => [['pem' => TestData::key('test-rsa2048-public.pem')]],
        ]]], JSON_THROW_ON_ERROR));
        return $path;
    }

    public function testVerifierAcceptsOnceAndRefusesWithCodeAndStatus(): void
    {
        $dir = sys_get_temp_dir() . '/nuvera-php-' . bin2hex(random_bytes(6));
        mkdir($dir);
        try {
            $verifier = Verifier::fromRegistryFile(self::registry($dir));
        } finally {
            array_map('unlink', glob("$dir/*") ?: []);
            rmdir($dir);
        }
        $signer = new Signer(PrivateKey::fromFile(TestData::keyPath('test-rsa2048-pkcs8.pem')), self::API_KEY);
        $body = '{"companyName":"Acme"}';
        $signed = $signer->sign('POST', 'http://localhost/api/v1/customers?x=1', $body);
        $headers = ['X-Api-Key' => $signed->apiKey(), 'authorization' => $signed->authorization(), 'Content-Type' => 'application/json'];
        $this->assertSame('PHP tests', $verifier->verifyRequest('POST', '/api/v1/customers?x=1', $headers, $body));

        $other = (new Signer(PrivateKey::fromFile(TestData::keyPath('test-rsa2048-pkcs8.pem')), 'nv_other'))->sign('GET', '/api/v1/customers');
        $codes = TestData::json('error-codes.json');
        $statusOf = array_column($codes, 'httpStatus', 'code');
        $refusals = [
            'replayed' => [fn () => $verifier->verifyRequest('POST', '/api/v1/customers?x=1', $headers, $body), 'AUTH_REPLAYED_JTI'],
            'body changed' => [fn () => $verifier->verifyRequest('POST', '/api/v1/customers?x=1', self::fresh($signer, $body, $headers), $body . ' '), 'AUTH_BODY_HASH_MISMATCH'],
            'no token' => [fn () => $verifier->verify('GET', '/api/v1/customers', self::API_KEY, null, NuveraSigning::bodyHash('')), 'AUTH_MISSING_HEADER'],
            'unknown key' => [fn () => $verifier->verify('GET', '/api/v1/customers', 'nv_other', $other->authorization(), NuveraSigning::bodyHash('')), 'AUTH_INVALID_API_KEY'],
            'not a JWT' => [fn () => $verifier->verify('GET', '/api/v1/customers', self::API_KEY, 'Bearer x', NuveraSigning::bodyHash('')), 'AUTH_INVALID_HEADER'],
        ];
        foreach ($refusals as $what => [$call, $code]) {
            try {
                $call();
                $this->fail("$what: expected $code");
            } catch (VerificationException $e) {
                $this->assertSame($code, $e->getErrorCode(), $what);
                $this->assertSame('auth', $e->getFamily());
                $this->assertSame($statusOf[$code], $e->getHttpStatus(), $what);
            }
        }
        $fresh = $signer->sign('GET', '/api/v1/customers');
        // A NUL byte cannot cross into C: refused (INVALID_ARGUMENT), never signed or verified as
        // the text before it; the refusals leave the jti unspent.
        $nul = [
            'verify, target' => fn () => $verifier->verify('GET', "/api/v1/customers\0/../x", self::API_KEY, $fresh->authorization(), NuveraSigning::bodyHash('')),
            'verifyRequest, header' => fn () => $verifier->verifyRequest('GET', '/api/v1/customers', ['x-api-key' => self::API_KEY . "\0", 'authorization' => $fresh->authorization()], ''),
            'sign, url' => fn () => $signer->sign('GET', "/api/v1/customers\0/../x"),
            'signBodyHash, jti' => fn () => $signer->signBodyHash('GET', '/api/v1/customers', NuveraSigning::bodyHash(''), jti: "j\0"),
        ];
        foreach ($nul as $what => $call) {
            try {
                $call();
                $this->fail("$what: expected INVALID_ARGUMENT");
            } catch (NuveraException $e) {
                $this->assertSame('INVALID_ARGUMENT', $e->getErrorCode(), $what);
            }
        }
        $this->assertSame('PHP tests', $verifier->verify('GET', '/api/v1/customers', self::API_KEY, $fresh->authorization(), NuveraSigning::receivedBodyHash(null, '')));
    }

    /**
     * @param array<string, string> $headers
     * @return array<string, string>
     */
    private static function fresh(Signer $signer, string $body, array $headers): array
    {
        $signed = $signer->sign('POST', '/api/v1/customers?x=1', $body);
        return ['authorization' => $signed->authorization()] + $headers;
    }

    public function testExplainFindsTheChangedUriAndHidesTheApiKey(): void
    {
        $case = TestData::json('vectors/signing-vectors.json')['jwt'][0];
        $body = base64_decode($case['bodyBase64'], true);
        $public = TestData::key('test-rsa2048-public.pem');
        $good = NuveraSigning::explain($case['method'], $case['url'], $case['token'], $body, 'application/json', $case['apiKey'], $public, $case['iat'] + 1);
        $this->assertTrue($good->ok(), $good->text());
        $this->assertNull($good->verdict());
        $wrong = NuveraSigning::explain($case['method'], $case['url'] . '/x', $case['token'], $body, 'application/json', $case['apiKey'], null, $case['iat'] + 1);
        $this->assertFalse($wrong->ok());
        $this->assertSame('AUTH_URI_MISMATCH', $wrong->verdict());
        $this->assertStringNotContainsString($case['apiKey'], $wrong->text());
        $this->assertStringNotContainsString($case['apiKey'], $wrong->json());
    }

    public function testSupportBundleHoldsNoSecret(): void
    {
        $case = TestData::json('vectors/signing-vectors.json')['jwt'][0];
        $body = base64_decode($case['bodyBase64'], true);
        $bundle = NuveraSigning::supportBundle(
            $case['method'],
            $case['url'],
            ['Content-Type' => 'application/json', 'x-api-key' => $case['apiKey'], 'Authorization' => 'Bearer ' . $case['token']],
            $case['token'],
            401,
            '{"errors":[{"code":"AUTH_TOKEN_EXPIRED","message":"expired"}]}',
            $body,
            'application/json',
            $case['apiKey'],
            'Acme Payouts',
            null,
            $case['iat'] + 3600,
        );
        $decoded = json_decode($bundle, true, 512, JSON_THROW_ON_ERROR);
        $this->assertIsArray($decoded);
        $this->assertStringContainsString('Acme Payouts', $bundle);
        $this->assertStringNotContainsString($case['apiKey'], $bundle);
        $this->assertStringNotContainsString($case['token'], $bundle);
        $this->assertStringNotContainsString(explode('.', $case['token'])[2], $bundle);
        $this->assertStringContainsString(substr($case['apiKey'], -4), $bundle);
    }
}
