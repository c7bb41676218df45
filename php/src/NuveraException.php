<?php

declare(strict_types=1);

namespace Nuvera\Signing;

/**
 * An error of the library, carrying its stable code from the core's one list
 * (`ErrorCode::all()`), e.g. `INVALID_URL` or `AUTH_BODY_HASH_MISMATCH`. The message never holds
 * a key, an API key or a token.
 */
class NuveraException extends \RuntimeException
{
    /** @internal built from a C error by Native::call */
    final public function __construct(
        private readonly string $errorCode,
        string $message,
        private readonly ?int $httpStatus = null,
    ) {
        parent::__construct($message);
    }

    /** @internal */
    public static function fromNative(string $code, string $message, int $httpStatus, int $status): self
    {
        // NUVERA_REFUSED (3): verification refused the request.
        $class = $status === 3 ? VerificationException::class : self::class;
        return new $class($code, $message, $httpStatus === 0 ? null : $httpStatus);
    }

    /** The stable code, e.g. `INVALID_PRIVATE_KEY`. */
    public function getErrorCode(): string
    {
        return $this->errorCode;
    }

    /** The code's family: `key`, `request`, `multipart`, `io`, `registry`, `auth`, `client`, ... */
    public function getFamily(): ?string
    {
        return ErrorCode::family($this->errorCode);
    }

    /** For a refused request, the HTTP status to answer with (401, 403, 503); null otherwise. */
    public function getHttpStatus(): ?int
    {
        return $this->httpStatus;
    }
}
