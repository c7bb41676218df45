<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/**
 * One caller's request through redirects, retries and clock correction (contract §8), decided
 * by the core: sign and send first(), give each response to onResponse() and carry out the
 * answer. An exchange makes every decision; an integration makes none.
 */
final class Exchange
{
    private CData $handle;

    /** $signer's clock offset is the one read and corrected (shared by all its users). */
    public function __construct(ClientPolicy $policy, string $method, string $url, bool $hasBody, ?Signer $signer = null)
    {
        [$native, $keep] = $policy->toNative();
        $out = Native::ffi()->new('nuvera_exchange*');
        Native::call(fn ($err) => Native::ffi()->nuvera_exchange_new(
            \FFI::addr($native), $method, $url, $hasBody, $signer?->handle(), \FFI::addr($out), $err
        ));
        unset($keep);
        $this->handle = $out;
    }

    /** Pins the backoff's random fractions (each in 0..=1), used in order: for tests. */
    public function setJitter(float ...$fractions): void
    {
        $values = Native::ffi()->new('double[' . max(1, count($fractions)) . ']');
        foreach ($fractions as $i => $fraction) {
            $values[$i] = $fraction;
        }
        Native::call(fn ($err) => Native::ffi()->nuvera_exchange_set_jitter($this->handle, $values, count($fractions), $err));
    }

    /** The first send: the caller's request. */
    public function first(): Attempt
    {
        $attempt = Native::ffi()->new('nuvera_attempt');
        Native::call(fn ($err) => Native::ffi()->nuvera_exchange_first($this->handle, \FFI::addr($attempt), $err));
        return Attempt::fromNative($attempt, 0, null);
    }

    /**
     * What follows a response to the last send: the next Attempt (after its delay), or null when
     * the response goes to the caller. A failure of the exchange (`TOO_MANY_REDIRECTS`,
     * `INSECURE_REDIRECT`, `CLOCK_SKEW_TOO_LARGE`, ...) is a NuveraException.
     *
     * @param array<string, string|list<string>> $headers
     * @param string $body the body, needed for a 401 only (maxRefusalBody() bytes are enough)
     */
    public function onResponse(int $status, array $headers, string $body, int $sentAtMs, int $receivedAtMs): ?Attempt
    {
        [$list, $count, $keep] = NuveraSigning::headerList($headers);
        $bytes = Native::bytes($body);
        $action = Native::ffi()->new('nuvera_action');
        Native::call(fn ($err) => Native::ffi()->nuvera_exchange_on_response(
            $this->handle, $status, $list, $count, $bytes, strlen($body), $sentAtMs, $receivedAtMs, \FFI::addr($action), $err
        ));
        unset($keep);
        if ($action->kind !== Native::ffi()->NUVERA_ACTION_SEND) {
            return null;
        }
        return Attempt::fromNative($action->attempt, (int) $action->delay_ms, Native::borrowedString($action->reason));
    }

    /** The clock offset in seconds this exchange reads and corrects. */
    public function clockOffset(): int
    {
        $out = Native::ffi()->new('int64_t');
        Native::call(fn ($err) => Native::ffi()->nuvera_exchange_clock_offset($this->handle, \FFI::addr($out), $err));
        return $out->cdata;
    }

    /** The most body bytes onResponse reads (a longer 401 body is not a clock refusal). */
    public static function maxRefusalBody(): int
    {
        return Native::ffi()->nuvera_client_max_refusal_body();
    }

    public function __destruct()
    {
        Native::ffi()->nuvera_exchange_free($this->handle);
    }
}
