<?php

declare(strict_types=1);

namespace Nuvera\Signing;

/**
 * Verification refused a request: the code is an `AUTH_*` code and `getHttpStatus()` the status
 * to answer with.
 */
final class VerificationException extends NuveraException
{
}
