export * from './index'
import type { Signer } from './index'

/**
 * `fetch` that signs the final URL and exact body bytes (string, Buffer/Uint8Array/ArrayBuffer,
 * URLSearchParams, Blob, FormData or MultipartForm), sends with `redirect: "manual"` and follows
 * same-origin redirects itself, re-signing each hop with a fresh jti. A ReadableStream body is
 * refused (`code` UNSUPPORTED_BODY).
 */
export declare function signedFetch(signer: Signer, url: string | URL, init?: RequestInit & { body?: unknown }): Promise<Response>
