// The CommonJS entry's types (main.d.ts), compiled with the ESM check (scripts/test-node).
import ns = require('nuvera-signing')

export function cjs(pem: string): string {
  const signer = new ns.Signer(ns.PrivateKey.fromPem(pem), 'nv_live_x')
  const code: string = ns.ErrorCodes.INVALID_URL
  const entries: ReadonlyArray<ns.ErrorCodeEntry> = ns.errorCodeList
  const init: ns.SignedFetchInit = { method: 'POST', body: new ns.MultipartForm() }
  void ns.signedFetch(signer, 'https://api.nuvera.global/api/v1/customers', init)
  return signer.sign('GET', '/x').token + code + entries.length
}
