<?php

declare(strict_types=1);

namespace Nuvera\Signing\Tests;

use Nuvera\Signing\MultipartForm;
use Nuvera\Signing\NuveraSigning;
use Nuvera\Signing\PrivateKey;
use Nuvera\Signing\Signer;
use PHPUnit\Framework\TestCase;

/** Every public vector of testdata/vectors/signing-vectors.json, byte for byte. */
final class VectorsTest extends TestCase
{
    /** @var array<string, mixed> */
    private static array $vectors;

    public static function setUpBeforeClass(): void
    {
        self::$vectors = TestData::json('vectors/signing-vectors.json');
    }

    private static function key(): PrivateKey
    {
        return PrivateKey::fromFile(TestData::dir() . '/' . self::$vectors['key']);
    }

    public function testUriVectors(): void
    {
        $this->assertNotEmpty(self::$vectors['uri']);
        foreach (self::$vectors['uri'] as $case) {
            $this->assertSame($case['uri'], NuveraSigning::requestUri($case['url']), $case['url']);
        }
    }

    public function testMultipartWireVectors(): void
    {
        $this->assertNotEmpty(self::$vectors['multipart']);
        foreach (self::$vectors['multipart'] as $case) {
            $body = base64_decode($case['bodyBase64'], true);
            $this->assertSame($case['bodyHash'], NuveraSigning::multipartBodyHash($case['contentType'], $body), $case['name']);
            $this->assertSame($case['bodyHash'], NuveraSigning::receivedBodyHash($case['contentType'], $body), $case['name']);
            $this->assertSame($case['canonical'], NuveraSigning::multipartCanonicalJson($case['contentType'], $body), $case['name']);
            $this->assertTrue(NuveraSigning::isMultipartFormData($case['contentType']));
        }
    }

    /** @param array<string, mixed> $case */
    private static function form(array $case, ?string $boundary = null): MultipartForm
    {
        $form = new MultipartForm($boundary);
        foreach ($case['fields'] as [$name, $value]) {
            $form->addField($name, $value);
        }
        foreach ($case['files'] as [$field, $fileName, $mime, $content]) {
            $form->addFileBytes($field, $fileName, base64_decode($content, true), $mime);
        }
        return $form;
    }

    public function testMultipartStructuredVectors(): void
    {
        foreach (self::$vectors['multipart'] as $case) {
            $form = self::form($case);
            $this->assertSame($case['canonical'], $form->canonicalJson(), $case['name']);
            $this->assertSame($case['bodyHash'], $form->bodyHash(), $case['name']);
            // Its own encoding parses back to the same hash.
            $this->assertSame($case['bodyHash'], NuveraSigning::multipartBodyHash($form->contentType(), $form->encode()), $case['name']);
        }
    }

    public function testMultipartFromPathsAndStreams(): void
    {
        $dir = sys_get_temp_dir() . '/nuvera-php-' . bin2hex(random_bytes(6));
        mkdir($dir);
        try {
            foreach (self::$vectors['multipart'] as $case) {
                $fromPath = new MultipartForm();
                $fromStream = new MultipartForm();
                foreach ($case['fields'] as [$name, $value]) {
                    $fromPath->addField($name, $value);
                    $fromStream->addField($name, $value);
                }
                foreach ($case['files'] as $i => [$field, $fileName, $mime, $content]) {
                    $path = "$dir/part$i";
                    file_put_contents($path, base64_decode($content, true));
                    $fromPath->addFilePath($field, $path, $fileName, $mime);
                    $fromStream->addFileStream($field, $fileName, fopen($path, 'rb'), $mime);
                }
                $this->assertSame($case['bodyHash'], $fromPath->bodyHash(), $case['name']);
                $encoded = "$dir/encoded";
                $fromStream->encodeToFile($encoded);
                $this->assertSame($case['bodyHash'], $fromStream->bodyHash(), $case['name']);
                $this->assertSame(
                    $case['bodyHash'],
                    NuveraSigning::multipartBodyHash($fromStream->contentType(), (string) file_get_contents($encoded)),
                    $case['name']
                );
            }
        } finally {
            array_map('unlink', glob("$dir/*") ?: []);
            rmdir($dir);
        }
    }

