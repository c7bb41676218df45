<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/**
 * Signs requests for one application: its private key, its API key, the token lifetime
 * (1..=60 s, 55 by default), and the token's `iss` and `aud` (`nuvera-api` and
 * `nuvera-rest-api` by default). Every sign call takes `iat`/`jti` only to reproduce a token;
 * left out, the clock and a fresh UUID v4 are used.
 */
final class Signer
{
    private CData $handle;
    /** The key, kept alive with the signer: a RemoteKey's callback must outlive its last use. */
    private ?SigningKey $key = null;

    /**
     * @param int|null $lifetime token lifetime in seconds, 1..=60; null: the default (55)
     * @param string|null $issuer the token's `iss`; null: the default (`nuvera-api`)
     * @param string|null $audience the token's `aud`; null: the default (`nuvera-rest-api`)
     */
    public function __construct(SigningKey $key, string $apiKey, ?int $lifetime = null, ?string $issuer = null, ?string $audience = null)
    {
        if ($lifetime !== null && ($lifetime <= 0 || $lifetime > 0xFFFFFFFF)) {
            // The C argument is a uint32_t where 0 means "the default": a value it cannot hold,
            // or 0, would be truncated or taken as the default. Hand the core one it refuses, so
            // the error (INVALID_LIFETIME) is the core's.
            $lifetime = 0xFFFFFFFF;
        }
        $out = Native::ffi()->new('nuvera_signer*');
        Native::call(fn ($err) => Native::ffi()->nuvera_signer_new_with_options(
            $key->handle(), $apiKey, $lifetime ?? 0, $issuer, $audience, \FFI::addr($out), $err
        ));
        $this->handle = $out;
        $this->key = $key;
    }

    /** @internal */
    public static function fromHandle(CData $handle, ?SigningKey $key = null): self
    {
        $signer = (new \ReflectionClass(self::class))->newInstanceWithoutConstructor();
        $signer->handle = $handle;
        $signer->key = $key;
        return $signer;
    }

    /**
     * Runs one signing call: the texts every call passes to C are checked for NUL bytes (C would
     * cut them short), then $sign is called with the `iat` pointer, the out-parameter and err.
     *
     * @param callable(?CData, CData, CData): mixed $sign
     */
    private function signed(string $method, string $url, ?int $iat, ?string $jti, callable $sign): SignedRequest
    {
        Native::refuseNul(['method' => $method, 'url' => $url, 'jti' => $jti]);
        $at = Native::u64($iat);
        $out = Native::ffi()->new('nuvera_signed_request*');
        Native::call(fn ($err) => $sign($at, \FFI::addr($out), $err));
        return new SignedRequest($out);
    }

    /**
     * Signs a request whose body is exactly $body (null or '' for none), byte for byte. $url is
     * an absolute URL or a target starting with `/`.
     */
    public function sign(string $method, string $url, ?string $body = null, ?int $iat = null, ?string $jti = null): SignedRequest
    {
        $bytes = Native::bytes($body ?? '');
        return $this->signed($method, $url, $iat, $jti, fn ($at, $out, $err) => Native::ffi()->nuvera_signer_sign(
            $this->handle, $method, $url, $bytes, strlen($body ?? ''), $at, $jti, $out, $err
        ));
    }

    /**
     * Signs $body about to be sent with $contentType: a `multipart/form-data` body through its
     * canonical object, any other byte for byte (the core's choice).
     */
    public function signBody(string $method, string $url, ?string $contentType, string $body, ?int $iat = null, ?string $jti = null): SignedRequest
    {
        $bytes = Native::bytes($body);
        return $this->signed($method, $url, $iat, $jti, fn ($at, $out, $err) => Native::ffi()->nuvera_signer_sign_body(
            $this->handle, $method, $url, $contentType, $bytes, strlen($body), $at, $jti, $out, $err
        ));
    }

    /** Signs an encoded multipart body sent with $contentType (`multipart/form-data; boundary=...`). */
    public function signMultipartWire(string $method, string $url, string $contentType, string $body, ?int $iat = null, ?string $jti = null): SignedRequest
    {
        $bytes = Native::bytes($body);
        return $this->signed($method, $url, $iat, $jti, fn ($at, $out, $err) => Native::ffi()->nuvera_signer_sign_multipart_wire(
            $this->handle, $method, $url, $contentType, $bytes, strlen($body), $at, $jti, $out, $err
        ));
    }

