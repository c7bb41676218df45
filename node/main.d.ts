export * from './index'
import type { MultipartForm, Signer } from './index'

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
