<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/** One send of an Exchange: what to sign and send, after how long, and why. */
final class Attempt
{
    public function __construct(
        /** The method to send and sign. */
        public readonly string $method,
        /** The absolute URL to send and sign (no fragment). */
        public readonly string $url,
        /** Send the caller's body; false: no body, and no Content-Type/Content-Length for it. */
        public readonly bool $sendBody,
        /** Sign and send the credentials; false after a hop to another origin. */
        public readonly bool $credentials,
        /** Milliseconds to wait before sending. */
        public readonly int $delayMs,
        /** `redirect`, `retry` or `clock-correction`; null for the first send. */
        public readonly ?string $reason,
    ) {
    }

    /** @internal */
    public static function fromNative(CData $attempt, int $delayMs, ?string $reason): self
    {
        return new self(
            Native::borrowedString($attempt->method),
            Native::borrowedString($attempt->url),
            (bool) $attempt->send_body,
            (bool) $attempt->credentials,
            $delayMs,
            $reason === '' ? null : $reason,
        );
    }
}
