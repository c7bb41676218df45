<?php

declare(strict_types=1);

namespace Nuvera\Signing;

use FFI\CData;

/**
 * A multipart/form-data body described by fields and files. Once encoded, and until a part is
 * added, its hash and signature cover exactly the encoded bytes.
 */
final class MultipartForm
{
    private CData $handle;
    /** @var list<\Closure> read callbacks of stream parts, kept alive as long as the form */
    private array $readers = [];

    /** An empty form; $boundary (1 to 70 RFC 2046 characters) for reproducible bodies, else random. */
    public function __construct(?string $boundary = null)
    {
        $out = Native::ffi()->new('nuvera_multipart_form*');
        Native::call(fn ($err) => $boundary === null
            ? Native::ffi()->nuvera_multipart_form_new(\FFI::addr($out), $err)
            : Native::ffi()->nuvera_multipart_form_new_with_boundary($boundary, \FFI::addr($out), $err));
        $this->handle = $out;
    }

    /** Adds a text field (repeated names are separate fields). */
    public function addField(string $name, string $value): self
    {
        Native::call(fn ($err) => Native::ffi()->nuvera_multipart_form_add_field($this->handle, $name, $value, $err));
        return $this;
    }

    /**
     * Adds a file by path, read when the form is hashed or encoded. $fileName defaults to the
     * path's last component, $mimeType to `application/octet-stream`.
     */
    public function addFilePath(string $fieldName, string $path, ?string $fileName = null, ?string $mimeType = null): self
    {
        Native::call(fn ($err) => Native::ffi()->nuvera_multipart_form_add_file_path(
            $this->handle, $fieldName, $path, $fileName, $mimeType, $err
        ));
        return $this;
    }

    /** Adds a file from memory. */
    public function addFileBytes(string $fieldName, string $fileName, string $bytes, ?string $mimeType = null): self
    {
        $buffer = Native::bytes($bytes);
        Native::call(fn ($err) => Native::ffi()->nuvera_multipart_form_add_file_bytes(
            $this->handle, $fieldName, $fileName, $buffer, strlen($bytes), $mimeType, $err
        ));
        return $this;
    }

    /**
     * Adds a file read from a stream resource when the form is encoded (streamed). A stream is
     * read once: encode the form, then sign it (the signature covers the encoded bytes). Each
     * stream part holds one FFI callback until the request ends (about 1.3 KB).
     *
     * @param resource $stream
     */
    public function addFileStream(string $fieldName, string $fileName, $stream, ?string $mimeType = null): self
    {
        $read = Native::streamReader($stream);
        $this->readers[] = $read;
        Native::call(fn ($err) => Native::ffi()->nuvera_multipart_form_add_file_reader(
            $this->handle, $fieldName, $fileName, $read, null, $mimeType, $err
        ));
        return $this;
    }

    /** `multipart/form-data; boundary=...`, the Content-Type to send with the encoded body. */
    public function contentType(): string
    {
        $out = Native::stringOut();
        Native::call(fn ($err) => Native::ffi()->nuvera_multipart_form_content_type($this->handle, \FFI::addr($out), $err));
        return Native::takeString($out);
    }

    /** The boundary (from the Content-Type). */
    public function boundary(): string
    {
        return substr($this->contentType(), strlen('multipart/form-data; boundary='));
    }

    /** The whole encoded body, in memory. */
    public function encode(): string
    {
        $ffi = Native::ffi();
        $out = $ffi->new('uint8_t*');
        $length = $ffi->new('size_t');
        Native::call(fn ($err) => $ffi->nuvera_multipart_form_encode($this->handle, \FFI::addr($out), \FFI::addr($length), $err));
        $body = $length->cdata === 0 ? '' : \FFI::string($out, $length->cdata);
        $ffi->nuvera_bytes_free($out, $length->cdata);
        return $body;
    }

    /** Encodes the body into a file (created or truncated), streaming file parts. */
    public function encodeToFile(string $path): void
    {
        Native::call(fn ($err) => Native::ffi()->nuvera_multipart_form_encode_to_file($this->handle, $path, $err));
    }

    /** The form's `bodyHash` (of the last encoding when unchanged since). */
    public function bodyHash(): string
    {
        $out = Native::stringOut();
        Native::call(fn ($err) => Native::ffi()->nuvera_multipart_form_body_hash($this->handle, \FFI::addr($out), $err));
        return Native::takeString($out);
    }

    /** The form's canonical object (contract §5) as compact JSON. */
    public function canonicalJson(): string
    {
        $out = Native::stringOut();
        Native::call(fn ($err) => Native::ffi()->nuvera_multipart_form_canonical_json($this->handle, \FFI::addr($out), $err));
        return Native::takeString($out);
    }

    /** @internal */
    public function handle(): CData
    {
        return $this->handle;
    }

    public function __destruct()
    {
        Native::ffi()->nuvera_multipart_form_free($this->handle);
    }
}
