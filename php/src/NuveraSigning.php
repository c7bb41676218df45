<?php

declare(strict_types=1);

namespace Nuvera\Signing;

/**
 * The library's functions: body hashes, the `uri` claim, explain and support bundles. Each is one
 * call into the core.
 */
final class NuveraSigning
{
    private function __construct()
    {
    }

    /** The library version, e.g. `0.1.0`. */
    public static function version(): string
    {
        return (string) Native::ffi()->nuvera_version();
    }

    /** @param callable(\FFI\CData, \FFI\CData): mixed $call */
    private static function string(callable $call): string
    {
        $out = Native::stringOut();
        Native::call(fn ($err) => $call(\FFI::addr($out), $err));
        return Native::takeString($out);
    }

    /** SHA-256 (lowercase hex) of a plain body. */
    public static function bodyHash(string $body): string
    {
        $bytes = Native::bytes($body);
        return self::string(fn ($out, $err) => Native::ffi()->nuvera_body_hash($bytes, strlen($body), $out, $err));
    }

    /** SHA-256 (lowercase hex) of a file, streamed. */
    public static function bodyHashFile(string $path): string
    {
        return self::string(fn ($out, $err) => Native::ffi()->nuvera_body_hash_file($path, $out, null, $err));
    }

    /**
     * SHA-256 (lowercase hex) of a stream resource read to its end, streamed.
     *
     * @param resource $stream
     */
    public static function bodyHashStream($stream): string
    {
        return Native::withReader(Native::streamChunks($stream), fn ($read) => self::string(
            fn ($out, $err) => Native::ffi()->nuvera_body_hash_reader($read, null, $out, null, $err)
        ));
    }

    /** The `bodyHash` of an encoded multipart body sent with $contentType. */
    public static function multipartBodyHash(string $contentType, string $body): string
    {
        $bytes = Native::bytes($body);
        return self::string(fn ($out, $err) => Native::ffi()->nuvera_multipart_body_hash($contentType, $bytes, strlen($body), $out, $err));
    }

    /** The canonical object (contract §5, compact JSON) of an encoded multipart body. */
    public static function multipartCanonicalJson(string $contentType, string $body): string
    {
        $bytes = Native::bytes($body);
        return self::string(fn ($out, $err) => Native::ffi()->nuvera_multipart_canonical_json($contentType, $bytes, strlen($body), $out, $err));
    }

    /** Whether $contentType is `multipart/form-data` (any case, parameters ignored). */
    public static function isMultipartFormData(?string $contentType): bool
    {
        return (bool) Native::ffi()->nuvera_is_multipart_form_data($contentType);
    }

    /** The `bodyHash` a server computes from a received body (multipart through §5). */
    public static function receivedBodyHash(?string $contentType, string $body): string
    {
        $bytes = Native::bytes($body);
        return self::string(fn ($out, $err) => Native::ffi()->nuvera_received_body_hash($contentType, $bytes, strlen($body), $out, $err));
    }

    /** The `uri` claim of a URL or request target (WHATWG `pathname + search`). */
    public static function requestUri(string $url): string
    {
        return self::string(fn ($out, $err) => Native::ffi()->nuvera_request_uri($url, $out, $err));
    }

    /** The URL to send so the server receives exactly the signed target (fragment removed). */
    public static function sendableUrl(string $url): string
    {
        return self::string(fn ($out, $err) => Native::ffi()->nuvera_sendable_url($url, $out, $err));
    }

    /**
     * Explains why Nuvera would accept or refuse $token for the request as sent: every claim is
     * derived again from the request, and each disagreement is a finding with its `AUTH_*` code.
     * $publicKeyPem also checks the signature; $now (Unix seconds) replaces the clock.
     */
    public static function explain(
        string $method,
        string $url,
        string $token,
        ?string $body = null,
        ?string $contentType = null,
        ?string $apiKey = null,
        ?string $publicKeyPem = null,
        ?int $now = null,
    ): ExplainReport {
        $ffi = Native::ffi();
        $bytes = Native::bytes($body ?? '');
        $at = Native::u64($now);
        $json = Native::stringOut();
        $text = Native::stringOut();
        $ok = $ffi->new('bool');
        Native::call(fn ($err) => $ffi->nuvera_explain(
            $method, $url, $apiKey, $contentType, $bytes, strlen($body ?? ''), $token, $publicKeyPem, $at,
            \FFI::addr($json), \FFI::addr($text), \FFI::addr($ok), $err
        ));
        return new ExplainReport(Native::takeString($json), Native::takeString($text), (bool) $ok->cdata);
    }

    /**
     * A support bundle (contract §7) as pretty JSON, for a ticket: the request as sent (headers
     * masked), the token without its signature, Nuvera's answer and the local diagnosis. It holds
     * no API key, token, private key or body bytes.
     *
     * @param array<string, string|list<string>> $headers the request headers as sent
     */
    public static function supportBundle(
        string $method,
        string $url,
        array $headers,
        string $token,
        int $status,
        string $responseBody = '',
        ?string $body = null,
        ?string $contentType = null,
        ?string $apiKey = null,
        ?string $application = null,
        ?string $publicKeyPem = null,
        ?int $now = null,
    ): string {
        $ffi = Native::ffi();
        [$list, $count, $keep] = self::headerList($headers);
        $bytes = Native::bytes($body ?? '');
        $response = Native::bytes($responseBody);
        $at = Native::u64($now);
        return self::string(fn ($out, $err) => $ffi->nuvera_support_bundle(
            $method, $url, $list, $count, $apiKey, $contentType, $bytes, strlen($body ?? ''), $token, $status,
            $response, strlen($responseBody), $application, $publicKeyPem, $at, $out, $err
        ));
    }

    /**
     * Headers as a C `nuvera_header` array. The third element holds the C strings: keep it alive
     * for the duration of the call.
     *
     * @internal
     * @param array<string, string|list<string>> $headers
     * @return array{0: ?\FFI\CData, 1: int, 2: list<\FFI\CData>}
     */
    public static function headerList(array $headers): array
    {
        $pairs = [];
        foreach ($headers as $name => $values) {
            foreach ((array) $values as $value) {
                $pairs[] = [(string) $name, (string) $value];
            }
        }
        if ($pairs === []) {
            return [null, 0, []];
        }
        $ffi = Native::ffi();
        $list = $ffi->new('nuvera_header[' . count($pairs) . ']');
        $keep = [];
        foreach ($pairs as $i => [$name, $value]) {
            Native::refuseNul(["the header $name" => $name . $value]);
            $list[$i]->name = self::cString($name, $keep);
            $list[$i]->value = self::cString($value, $keep);
        }
        return [$list, count($pairs), $keep];
    }

    /** @param list<\FFI\CData> $keep receives the buffer, which owns the memory */
    private static function cString(string $value, array &$keep): \FFI\CData
    {
        $length = strlen($value);
        $buffer = Native::ffi()->new('char[' . ($length + 1) . ']');
        \FFI::memcpy($buffer, $value . "\0", $length + 1);
        $keep[] = $buffer;
        return Native::ffi()->cast('char*', $buffer);
    }
}
