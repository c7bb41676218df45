<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/**
 * The result of signing: the two headers, the token, its claims and a proof (what was signed,
 * with no secret in it). var_dump shows neither the token nor the API key.
 */
final class SignedRequest
{
    /** @internal */
    public function __construct(private CData $handle)
    {
    }

    private function read(string $function): string
    {
        $out = Native::ffi()->new('const char*');
        Native::call(fn ($err) => Native::ffi()->$function($this->handle, \FFI::addr($out), $err));
        return Native::borrowedString($out);
    }

    /** The compact JWT. */
    public function token(): string
    {
        return $this->read('nuvera_signed_request_token');
    }

    /** The `Authorization` header value, `Bearer <token>`. */
    public function authorization(): string
    {
        return $this->read('nuvera_signed_request_authorization');
    }

    /** The `x-api-key` header value. */
    public function apiKey(): string
    {
        return $this->read('nuvera_signed_request_api_key');
    }

    /** @return array{x-api-key: string, Authorization: string} the two headers to send */
    public function headers(): array
    {
        return ['x-api-key' => $this->apiKey(), 'Authorization' => $this->authorization()];
    }

    /** The signed claims as compact JSON, in the contract's order (`sub` is the API key). */
    public function claimsJson(): string
    {
        return $this->read('nuvera_signed_request_claims_json');
    }

    /** @return array<string, string|int> the signed claims */
    public function claims(): array
    {
        return json_decode($this->claimsJson(), true, 512, JSON_THROW_ON_ERROR);
    }

    /** The proof artifact as pretty JSON: method, uri, bodyHash, masked claims, token fingerprint. */
    public function proofJson(): string
    {
        return $this->read('nuvera_signed_request_proof_json');
    }

    /** @return array<string, mixed> the proof artifact */
    public function proof(): array
    {
        return json_decode($this->proofJson(), true, 512, JSON_THROW_ON_ERROR);
    }

    /** @return array<string, mixed> */
    public function __debugInfo(): array
    {
        return ['proof' => $this->proof()];
    }

    public function __destruct()
    {
        Native::ffi()->nuvera_signed_request_free($this->handle);
    }
}
