// The CommonJS entry's types (main.d.ts), compiled with the ESM check (scripts/test-node).
import ns = require('nuvera-signing')

export function cjs(pem: string): string {
  const signer = new ns.Signer(ns.PrivateKey.fromPem(pem), 'nv_live_x')
  const code: string = ns.ErrorCodes.INVALID_URL
  const entries: ReadonlyArray<ns.ErrorCodeEntry> = ns.errorCodeList
  const init: ns.SignedFetchInit = { method: 'POST', body: new ns.MultipartForm(), policy: { retry: { maxAttempts: 2 } } }
  const exchange = new ns.Exchange(signer, { method: 'GET', url: 'https://api.nuvera.global/x', hasBody: false }, ns.defaultClientPolicy())
  const action: ns.ExchangeAction = exchange.onResponse({ status: 200, headers: [['Date', 'x']], sentAtMs: 0, receivedAtMs: 1 })
  const offset: number = signer.clockOffset + exchange.clockOffset + ns.MAX_REFUSAL_BODY_BYTES
  void action.attempt?.url
  void offset
  const remote = ns.RemoteKey.fromCallback(async (digest: Buffer) => digest, pem, { input: 'digest', timeoutMs: 5000 })
  void new ns.Signer(remote, 'nv_live_x').signWithContentTypeAsync('GET', '/x', null, null)
  void ns.Verifier.fromRegistryFile('registry.toml', { replayCache: { url: 'redis://127.0.0.1:6379', prefix: 'p:', timeoutMs: 50, maxConnections: 4 } })
  void ns.signedFetch(signer, 'https://api.nuvera.global/api/v1/customers', init)
  return signer.sign('GET', '/x').token + code + entries.length
}