    /** Signs a request whose body is the file at $path, sent as it is (streamed). */
    public function signFile(string $method, string $url, string $path, ?int $iat = null, ?string $jti = null): SignedRequest
    {
        return $this->signed($method, $url, $iat, $jti, fn ($at, $out, $err) => Native::ffi()->nuvera_signer_sign_file(
            $this->handle, $method, $url, $path, $at, $jti, $out, $err
        ));
    }

    /**
     * Signs a request whose body is read from the stream $stream (a PHP stream resource) to its
     * end, streamed: memory does not grow with the body. Send exactly the bytes it gave.
     *
     * @param resource $stream
     */
    public function signStream(string $method, string $url, $stream, ?int $iat = null, ?string $jti = null): SignedRequest
    {
        return Native::withReader(Native::streamChunks($stream), fn ($read) => $this->signed(
            $method, $url, $iat, $jti, fn ($at, $out, $err) => Native::ffi()->nuvera_signer_sign_reader($this->handle, $method, $url, $read, null, $at, $jti, $out, $err)
        ));
    }

    /**
     * Signs a body read from $read (called with the most bytes wanted; returns a chunk, '' at the
     * end, false on failure) as it will be sent with $contentType: `multipart/form-data` through
     * its canonical object, any other byte for byte. Streamed: memory does not grow with the body.
     *
     * @param callable(int): (string|false) $read
     */
    public function signReader(string $method, string $url, ?string $contentType, callable $read, ?int $iat = null, ?string $jti = null): SignedRequest
    {
        return Native::withReader($read, fn ($reader) => $this->signed(
            $method, $url, $iat, $jti, fn ($at, $out, $err) => Native::ffi()->nuvera_signer_sign_body_reader($this->handle, $method, $url, $contentType, $reader, null, $at, $jti, $out, $err)
        ));
    }

    /** The clock offset in seconds (`iat = now + offset`): 0 until a clock correction. */
    public function clockOffset(): int
    {
        $out = Native::ffi()->new('int64_t');
        Native::call(fn ($err) => Native::ffi()->nuvera_signer_clock_offset($this->handle, \FFI::addr($out), $err));
        return $out->cdata;
    }

    /**
     * A signer like this one (key, API key, lifetime) whose clock offset starts at $seconds and is
     * its own, e.g. an offset a previous run learnt.
     */
    public function withClockOffset(int $seconds): self
    {
        $out = Native::ffi()->new('nuvera_signer*');
        Native::call(fn ($err) => Native::ffi()->nuvera_signer_with_clock_offset($this->handle, $seconds, \FFI::addr($out), $err));
        return self::fromHandle($out, $this->key);
    }

    /** Signs a request with a `bodyHash` computed elsewhere (64 lowercase hex digits). */
    public function signBodyHash(string $method, string $url, string $bodyHash, ?int $iat = null, ?string $jti = null): SignedRequest
    {
        return $this->signed($method, $url, $iat, $jti, fn ($at, $out, $err) => Native::ffi()->nuvera_signer_sign_body_hash(
            $this->handle, $method, $url, $bodyHash, $at, $jti, $out, $err
        ));
    }

    /**
     * Signs a multipart request described by $form; once the form is encoded (and unchanged),
     * the signature covers exactly the encoded bytes.
     */
    public function signMultipart(string $method, string $url, MultipartForm $form, ?int $iat = null, ?string $jti = null): SignedRequest
    {
        return $this->signed($method, $url, $iat, $jti, fn ($at, $out, $err) => Native::ffi()->nuvera_signer_sign_multipart(
            $this->handle, $method, $url, $form->handle(), $at, $jti, $out, $err
        ));
    }

    /** @internal */
    public function handle(): CData
    {
        return $this->handle;
    }

    /** @return array<string, string> */
    public function __debugInfo(): array
    {
        return ['signer' => '<key and API key redacted>'];
    }

    public function __destruct()
    {
        Native::ffi()->nuvera_signer_free($this->handle);
    }
}
