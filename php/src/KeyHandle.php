<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/**
 * The SigningKey methods over the library's one key type (`nuvera_private_key *`), shared by
 * PrivateKey and RemoteKey.
 *
 * @internal
 */
trait KeyHandle
{
    private CData $handle;

    public function publicKeyPem(): string
    {
        $out = Native::stringOut();
        Native::call(fn ($err) => Native::ffi()->nuvera_private_key_public_pem($this->handle, \FFI::addr($out), $err));
        return Native::takeString($out);
    }

    public function fingerprint(): string
    {
        $out = Native::stringOut();
        Native::call(fn ($err) => Native::ffi()->nuvera_private_key_fingerprint($this->handle, \FFI::addr($out), $err));
        return Native::takeString($out);
    }

    public function bits(): int
    {
        $out = Native::ffi()->new('size_t');
        Native::call(fn ($err) => Native::ffi()->nuvera_private_key_bits($this->handle, \FFI::addr($out), $err));
        return $out->cdata;
    }

    /** @internal */
    public function handle(): CData
    {
        return $this->handle;
    }

    public function __destruct()
    {
        Native::ffi()->nuvera_private_key_free($this->handle);
    }
}
