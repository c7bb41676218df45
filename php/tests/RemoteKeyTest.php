<?php

declare(strict_types=1);

namespace Nuvera\Signing\Tests;

use GuzzleHttp\Client;
use GuzzleHttp\HandlerStack;
use Nuvera\Signing\Guzzle\SigningMiddleware;
use Nuvera\Signing\Native;
use Nuvera\Signing\NuveraException;
use Nuvera\Signing\PrivateKey;
use Nuvera\Signing\RemoteKey;
use Nuvera\Signing\Signer;
use PHPUnit\Framework\TestCase;

/**
 * Remote keys (SIGNING.md §9): a callable signing with ext-openssl plays the KMS, so the tokens
 * are checked against the vectors through an implementation independent of the core's; and a real
 * SoftHSM2 token, set up as core/tests/softhsm/mod.rs does (a private token directory, a token
 * initialised by softhsm2-util, the vectors' key imported). A PKCS#11 module reads SOFTHSM2_CONF
 * once per process, so every test here shares one token.
 */
final class RemoteKeyTest extends TestCase
{
    private const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
    private const TOKEN = 'nuvera-php-test';
    private const KEY_LABEL = 'signing';
    private const PIN = 'pin-4711-user';
    private const PIN_ENV = 'NUVERA_PHP_TEST_PKCS11_PIN';
    /** DER of DigestInfo for SHA-256 before the digest (RFC 8017 §9.2, note 1). */
    private const SHA256_DIGEST_INFO = '3031300d060960864801650304020105000420';

    /** @var array<string, mixed> */
    private static array $vectors;
    private static ?string $hsmDir = null;

