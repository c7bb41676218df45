<?php

declare(strict_types=1);

namespace Nuvera\Signing;

/**
 * What `NuveraSigning::explain` found: rule by rule, with the `AUTH_*` code of each finding.
 * The claims in it have `sub` masked.
 */
final class ExplainReport
{
    /** @internal */
    public function __construct(
        private readonly string $json,
        private readonly string $text,
        private readonly bool $ok,
    ) {
    }

    /** Whether no rule fails: Nuvera would accept the token for this request. */
    public function ok(): bool
    {
        return $this->ok;
    }

    /** The first failing rule's code (`AUTH_URI_MISMATCH`, ...), or null when ok. */
    public function verdict(): ?string
    {
        $verdict = $this->toArray()['verdict'] ?? null;
        return is_string($verdict) ? $verdict : null;
    }

    /** @return array<string, mixed> the report */
    public function toArray(): array
    {
        return json_decode($this->json, true, 512, JSON_THROW_ON_ERROR);
    }

    /** The report as JSON. */
    public function json(): string
    {
        return $this->json;
    }

    /** The report for humans. */
    public function text(): string
    {
        return $this->text;
    }
}
