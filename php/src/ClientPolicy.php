<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/**
 * What an HTTP-client integration does between sending and handing back a response (contract
 * §8): redirects, opt-in retries, clock correction. Every value left null is the core's default
 * (10 redirects, clock correction on, retries off; once on: 429/502/503/504, the idempotent
 * methods, 3 attempts, 200 ms base, 10 s cap), read from the library, not repeated here.
 */
final class ClientPolicy
{
    /**
     * @param list<int>|null    $retryStatuses statuses retried
     * @param list<string>|null $retryMethods  methods retried (POST only when listed)
     */
    public function __construct(
        public readonly bool $retry = false,
        public readonly ?int $maxRedirects = null,
        public readonly ?bool $correctClock = null,
        public readonly ?array $retryStatuses = null,
        public readonly ?array $retryMethods = null,
        public readonly ?int $maxAttempts = null,
        public readonly ?int $baseDelayMs = null,
        public readonly ?int $maxDelayMs = null,
    ) {
    }

    /**
     * The C struct, and the buffers its pointers refer to (keep both until the exchange is made).
     *
     * @internal
     * @return array{0: CData, 1: list<CData>}
     */
    public function toNative(): array
    {
        $ffi = Native::ffi();
        $policy = $ffi->new('nuvera_client_policy');
        Native::call(fn ($err) => $ffi->nuvera_client_policy_init(\FFI::addr($policy), $err));
        $keep = [];
        $policy->retry = $this->retry;
        if ($this->maxRedirects !== null) {
            $policy->max_redirects = $this->maxRedirects;
        }
        if ($this->correctClock !== null) {
            $policy->correct_clock = $this->correctClock;
        }
        if ($this->retryStatuses !== null) {
            $statuses = $ffi->new('uint16_t[' . max(1, count($this->retryStatuses)) . ']');
            foreach (array_values($this->retryStatuses) as $i => $status) {
                $statuses[$i] = $status;
            }
            $keep[] = $statuses;
            $policy->retry_statuses = $ffi->cast('uint16_t*', $statuses);
            $policy->retry_status_count = count($this->retryStatuses);
        }
        if ($this->retryMethods !== null) {
            $methods = implode(',', $this->retryMethods);
            $buffer = $ffi->new('char[' . (strlen($methods) + 1) . ']');
            \FFI::memcpy($buffer, $methods . "\0", strlen($methods) + 1);
            $keep[] = $buffer;
            $policy->retry_methods = $ffi->cast('char*', $buffer);
        }
        if ($this->maxAttempts !== null) {
            $policy->max_attempts = $this->maxAttempts;
        }
        if ($this->baseDelayMs !== null) {
            $policy->base_delay_ms = $this->baseDelayMs;
        }
        if ($this->maxDelayMs !== null) {
            $policy->max_delay_ms = $this->maxDelayMs;
        }
        return [$policy, $keep];
    }
}
