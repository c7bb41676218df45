// Compiled with `tsc --noEmit --strict` (scripts/test-node): every export of the package used
// with its declared types, through the ESM entry. Not run; the node:test files run the behaviour.
import {
  PrivateKey,
  Signer,
  MultipartForm,
  Verifier,
  ErrorCodes,
  errorCodeList,
  bodyHash,
  bodyHashFile,
  bodyHashFileSync,
  multipartBodyHash,
  multipartCanonical,
  publicKeyFingerprint,
  requestUri,
  sendableUrl,
  receivedBodyHash,
  explain,
  supportBundle,
  signedFetch,
  bodyHashStream,
  BodyHasher,
  isMultipartFormData,
  Exchange,
  RemoteKey,
  defaultClientPolicy,
  type ClientPolicy,
  type ExchangeAction,
  type SignedRequest,
  type Verified,
  type ErrorCodeEntry,
  type NuveraSigningError,
} from 'nuvera-signing'

export async function everything(pem: string, body: Buffer): Promise<void> {
  const key: PrivateKey = PrivateKey.fromPem(pem, undefined)
  const fromFile: PrivateKey = PrivateKey.fromFile('key.pem', 'passphrase')
  const fingerprints: string[] = [key.fingerprint, key.publicKeyPem, fromFile.toString(), publicKeyFingerprint(key.publicKeyPem)]
  const bits: number = key.bits
  const signer = new Signer(key, 'nv_live_x', { lifetime: 30, issuer: 'nuvera-api', audience: 'nuvera-rest-api' })
  const signed: SignedRequest = signer.sign('POST', 'https://api.nuvera.global/api/v1/customers', body, { iat: 1, jti: 'j' })
  const header: string = signed.headers['x-api-key'] + signed.headers.Authorization + signed.token
  const proofHash: string = signed.proof.bodyHash + signed.proof.tokenSha256 + signed.proof.claims.jti
  const later: SignedRequest = await signer.signAsync('GET', '/api/v1/customers')
  const file: SignedRequest = signer.signFile('PUT', '/x', 'body.bin')
  const fileLater: SignedRequest = await signer.signFileAsync('PUT', '/x', 'body.bin')
  const hashed: SignedRequest = signer.signBodyHash('POST', '/x', bodyHash('{}'))
  const typed: SignedRequest = signer.signWithContentType('POST', '/x', 'application/json', body)
  const form = new MultipartForm()
  form.addField('type', 'PASSPORT')
  form.addFileBytes('file', 'p.png', body, 'image/png')
  form.addFilePath('doc', 'cert.pdf', undefined, 'application/pdf')
  const multipart: SignedRequest = signer.signMultipart('POST', '/api/v1/documents', form)
  const wire: SignedRequest = signer.signMultipartWire('POST', '/api/v1/documents', form.contentType, form.toBuffer())
  const texts: string[] = [
    form.canonical(),
    form.bodyHash(),
    form.boundary,
    bodyHashFileSync('f'),
    await bodyHashFile('f'),
    multipartBodyHash(form.contentType, form.toBuffer()),
    multipartCanonical(form.contentType, form.toBuffer()),
    requestUri('https://h/p?q'),
    sendableUrl('https://h/p#f'),
    receivedBodyHash(null, body),
    signer.keyFingerprint,
  ]
  const verifier = Verifier.fromRegistryJson('{}', '.', { clockSkewSecs: 5 })
  const other = Verifier.fromRegistryFile('registry.toml')
  const verified: Verified = verifier.verify({ method: 'GET', target: '/x', apiKey: 'k', authorization: 'Bearer t', bodyHash: bodyHash('') })
  const raw: Verified = other.verifyRequest('POST', '/x', { 'x-api-key': 'k', authorization: undefined, accept: ['a', 'b'] }, body)
  const report = explain({ method: 'GET', url: '/x', apiKey: 'k' }, signed.token, { publicKeyPem: key.publicKeyPem, now: 1 })
  const ok: boolean = report.ok && report.findings.every((f) => f.code.length > 0)
  const bundle = supportBundle(
    { method: 'GET', url: '/x', headers: [['accept', 'application/json']] },
    signed.token,
    { status: 401, body: '{}' },
    { publicKeyPem: key.publicKeyPem, application: 'a', createdAt: 1 },
  )
  const format: string = bundle.format
  const codes: string[] = errorCodeList.map((c: ErrorCodeEntry) => c.code + c.family + String(c.httpStatus))
  const res: Response = await signedFetch(signer, new URL('https://api.nuvera.global/api/v1/customers'), { method: 'POST', body: form })
  const policy: ClientPolicy = { ...defaultClientPolicy(), retry: { methods: ['GET', 'POST'] } }
  const exchange = new Exchange(signer, { method: 'POST', url: 'https://api.nuvera.global/x', hasBody: true }, policy, [0.5])
  const action: ExchangeAction = exchange.onResponse({ status: 503, headers: [], body: Buffer.alloc(0), sentAtMs: 0, receivedAtMs: 1 })
  const wait: number = action.delayMs ?? 0
  void (await signedFetch(signer, 'https://api.nuvera.global/x', { policy, signal: AbortSignal.timeout(wait + 1000) }))
  const remote: RemoteKey = RemoteKey.fromCallback((input) => Promise.resolve(new Uint8Array(input.length)), pem, { input: 'input' })
  const remoteSigner = new Signer(remote, 'nv_live_x', { clockOffset: 0 })
  void (await remoteSigner.signBodyHashAsync('GET', '/x', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).token
  try {
    signer.sign('GE T', '/x')
  } catch (err) {
    const e = err as NuveraSigningError
    if (e.code === ErrorCodes.INVALID_METHOD) console.log(e.httpStatus, e.responseBody, e.napiStatus)
  }
  console.log(fingerprints, bits, header, proofHash, later, file, fileLater, hashed, typed, multipart, wire, texts, verified.claims.uri, raw.application, ok, format, codes, res.status)
}

export async function streams(signer: Signer, file: string): Promise<string> {
  const { createReadStream } = await import('node:fs')
  const signed: SignedRequest = await signer.signStream('PUT', '/x', createReadStream(file), 'application/octet-stream')
  const web = new Blob(['abc']).stream()
  const streamed = await bodyHashStream(web)
  const hasher = new BodyHasher('multipart/form-data; boundary=b')
  hasher.update('--b--\r\n')
  const done = hasher.finish()
  const form = new MultipartForm()
  form.addFileStream('file', 'upload.bin', createReadStream(file), 'application/octet-stream')
  const formHash: string = await form.bodyHashAsync()
  const canonical: string = await form.canonicalAsync()
  const streamedForm = new MultipartForm()
  streamedForm.addFileStream('file', 'upload.bin', new Blob(['abc']).stream())
  const written: string = await streamedForm.writeToFile(`${file}.multipart`)
  const formSigned: SignedRequest = await signer.signMultipartAsync('POST', '/api/v1/documents', streamedForm)
  return signed.token + streamed.bodyHash + String(streamed.size) + done.bodyHash + String(isMultipartFormData('multipart/form-data')) + formHash + canonical + written + formSigned.token
}
