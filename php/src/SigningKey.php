<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/**
 * What a Signer signs with: a PrivateKey (in this process) or a RemoteKey (in an HSM or a cloud
 * KMS). The tokens are the same for the same key wherever it is held.
 */
interface SigningKey
{
    /** The public half as SPKI PEM: what a partner registers with Nuvera. */
    public function publicKeyPem(): string;

    /** `SHA256:` and the hex SHA-256 of the public key's SPKI DER. */
    public function fingerprint(): string;

    /** The modulus size in bits. */
    public function bits(): int;

    /** @internal the library's `nuvera_private_key *` */
    public function handle(): CData;
}
