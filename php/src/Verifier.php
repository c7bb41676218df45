<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/**
 * The server side (contract §6): a registry of applications, a replay cache (in memory, or shared
 * by several instances in Redis) and the system clock. A refused request throws a
 * VerificationException with the `AUTH_*` code and the HTTP status to answer with.
 */
final class Verifier
{
    private function __construct(private CData $handle)
    {
    }

    /**
     * A verifier over a registry file (JSON, or TOML when the name ends in `.toml`).
     *
     * With $replayCacheUrl (`redis://` or `rediss://`), jtis are recorded in that store, shared by
     * every instance using it (contract §9): a token replayed to any of them is
     * `AUTH_REPLAYED_JTI`, and while the store does not answer every request is refused with
     * `AUTH_REPLAY_CACHE_UNAVAILABLE` (HTTP 503). The other options, null for the core's
     * defaults: the key prefix (`nuvera:jti:`), the time the store has to answer in ms (50,
     * 1..=10000) and the connection bound (16, 1..=1024). Invalid options throw
     * `INVALID_ARGUMENT` here (never showing the URL's password); nothing connects until the
     * first request.
     */
    public static function fromRegistryFile(
        string $path,
        ?string $replayCacheUrl = null,
        ?string $replayCachePrefix = null,
        ?int $replayCacheTimeoutMs = null,
        ?int $replayCacheMaxConnections = null,
    ): self {
        $out = Native::ffi()->new('nuvera_verifier*');
        Native::call(fn ($err) => Native::ffi()->nuvera_verifier_from_registry_file($path, \FFI::addr($out), $err));
        $verifier = new self($out);
        if ($replayCacheUrl !== null || $replayCachePrefix !== null || $replayCacheTimeoutMs !== null || $replayCacheMaxConnections !== null) {
            // Options without a URL go to the core with an empty one, which it refuses.
            Native::call(fn ($err) => Native::ffi()->nuvera_verifier_set_replay_cache(
                $out, $replayCacheUrl ?? '', $replayCachePrefix,
                self::u32OrDefault($replayCacheTimeoutMs), self::u32OrDefault($replayCacheMaxConnections), $err
            ));
        }
        return $verifier;
    }

    /**
     * The C argument is a uint32_t where 0 means "the default": null is the default; a value it
     * cannot hold, or 0, is handed over as one the core refuses, so the error is the core's.
     */
    private static function u32OrDefault(?int $value): int
    {
        if ($value === null) {
            return 0;
        }
        return $value <= 0 || $value > 0xFFFFFFFF ? 0xFFFFFFFF : $value;
    }

    /**
     * Verifies a request from its header values and the received body's hash
     * (NuveraSigning::receivedBodyHash). Returns the application's name.
     */
    public function verify(string $method, string $target, ?string $apiKey, ?string $authorization, string $bodyHash): string
    {
        Native::refuseNul(['method' => $method, 'target' => $target, 'x-api-key' => $apiKey,
            'Authorization' => $authorization, 'the body hash' => $bodyHash]);
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
        Native::refuseNul(['method' => $method, 'target' => $target]);
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
