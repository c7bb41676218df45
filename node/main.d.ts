export * from './index'
import type { ClientPolicy, ErrorCodeInfo, RemoteKeyOptions, MultipartForm, Signer, SignOverrides, SignedRequest, StreamedBody } from './index'

/** One code of the core's list (`ErrorCodeInfo`, frozen). */
export type ErrorCodeEntry = Readonly<ErrorCodeInfo>

/** Every error code of the core, in the core's order (frozen; read from the addon at load time). */
export declare const errorCodeList: ReadonlyArray<ErrorCodeEntry>

/** The core's codes by name (`err.code === ErrorCodes.INVALID_URL`): every `.code` thrown. Frozen. */
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
 * `fetch` that signs the final URL and exact body of every send; the core's `Exchange` decides
 * what follows each response (contract §8). A stream body is `STREAMING_BODY` (use a MultipartForm's
 * `addFileStream`); `redirect: "manual"` returns a redirect, `"error"` rejects with a TypeError.
 */
export declare function signedFetch(signer: Signer, url: string | URL, init?: SignedFetchInit): Promise<Response>

/** A body read from a stream: a Node Readable, a web ReadableStream or any async iterable of chunks. */
export type BodyStream = AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>

/** The `bodyHash` and size of a streamed body, as a `BodyHasher` for `contentType` gives them. */
export declare function bodyHashStream(stream: BodyStream, contentType?: string | null): Promise<StreamedBody>

declare module './index' {
  namespace RemoteKey {
    /**
     * A key whose signatures come from `fn` (a cloud KMS), each checked against `publicKeyPem`; a
     * rejection is `REMOTE_SIGNER_FAILED`. Sign with it asynchronously (a sync sign is `UNSUPPORTED`).
     */
    function fromCallback(fn: (input: Buffer) => Promise<Uint8Array> | Uint8Array, publicKeyPem: string | Buffer, options?: RemoteKeyOptions | null): RemoteKey
  }
  interface Signer {
    /** Signs a body read from a stream (hashed as by `bodyHashStream`, which consumes it). */
    signStream(method: string, url: string, stream: BodyStream, contentType?: string | null, overrides?: SignOverrides | null): Promise<SignedRequest>
  }
  interface MultipartForm {
    /** Adds a file part read from `stream` once, by the first async method that needs it. */
    addFileStream(fieldName: string, fileName: string, stream: BodyStream, mimeType?: string | null): void
  }
}
