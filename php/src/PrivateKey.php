<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/**
 * An RSA private key (PKCS#8, PKCS#1 or encrypted PKCS#8 PEM; literal `\n` line breaks are
 * accepted). It never appears in var_dump, print_r or an exception.
 */
final class PrivateKey implements SigningKey
{
    use KeyHandle;

    private function __construct(CData $handle)
    {
        $this->handle = $handle;
    }

    /** Parses PEM text; $passphrase is needed for an `ENCRYPTED PRIVATE KEY`. */
    public static function fromPem(string $pem, ?string $passphrase = null): self
    {
        $out = Native::ffi()->new('nuvera_private_key*');
        Native::call(fn ($err) => Native::ffi()->nuvera_private_key_from_pem($pem, $passphrase, \FFI::addr($out), $err));
        return new self($out);
    }

    /** Reads and parses a PEM file. */
    public static function fromFile(string $path, ?string $passphrase = null): self
    {
        $out = Native::ffi()->new('nuvera_private_key*');
        Native::call(fn ($err) => Native::ffi()->nuvera_private_key_from_file($path, $passphrase, \FFI::addr($out), $err));
        return new self($out);
    }

    /** The fingerprint of a public key PEM (SPKI or PKCS#1), as fingerprint() of its private half. */
    public static function publicKeyFingerprint(string $publicKeyPem): string
    {
        $out = Native::stringOut();
        Native::call(fn ($err) => Native::ffi()->nuvera_public_key_fingerprint($publicKeyPem, \FFI::addr($out), $err));
        return Native::takeString($out);
    }

    /** @return array<string, string> */
    public function __debugInfo(): array
    {
        return ['key' => '<redacted>'];
    }

    public function __serialize(): array
    {
        throw new \LogicException('a private key cannot be serialized');
    }
}