    public function testSignMultipartSignsTheVectorHash(): void
    {
        $signer = new Signer(self::key(), 'nv_test_0000');
        foreach (self::$vectors['multipart'] as $case) {
            $signed = $signer->signMultipart('POST', '/api/v1/documents', self::form($case));
            $this->assertSame($case['bodyHash'], $signed->claims()['bodyHash'], $case['name']);
            $this->assertArrayHasKey('multipart', $signed->proof());
            $body = base64_decode($case['bodyBase64'], true);
            foreach ([
                $signer->signMultipartWire('POST', '/api/v1/documents', $case['contentType'], $body),
                $signer->signBody('POST', '/api/v1/documents', $case['contentType'], $body),
            ] as $wire) {
                $this->assertSame($case['bodyHash'], $wire->claims()['bodyHash'], $case['name']);
            }
        }
    }

    public function testJwtVectorsWholeTokens(): void
    {
        $key = self::key();
        $this->assertNotEmpty(self::$vectors['jwt']);
        foreach (self::$vectors['jwt'] as $case) {
            $signer = new Signer($key, $case['apiKey'], $case['lifetime']);
            $body = base64_decode($case['bodyBase64'], true);
            $stream = fopen('php://memory', 'w+b');
            fwrite($stream, $body);
            rewind($stream);
            $file = tempnam(sys_get_temp_dir(), 'nuvera-php-');
            file_put_contents($file, $body);
            $signedAll = [
                'bytes' => $signer->sign($case['method'], $case['url'], $body, $case['iat'], $case['jti']),
                'body' => $signer->signBody($case['method'], $case['url'], 'application/json', $body, $case['iat'], $case['jti']),
                'stream' => $signer->signStream($case['method'], $case['url'], $stream, $case['iat'], $case['jti']),
                'file' => $signer->signFile($case['method'], $case['url'], $file, $case['iat'], $case['jti']),
                'hash' => $signer->signBodyHash($case['method'], $case['url'], $case['bodyHash'], $case['iat'], $case['jti']),
            ];
            unlink($file);
            foreach ($signedAll as $how => $signed) {
                $what = "{$case['name']} ($how)";
                $this->assertSame($case['token'], $signed->token(), $what);
                $this->assertSame($case['payload'], $signed->claimsJson(), $what);
                $this->assertSame($case['uri'], $signed->claims()['uri'], $what);
                $this->assertSame($case['bodyHash'], $signed->claims()['bodyHash'], $what);
                $this->assertSame(['x-api-key' => $case['apiKey'], 'Authorization' => 'Bearer ' . $case['token']], $signed->headers(), $what);
            }
            $this->assertSame($case['bodyHash'], NuveraSigning::bodyHash($body));
        }
    }

    public function testEveryFormOfTheKeyGivesTheVectorToken(): void
    {
        $case = self::$vectors['jwt'][0];
        $passphrase = 'correct horse battery staple';
        $keys = [
            PrivateKey::fromPem(TestData::key('test-rsa2048-pkcs8.pem')),
            PrivateKey::fromPem(TestData::key('test-rsa2048-pkcs1.pem')),
            PrivateKey::fromPem(TestData::key('test-rsa2048-encrypted-pkcs8.pem'), $passphrase),
            PrivateKey::fromFile(TestData::keyPath('test-rsa2048-encrypted-pkcs8.pem'), $passphrase),
            PrivateKey::fromPem(TestData::key('test-rsa2048-pkcs8-escaped-newlines.txt')),
        ];
        $public = TestData::key('test-rsa2048-public.pem');
        foreach ($keys as $key) {
            $signed = (new Signer($key, $case['apiKey']))->sign($case['method'], $case['url'], base64_decode($case['bodyBase64'], true), $case['iat'], $case['jti']);
            $this->assertSame($case['token'], $signed->token());
            $this->assertSame(trim($public), trim($key->publicKeyPem()));
            $this->assertSame(2048, $key->bits());
            $this->assertSame(PrivateKey::publicKeyFingerprint($public), $key->fingerprint());
        }
    }

    public function testBodyHashOfFileAndStream(): void
    {
        $case = self::$vectors['jwt'][0];
        $body = base64_decode($case['bodyBase64'], true);
        $file = tempnam(sys_get_temp_dir(), 'nuvera-php-');
        file_put_contents($file, $body);
        try {
            $this->assertSame($case['bodyHash'], NuveraSigning::bodyHashFile($file));
            $this->assertSame($case['bodyHash'], NuveraSigning::bodyHashStream(fopen($file, 'rb')));
        } finally {
            unlink($file);
        }
    }
}
