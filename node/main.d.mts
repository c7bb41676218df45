export * from './index.js'
import type { Signer } from './index.js'

/** See main.d.ts. */
export declare function signedFetch(signer: Signer, url: string | URL, init?: RequestInit & { body?: unknown }): Promise<Response>