    public static function setUpBeforeClass(): void
    {
        self::$vectors = TestData::json('vectors/signing-vectors.json');
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$hsmDir !== null) {
            exec('rm -rf ' . escapeshellarg(self::$hsmDir));
            putenv(self::PIN_ENV);
        }
    }

    /** The KMS: signs a digest (AWS KMS MessageType=DIGEST) or a message it hashes itself. */
    private static function kms(string $keyName, int $input): \Closure
    {
        $key = openssl_pkey_get_private(TestData::key($keyName));
        self::assertNotFalse($key);
        return static function (string $data) use ($key, $input): string {
            if ($input === RemoteKey::INPUT_MESSAGE) {
                self::assertTrue(openssl_sign($data, $signature, $key, OPENSSL_ALGO_SHA256));
                return $signature;
            }
            self::assertSame(32, strlen($data), 'a SHA-256 digest');
            self::assertTrue(openssl_private_encrypt(hex2bin(self::SHA256_DIGEST_INFO) . $data, $signature, $key, OPENSSL_PKCS1_PADDING));
            return $signature;
        };
    }

    private static function signAllVectors(TestCase $test, RemoteKey $key): void
    {
        $test->assertNotEmpty(self::$vectors['jwt']);
        foreach (self::$vectors['jwt'] as $case) {
            $signer = new Signer($key, $case['apiKey'], $case['lifetime']);
            $body = base64_decode($case['bodyBase64'], true);
            $signed = $signer->sign($case['method'], $case['url'], $body, $case['iat'], $case['jti']);
            $test->assertSame($case['token'], $signed->token(), $case['name']);
        }
    }

    public function testCallbackKeySignsTheVectors(): void
    {
        foreach ([RemoteKey::INPUT_DIGEST, RemoteKey::INPUT_MESSAGE] as $input) {
            $calls = 0;
            $kms = self::kms('test-rsa2048-pkcs8.pem', $input);
            $key = RemoteKey::fromCallback(static function (string $data) use ($kms, &$calls): string {
                $calls++;
                return $kms($data);
            }, TestData::key('test-rsa2048-public.pem'), $input);
            $key->check();
            self::signAllVectors($this, $key);
            $this->assertSame(1 + count(self::$vectors['jwt']), $calls, 'one KMS call per check and per signature');
            $file = PrivateKey::fromFile(TestData::keyPath('test-rsa2048-pkcs8.pem'));
            $this->assertSame($file->fingerprint(), $key->fingerprint());
            $this->assertSame($file->publicKeyPem(), $key->publicKeyPem());
            $this->assertSame(2048, $key->bits());
        }
    }

    public function testTheSignerKeepsTheCallbackAlive(): void
    {
        $v = self::$vectors['jwt'][0];
        $signer = (static function () use ($v): Signer {
            $key = RemoteKey::fromCallback(self::kms('test-rsa2048-pkcs8.pem', RemoteKey::INPUT_DIGEST), TestData::key('test-rsa2048-public.pem'));
            return new Signer($key, $v['apiKey'], $v['lifetime']);
        })();
        gc_collect_cycles();
        $shifted = $signer->withClockOffset(0);
        unset($signer);
        gc_collect_cycles();
        $signed = $shifted->sign($v['method'], $v['url'], base64_decode($v['bodyBase64'], true), $v['iat'], $v['jti']);
        $this->assertSame($v['token'], $signed->token());
    }

    private static function failure(callable $make): NuveraException
    {
        try {
            $make();
        } catch (NuveraException $e) {
            return $e;
        }
        self::fail('no NuveraException');
    }

    private static function signOnce(RemoteKey $key): void
    {
        (new Signer($key, 'nv_test_1234'))->sign('GET', '/api/v1/customers');
    }

    public function testCallbackFailuresHaveTheCoresCodes(): void
    {
        $public = TestData::key('test-rsa2048-public.pem');

        $denied = RemoteKey::fromCallback(static function (): string {
            throw new \RuntimeException('AccessDeniedException: not authorized to kms:Sign');
        }, $public);
        $e = self::failure(fn () => self::signOnce($denied));
        $this->assertSame('REMOTE_SIGNER_FAILED', $e->getErrorCode());
        $this->assertSame('remote', $e->getFamily());
        $this->assertStringContainsString('RuntimeException: AccessDeniedException', $e->getMessage());
        $this->assertSame('REMOTE_SIGNER_FAILED', self::failure(fn () => $denied->check())->getErrorCode());

        $notAString = RemoteKey::fromCallback(static fn () => null, $public);
        $this->assertSame('REMOTE_SIGNER_FAILED', self::failure(fn () => self::signOnce($notAString))->getErrorCode());

        $kms = self::kms('test-rsa2048-pkcs8.pem', RemoteKey::INPUT_DIGEST);
        $hex = RemoteKey::fromCallback(static fn (string $d) => bin2hex($kms($d)), $public);
        $this->assertSame('REMOTE_SIGNER_FAILED', self::failure(fn () => self::signOnce($hex))->getErrorCode());

        $other = openssl_pkey_new(['private_key_bits' => 2048, 'private_key_type' => OPENSSL_KEYTYPE_RSA]);
        $this->assertNotFalse($other);
        $anotherKey = RemoteKey::fromCallback(static function (string $digest) use ($other): string {
            openssl_private_encrypt(hex2bin(self::SHA256_DIGEST_INFO) . $digest, $signature, $other, OPENSSL_PKCS1_PADDING);
            return $signature;
        }, $public);
        $this->assertSame('REMOTE_KEY_MISMATCH', self::failure(fn () => self::signOnce($anotherKey))->getErrorCode());
        $this->assertSame('REMOTE_KEY_MISMATCH', self::failure(fn () => $anotherKey->check())->getErrorCode());

        $this->assertSame('INVALID_PUBLIC_KEY', self::failure(fn () => RemoteKey::fromCallback($kms, 'not a key'))->getErrorCode());
        $this->assertSame('INVALID_ARGUMENT', self::failure(fn () => RemoteKey::fromCallback($kms, $public, 7))->getErrorCode());
    }

    public function testConstantsAreTheHeaders(): void
    {
        $header = (string) file_get_contents(Native::headerPath());
        foreach ([
            'NUVERA_SIGNATURE_INPUT_DIGEST' => RemoteKey::INPUT_DIGEST,
            'NUVERA_SIGNATURE_INPUT_MESSAGE' => RemoteKey::INPUT_MESSAGE,
            'NUVERA_MAX_SIGNATURE_LEN' => RemoteKey::MAX_SIGNATURE_LEN,
            'NUVERA_CALLBACK_MESSAGE_LEN' => RemoteKey::CALLBACK_MESSAGE_LEN,
        ] as $name => $value) {
            $this->assertMatchesRegularExpression("/#define $name $value\\b/", $header, $name);
        }
    }

    /** The shared SoftHSM2 token's directory, made on first use. */
    private static function token(): string
    {
        if (self::$hsmDir !== null) {
            return self::$hsmDir;
        }
        self::assertFileExists(self::MODULE, 'softhsm2 is needed (scripts/install-tools php installs it)');
        $dir = sys_get_temp_dir() . '/nuvera-php-softhsm-' . bin2hex(random_bytes(6));
        mkdir("$dir/tokens", 0700, true);
        file_put_contents("$dir/softhsm2.conf", "directories.tokendir = $dir/tokens\nobjectstore.backend = file\nlog.level = ERROR\n");
        putenv("SOFTHSM2_CONF=$dir/softhsm2.conf");
        putenv(self::PIN_ENV . '=' . self::PIN);
        self::$hsmDir = $dir;
        foreach ([
            ['--init-token', '--free', '--label', self::TOKEN, '--so-pin', 'pin-0815-so', '--pin', self::PIN],
            ['--import', TestData::keyPath('test-rsa2048-pkcs8.pem'), '--token', self::TOKEN, '--label', self::KEY_LABEL, '--id', '01', '--pin', self::PIN],
        ] as $args) {
            exec('softhsm2-util ' . implode(' ', array_map('escapeshellarg', $args)) . ' 2>&1', $output, $status);
            self::assertSame(0, $status, implode("\n", $output));
        }
        return $dir;
    }

    private static function tokenKey(): RemoteKey
    {
        self::token();
        return RemoteKey::fromPkcs11(self::MODULE, tokenLabel: self::TOKEN, keyLabel: self::KEY_LABEL, pinEnv: self::PIN_ENV);
    }

    public function testPkcs11KeySignsTheVectors(): void
    {
        $key = self::tokenKey();
        $key->check();
        self::signAllVectors($this, $key);
        $this->assertStringNotContainsString(self::PIN, print_r($key, true));
    }

    public function testPkcs11KeyByIdWithThePinInAFile(): void
    {
        $dir = self::token();
        file_put_contents("$dir/pin", self::PIN . "\n");
        $key = RemoteKey::fromPkcs11(self::MODULE, tokenLabel: self::TOKEN, keyId: '01', pinFile: "$dir/pin");
        $this->assertSame(trim(TestData::key('test-rsa2048-public.pem')), trim($key->publicKeyPem()));
    }

    public function testPkcs11FailuresHaveTheCoresCodes(): void
    {
        $dir = self::token();
        file_put_contents("$dir/wrong-pin", "wrong-pin-0000\n");
        $cases = [
            'a PIN the token refuses' => ['REMOTE_SIGNER_FAILED', fn () => RemoteKey::fromPkcs11(self::MODULE, tokenLabel: self::TOKEN, keyLabel: self::KEY_LABEL, pinFile: "$dir/wrong-pin")],
            'no such token' => ['REMOTE_SIGNER_FAILED', fn () => RemoteKey::fromPkcs11(self::MODULE, tokenLabel: 'no-such-token', keyLabel: self::KEY_LABEL, pinEnv: self::PIN_ENV)],
            'no such key' => ['REMOTE_SIGNER_FAILED', fn () => RemoteKey::fromPkcs11(self::MODULE, tokenLabel: self::TOKEN, keyLabel: 'no-such-key', pinEnv: self::PIN_ENV)],
            'no such module' => ['REMOTE_SIGNER_FAILED', fn () => RemoteKey::fromPkcs11('/nonexistent/libpkcs11.so', tokenLabel: self::TOKEN, keyLabel: self::KEY_LABEL, pinEnv: self::PIN_ENV)],
            'label and slot' => ['INVALID_ARGUMENT', fn () => RemoteKey::fromPkcs11(self::MODULE, tokenLabel: self::TOKEN, slot: 0, keyLabel: self::KEY_LABEL, pinEnv: self::PIN_ENV)],
            'a negative slot' => ['INVALID_ARGUMENT', fn () => RemoteKey::fromPkcs11(self::MODULE, slot: -1, keyLabel: self::KEY_LABEL, pinEnv: self::PIN_ENV)],
            'no key selector' => ['INVALID_ARGUMENT', fn () => RemoteKey::fromPkcs11(self::MODULE, tokenLabel: self::TOKEN, pinEnv: self::PIN_ENV)],
            'an unset PIN variable' => ['INVALID_ARGUMENT', fn () => RemoteKey::fromPkcs11(self::MODULE, tokenLabel: self::TOKEN, keyLabel: self::KEY_LABEL, pinEnv: 'NUVERA_PHP_TEST_UNSET')],
        ];
        foreach ($cases as $name => [$code, $make]) {
            $e = self::failure($make);
            $this->assertSame($code, $e->getErrorCode(), "$name: {$e->getMessage()}");
            $this->assertStringNotContainsString(self::PIN, $e->getMessage(), $name);
            $this->assertStringNotContainsString('wrong-pin-0000', $e->getMessage(), $name);
        }
    }

    /** A PKCS#11 key signs through the Guzzle middleware; the mock server accepts the requests. */
    public function testPkcs11KeyAgainstTheMockServer(): void
    {
        $server = MockServer::start();
        try {
            $stack = HandlerStack::create();
            $stack->push(SigningMiddleware::create(new Signer(self::tokenKey(), $server->env['NUVERA_API_KEY'])), 'nuvera_signing');
            $client = new Client(['handler' => $stack, 'base_uri' => $server->url()]);
            $created = $client->post('/api/v1/customers', ['json' => ['companyName' => 'Acme Imports']]);
            $this->assertSame(201, $created->getStatusCode(), (string) $created->getBody());
            $listed = $client->get('/api/v1/customers', ['query' => ['limit' => 20]]);
            $this->assertSame(200, $listed->getStatusCode(), (string) $listed->getBody());
            $unsigned = (new Client(['base_uri' => $server->url(), 'http_errors' => false]))->get('/api/v1/customers');
            $this->assertSame(401, $unsigned->getStatusCode());
        } finally {
            $server->stop();
        }
    }
}
