<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/**
 * The server side (contract §6): a registry of applications, an in-memory replay cache and the
 * system clock. A refused request throws a VerificationException with the `AUTH_*` code and the
 * HTTP status to answer with.
 */
final class Verifier
{
    private function __construct(private CData $handle)
    {
    }

    /** A verifier over a registry file (JSON, or TOML when the name ends in `.toml`). */
    public static function fromRegistryFile(string $path): self
    {
        $out = Native::ffi()->new('nuvera_verifier*');
        Native::call(fn ($err) => Native::ffi()->nuvera_verifier_from_registry_file($path, \FFI::addr($out), $err));
        return new self($out);
    }

    /**
     * Verifies a request from its header values and the received body's hash
     * (NuveraSigning::receivedBodyHash). Returns the application's name.
     */
    public function verify(string $method, string $target, ?string $apiKey, ?string $authorization, string $bodyHash): string
    {
        $name = Native::stringOut();
        Native::call(fn ($err) => Native::ffi()->nuvera_verifier_verify(
            $this->handle, $method, $target, $apiKey, $authorization, $bodyHash, \FFI::addr($name), $err
        ));
        return Native::takeString($name);
    }

    /**
     * Verifies a request from what arrived: its headers (names in any case) and raw body, hashed
     * as the server must. Returns the application's name.
     *
     * @param array<string, string|list<string>> $headers
     */
    public function verifyRequest(string $method, string $target, array $headers, string $body): string
    {
        [$list, $count, $keep] = NuveraSigning::headerList($headers);
        $bytes = Native::bytes($body);
        $name = Native::stringOut();
        Native::call(fn ($err) => Native::ffi()->nuvera_verifier_verify_request(
            $this->handle, $method, $target, $list, $count, $bytes, strlen($body), \FFI::addr($name), $err
        ));
        unset($keep);
        return Native::takeString($name);
    }

    public function __destruct()
    {
        Native::ffi()->nuvera_verifier_free($this->handle);
    }
}
