<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/**
 * A signing key held elsewhere (SIGNING.md §9): behind a callable that asks a cloud KMS to sign,
 * or in a PKCS#11 token (an HSM). Use it wherever a PrivateKey goes (`new Signer($key, $apiKey)`);
 * the tokens are byte-identical to those of the same key in memory. Every signature is checked
 * against the public key before it goes into a token: a provider holding another key fails with
 * `REMOTE_KEY_MISMATCH`, a failing one with `REMOTE_SIGNER_FAILED` and its message.
 */
final class RemoteKey implements SigningKey
{
    use KeyHandle;

    /** The callable gets the 32-byte SHA-256 digest of the signing input (the default). */
    public const INPUT_DIGEST = 0;
    /** The callable gets the JWS signing input itself; the provider hashes it. */
    public const INPUT_MESSAGE = 1;
    /** `NUVERA_MAX_SIGNATURE_LEN`: the longest signature a callable may return (RSA-8192). */
    public const MAX_SIGNATURE_LEN = 1024;
    /** `NUVERA_CALLBACK_MESSAGE_LEN`: room for a failure message, NUL included. */
    public const CALLBACK_MESSAGE_LEN = 512;

    /**
     * The C function pointer made from the callable (a `nuvera_sign_fn[1]`), kept as long as the
     * key: the library calls it while any Signer made from this key signs (Signer keeps its key).
     */
    private ?CData $callback = null;

    private function __construct(CData $handle, private string $provider)
    {
        $this->handle = $handle;
    }

    /**
     * A key whose signatures come from $sign: called with the input (the digest, or the signing
     * input with INPUT_MESSAGE) and returning the raw RSASSA-PKCS1-v1_5 signature as a binary
     * string (for RSA-2048, 256 bytes: not base64). What it throws fails the signature with
     * `REMOTE_SIGNER_FAILED`, the exception's class and message kept (so they must not hold a
     * credential). $publicKeyPem is the key's public half (SPKI or PKCS#1 PEM: AWS KMS
     * `GetPublicKey`, Google Cloud KMS `getPublicKey`).
     *
     * $sign runs on the calling thread, with no bound set by this library: PHP cannot run code on
     * another thread, so the core's timeout (its helper thread) is not used. Bound the call with
     * the KMS client's own timeout (AWS SDK `'http' => ['timeout' => 5]`, Guzzle `timeout`).
     *
     * @param callable(string): string $sign
     * @param int $input INPUT_DIGEST or INPUT_MESSAGE
     */
    public static function fromCallback(callable $sign, string $publicKeyPem, int $input = self::INPUT_DIGEST): self
    {
        $ffi = Native::ffi();
        $callback = $ffi->new('nuvera_sign_fn[1]');
        $callback[0] = self::trampoline($sign);
        // 0: no timeout, so the library calls $sign on this thread (see above).
        $noTimeout = $ffi->new('int64_t[1]');
        $noTimeout[0] = 0;
        $out = $ffi->new('nuvera_private_key*');
        Native::call(fn ($err) => $ffi->nuvera_remote_key_from_callback(
            $publicKeyPem, $input, $noTimeout, $callback[0], null, null, \FFI::addr($out), $err
        ));
        $key = new self($out, 'callback');
        $key->callback = $callback;
        return $key;
    }

    /**
     * The C sign function over $sign. It reads no user data (reading a `void *` argument crashed
     * PHP 8.2's FFI, see Native::withReader): the closure carries $sign. PHP's FFI keeps each
     * function it makes until the request ends (about 1.3 KB), so make keys once, not per request
     * in a long-running worker.
     *
     * @param callable(string): string $sign
     */
    private static function trampoline(callable $sign): \Closure
    {
        return static function ($userData, $input, $inputLen, $signature, $signatureLen, $message) use ($sign): int {
            try {
                $result = $sign(\FFI::string($input, $inputLen));
                if (!is_string($result)) {
                    throw new \UnexpectedValueException('the callable returned ' . get_debug_type($result) . ', not a binary string');
                }
                if (strlen($result) > self::MAX_SIGNATURE_LEN) {
                    throw new \UnexpectedValueException(sprintf('the callable returned %d bytes, more than any RSA signature (%d)', strlen($result), self::MAX_SIGNATURE_LEN));
                }
            } catch (\Throwable $e) {
                // An exception cannot cross the C frames: it becomes the failure's message.
                $text = substr(get_class($e) . ': ' . $e->getMessage(), 0, self::CALLBACK_MESSAGE_LEN - 1) . "\0";
                \FFI::memcpy($message, $text, strlen($text));
                return 1;
            }
            if ($result !== '') {
                \FFI::memcpy($signature, $result, strlen($result));
            }
            $signatureLen[0] = strlen($result);
            return 0;
        };
    }

    /**
     * A key in a PKCS#11 token (an HSM; SoftHSM2). $module is the PKCS#11 library's path; the
     * token is found by $tokenLabel or $slot, the key by $keyLabel or $keyId (`CKA_ID` as hex,
     * e.g. `01`), the PIN read from the environment variable named $pinEnv or the file $pinFile —
     * one of each, else `INVALID_ARGUMENT`. The PIN is never an argument: it would sit in source
     * or a command line. The module is loaded once per process; the token hashes and signs
     * (`CKM_SHA256_RSA_PKCS`) and the public key is read from it. A module, token, key or PIN the
     * module refuses is `REMOTE_SIGNER_FAILED` with its `CKR_…` answer, never the PIN.
     */
    public static function fromPkcs11(
        string $module,
        ?string $tokenLabel = null,
        ?int $slot = null,
        ?string $keyLabel = null,
        ?string $keyId = null,
        ?string $pinEnv = null,
        ?string $pinFile = null,
    ): self {
        $ffi = Native::ffi();
        $slotCell = null;
        if ($slot !== null) {
            if ($slot < 0) {
                throw new NuveraException('INVALID_ARGUMENT', "the slot $slot is negative");
            }
            $slotCell = $ffi->new('uint64_t[1]');
            $slotCell[0] = $slot;
        }
        $out = $ffi->new('nuvera_private_key*');
        Native::call(fn ($err) => $ffi->nuvera_remote_key_from_pkcs11(
            $module, $tokenLabel, $slotCell, $keyLabel, $keyId, $pinEnv, $pinFile, \FFI::addr($out), $err
        ));
        return new self($out, 'pkcs11');
    }

    /**
     * Makes sure, before a first request, that the key signs under its public key: signs a probe
     * and verifies it. `REMOTE_KEY_MISMATCH`: the provider holds another key (or hashed the digest
     * again); `REMOTE_SIGNER_FAILED`: it cannot sign (its message says why). Signing checks every
     * signature anyway; call this at start-up to fail then rather than on a request.
     */
    public function check(): void
    {
        Native::call(fn ($err) => Native::ffi()->nuvera_private_key_check($this->handle, $err));
    }

    /** @return array<string, string|int> */
    public function __debugInfo(): array
    {
        return ['provider' => $this->provider, 'bits' => $this->bits(), 'fingerprint' => $this->fingerprint()];
    }

    public function __serialize(): array
    {
        throw new \LogicException('a remote key cannot be serialized');
    }
}
