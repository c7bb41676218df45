export * from './index.js'
import type { MultipartForm, Signer } from './index.js'

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

/** See main.d.ts. `fetch`'s options, with the bodies `signedFetch` can sign. */
export type SignedFetchInit = Omit<RequestInit, 'body'> & { body?: SignedFetchBody }

/** See main.d.ts. */
export declare function signedFetch(signer: Signer, url: string | URL, init?: SignedFetchInit): Promise<Response>
