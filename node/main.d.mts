export * from './index.js'
import type { ClientPolicy, RemoteKeyOptions, MultipartForm, Signer, SignOverrides, SignedRequest, StreamedBody } from './index.js'

/** See main.d.ts. */
export interface ErrorCodeEntry {
  readonly code: string
  readonly family: string
  readonly httpStatus: number | null
}
/** See main.d.ts. */
export declare const errorCodeList: ReadonlyArray<ErrorCodeEntry>
/** See main.d.ts. */
export declare const ErrorCodes: Readonly<Record<string, string>>
/** See main.d.ts. */
export interface NuveraSigningError extends Error {
  code: string
  httpStatus?: number
  responseBody?: string
  napiStatus?: string
}
/** See main.d.ts. A body `signedFetch` can sign: its exact bytes are known before sending. */
export type SignedFetchBody = string | Buffer | ArrayBuffer | ArrayBufferView | URLSearchParams | Blob | FormData | MultipartForm | null

/** See main.d.ts. `fetch`'s options, with the bodies `signedFetch` can sign and the client policy. */
export type SignedFetchInit = Omit<RequestInit, 'body'> & { body?: SignedFetchBody; policy?: ClientPolicy }

/** See main.d.ts. */
export declare function signedFetch(signer: Signer, url: string | URL, init?: SignedFetchInit): Promise<Response>

/** See main.d.ts. A body read from a stream: a Node Readable, a web ReadableStream or any async iterable of chunks. */
export type BodyStream = AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>

/**
 * See main.d.ts. The `bodyHash` and size of a body read from a stream, multipart by `contentType` as a server
 * hashes it, in constant memory (a `BodyHasher` fed chunk by chunk).
 */
export declare function bodyHashStream(stream: BodyStream, contentType?: string | null): Promise<StreamedBody>

declare module './index.js' {
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
