export * from './index'
import type { ClientPolicy, ErrorCodeInfo, RemoteKeyOptions, MultipartForm, Signer, SignOverrides, SignedRequest, StreamedBody } from './index'

/** One code of the core's list (`ErrorCodeInfo`, frozen). */
export type ErrorCodeEntry = Readonly<ErrorCodeInfo>

/** Every error code of the core, in the core's order (frozen; read from the addon at load time). */
export declare const errorCodeList: ReadonlyArray<ErrorCodeEntry>

/**
 * The core's error codes by name (`err.code === ErrorCodes.INVALID_URL`): every `.code` the
 * package throws is one of them. Frozen; built from the addon at load time.
 */
export declare const ErrorCodes: Readonly<Record<string, string>>

/** The errors this package throws or rejects with: an `Error` with a code of `ErrorCodes`. */
export interface NuveraSigningError extends Error {
  /** A code of the core's list. */
  code: string
  /** For `AUTH_*` refusals of a `Verifier`: the HTTP status to answer with (401 or 403). */
  httpStatus?: number
  /** For `AUTH_*` refusals of a `Verifier`: the JSON error body Nuvera answers with. */
  responseBody?: string
  /** For `INVALID_ARGUMENT` from a value napi-rs could not convert: napi's own status. */
  napiStatus?: string
}

/** A body `signedFetch` can sign: its exact bytes are known before sending. */
export type SignedFetchBody = string | Buffer | ArrayBuffer | ArrayBufferView | URLSearchParams | Blob | FormData | MultipartForm | null

/** `fetch`'s options, with the bodies `signedFetch` can sign and the client policy. */
export type SignedFetchInit = Omit<RequestInit, 'body'> & {
  body?: SignedFetchBody
  /** The client policy (contract §8); absent fields take the core's defaults (retries off). */
  policy?: ClientPolicy
}

/**
 * `fetch` that signs the final URL and exact body bytes (string, Buffer/Uint8Array/ArrayBuffer,
 * URLSearchParams, Blob, FormData or MultipartForm) of every send, with `redirect: "manual"`
 * underneath; what follows each response is decided by the core's `Exchange` (contract §8):
 * redirects (at most `policy.maxRedirects`, default 10, then `TOO_MANY_REDIRECTS`; 301/302 after
 * POST and 303 become GET without a body; 307/308 keep method and body; another origin gets no
 * `x-api-key`/`Authorization`; https to http is `INSECURE_REDIRECT`), opt-in retries
 * (`policy.retry`, waiting the core's backoff or `Retry-After`), and one re-send after a clock
 * refusal with the offset learnt from `Date` (kept by the signer). Every send is signed afresh:
 * new jti, same lifetime. A ReadableStream or Node stream body is refused (`STREAMING_BODY`); for a
 * stream, add it to a MultipartForm (`addFileStream`), which is spooled to a temporary file.
 * `redirect: "manual"` returns the redirect response; `"error"` rejects with a TypeError, as
 * `fetch` does.
 */
export declare function signedFetch(signer: Signer, url: string | URL, init?: SignedFetchInit): Promise<Response>

/** A body read from a stream: a Node Readable, a web ReadableStream or any async iterable of chunks. */
export type BodyStream = AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>

/**
 * The `bodyHash` and size of a body read from a stream, multipart by `contentType` as a server
 * hashes it, in constant memory (a `BodyHasher` fed chunk by chunk).
 */
export declare function bodyHashStream(stream: BodyStream, contentType?: string | null): Promise<StreamedBody>

declare module './index' {
  namespace RemoteKey {
    /**
     * A key whose signatures come from `fn` (a cloud KMS): given the SHA-256 digest of the
     * signing input (`options.input: 'digest'`, default) or the input itself (`'input'`), it
     * returns the raw RSASSA-PKCS1-v1_5 signature. Each signature is checked against
     * `publicKeyPem`; a rejection is `REMOTE_SIGNER_FAILED` with its message. Sign with it
     * asynchronously (`signAsync`, `signedFetch`…): a synchronous sign is `UNSUPPORTED`.
     */
    function fromCallback(fn: (input: Buffer) => Promise<Uint8Array> | Uint8Array, publicKeyPem: string | Buffer, options?: RemoteKeyOptions | null): RemoteKey
  }
  interface Signer {
    /**
     * Signs a request whose body is read from a stream (hashed in constant memory, as
     * `bodyHashStream`). The stream is consumed: send the same bytes from their source.
     */
    signStream(method: string, url: string, stream: BodyStream, contentType?: string | null, overrides?: SignOverrides | null): Promise<SignedRequest>
  }
  interface MultipartForm {
    /**
     * Adds a file part read from `stream` (a Node Readable, a web ReadableStream or an async
     * iterable of Buffers/Uint8Arrays) once, one chunk at a time, by the first asynchronous
     * method that needs it (`bodyHashAsync`, `canonicalAsync`, `writeToFile`,
     * `signer.signMultipartAsync`, `signedFetch`, which spools the encoded form to a temporary
     * file): memory does not grow with the stream. A synchronous method that would read it is
     * `UNSUPPORTED`; once hashed, the form can be hashed and signed again but not encoded
     * (`INVALID_FORM_PART`). A failing stream rejects with `IO_ERROR` and its message.
     */
    addFileStream(fieldName: string, fileName: string, stream: BodyStream, mimeType?: string | null): void
  }
}
