export * from './index'
import type { MultipartForm, Signer, SignOverrides, SignedRequest, StreamedBody } from './index'

/** One code of the core's list. */
export interface ErrorCodeEntry {
  /** The stable code string, e.g. `INVALID_PRIVATE_KEY`. */
  readonly code: string
  /** `key`, `request`, `multipart`, `io`, `registry`, `auth`, `client`, `remote` or `internal`. */
  readonly family: string
  /** The HTTP status a server answers with, for the `AUTH_*` codes; `null` for the others. */
  readonly httpStatus: number | null
}

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

/** `fetch`'s options, with the bodies `signedFetch` can sign. */
export type SignedFetchInit = Omit<RequestInit, 'body'> & { body?: SignedFetchBody }

/**
 * `fetch` that signs the final URL and exact body bytes (string, Buffer/Uint8Array/ArrayBuffer,
 * URLSearchParams, Blob, FormData or MultipartForm), sends with `redirect: "manual"` and follows
 * redirects itself (at most 10 hops, then `TOO_MANY_REDIRECTS`), signing each hop again with a
 * fresh jti. A hop to another origin is followed without `x-api-key` and `Authorization`; a hop
 * from https to http is refused (`INSECURE_REDIRECT`). A ReadableStream or Node stream body is
 * refused (`STREAMING_BODY`). `redirect: "manual"` returns the redirect response; `"error"`
 * rejects with a TypeError, as `fetch` does.
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
  interface Signer {
    /**
     * Signs a request whose body is read from a stream (hashed in constant memory, as
     * `bodyHashStream`). The stream is consumed: send the same bytes from their source.
     */
    signStream(method: string, url: string, stream: BodyStream, contentType?: string | null, overrides?: SignOverrides | null): Promise<SignedRequest>
  }
}
