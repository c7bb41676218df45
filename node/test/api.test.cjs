'use strict'
// The API table's Node column: every row exercised against independent expectations (the public
// vectors, testdata/error-codes.json, node:crypto, a real HTTP server and real fetch).
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const http = require('node:http')
const { testdata, vectors, keyPath, keyText, b64 } = require('./helpers.cjs')
const ns = require('../main.cjs')

const key = ns.PrivateKey.fromFile(keyPath('test-rsa2048-pkcs8.pem'))
const API_KEY = 'nv_test_api_7c3e'
const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex')

function withTempFile(content, fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nuvera-node-'))
  const p = path.join(dir, 'body.bin')
  fs.writeFileSync(p, content)
  return Promise.resolve(fn(p)).finally(() => fs.rmSync(dir, { recursive: true, force: true }))
}

test('error codes: the core list, as testdata/error-codes.json holds it', () => {
  const expected = JSON.parse(fs.readFileSync(path.join(testdata, 'error-codes.json'), 'utf8'))
  assert.deepEqual(ns.errorCodeList.map((c) => ({ ...c })), expected)
  assert.deepEqual(Object.keys(ns.ErrorCodes), expected.map((c) => c.code))
  for (const [name, value] of Object.entries(ns.ErrorCodes)) assert.equal(name, value)
  assert.ok(Object.isFrozen(ns.ErrorCodes) && Object.isFrozen(ns.errorCodeList))
  assert.throws(() => {
    ns.ErrorCodes.MADE_UP = 'MADE_UP'
  }, TypeError)
})

test('an argument napi cannot convert is INVALID_ARGUMENT, in constructors, factories, methods and functions', async () => {
  const signer = new ns.Signer(key, API_KEY)
  const cases = [
    () => new ns.Signer(key, 12),
    () => new ns.Signer({}, API_KEY),
    () => ns.PrivateKey.fromPem(),
    () => ns.PrivateKey.fromPem(42),
    () => signer.sign(1, '/x'),
    () => signer.sign('POST', '/x', { not: 'bytes' }),
    () => ns.bodyHash(5),
    () => ns.Verifier.fromRegistryJson(null),
    () => signer.signAsync(1, '/x'),
  ]
  for (const fn of cases) {
    assert.throws(fn, (err) => {
      assert.ok(err instanceof Error)
      assert.equal(err.code, 'INVALID_ARGUMENT', `${fn}: ${err.message}`)
      return true
    })
  }
  assert.throws(() => ns.Signer(key, API_KEY), TypeError, 'a class needs new')
  // Codes of the core stay as they are.
  assert.throws(() => new ns.Signer(key, API_KEY, { lifetime: -3 }), { code: 'INVALID_LIFETIME' })
  assert.throws(() => signer.sign('GET', '/x', undefined, { iat: -1 }), { code: 'INVALID_CLAIM' })
})

test('classes: instanceof holds for instances from constructors and factories', () => {
  assert.ok(key instanceof ns.PrivateKey)
  assert.ok(new ns.Signer(key, API_KEY) instanceof ns.Signer)
  assert.ok(new ns.MultipartForm() instanceof ns.MultipartForm)
  assert.equal(ns.Signer.name, 'Signer')
})

test('key: public key and fingerprint, as node:crypto derives them', () => {
  const spki = crypto.createPublicKey(keyText('test-rsa2048-pkcs8.pem')).export({ type: 'spki', format: 'der' })
  assert.deepEqual(crypto.createPublicKey(key.publicKeyPem).export({ type: 'spki', format: 'der' }), spki)
  const expected = `SHA256:${sha256(spki)}`
  assert.equal(key.fingerprint, expected)
  assert.equal(ns.publicKeyFingerprint(keyText('test-rsa2048-public.pem')), expected)
  assert.equal(new ns.Signer(key, API_KEY).keyFingerprint, expected)
  assert.equal(key.bits, 2048)
  assert.throws(() => ns.publicKeyFingerprint('not a pem'), (err) => ns.errorCodeList.some((c) => c.code === err.code))
})

test('proof: what was signed, no secret', () => {
  const c = vectors.jwt[0]
  const signed = new ns.Signer(key, c.apiKey).sign(c.method, c.url, b64(c.bodyBase64), { iat: c.iat, jti: c.jti })
  const { proof } = signed
  assert.equal(proof.format, 'nuvera-proof/1')
  assert.equal(proof.method, c.method.toUpperCase())
  assert.equal(proof.uri, c.uri)
  assert.equal(proof.bodyHash, c.bodyHash)
  assert.deepEqual(proof.body, { kind: 'bytes', size: b64(c.bodyBase64).length })
  assert.equal(proof.tokenSha256, sha256(c.token))
  assert.equal(proof.keyFingerprint, key.fingerprint)
  assert.equal(proof.claims.jti, c.jti)
  assert.equal(proof.claims.sub, `****${c.apiKey.slice(-4)}`)
  const text = JSON.stringify(proof)
  assert.ok(!text.includes(c.apiKey) && !text.includes(c.token))
  // Serializing or inspecting the signed request shows the proof only, never the API key or token.
  assert.equal(JSON.stringify(signed), text)
  const inspected = require('node:util').inspect(signed)
  assert.ok(!inspected.includes(c.apiKey) && !inspected.includes(c.token), inspected)
  assert.ok(signed instanceof ns.SignedRequest)
})

test('signFile / signFileAsync: the vector token from the body in a file', async () => {
  for (const c of vectors.jwt.filter((v) => v.bodyBase64 !== '')) {
    const signer = new ns.Signer(key, c.apiKey, { lifetime: c.lifetime })
    await withTempFile(b64(c.bodyBase64), async (p) => {
      const pinned = { iat: c.iat, jti: c.jti }
      assert.equal(signer.signFile(c.method, c.url, p, pinned).token, c.token, c.name)
      assert.equal((await signer.signFileAsync(c.method, c.url, p, pinned)).token, c.token, c.name)
    })
  }
  const signer = new ns.Signer(key, API_KEY)
  assert.throws(() => signer.signFile('POST', '/x', keyPath('missing.bin')), { code: 'IO_ERROR' })
  await assert.rejects(signer.signFileAsync('POST', '/x', keyPath('missing.bin')), (err) => err instanceof Error && err.code === 'IO_ERROR')
})

test('signBodyHash: a precomputed bodyHash gives the vector token', () => {
  for (const c of vectors.jwt) {
    const signer = new ns.Signer(key, c.apiKey, { lifetime: c.lifetime })
    assert.equal(signer.signBodyHash(c.method, c.url, c.bodyHash, { iat: c.iat, jti: c.jti }).token, c.token, c.name)
  }
  assert.throws(() => new ns.Signer(key, API_KEY).signBodyHash('POST', '/x', 'ABC'), { code: 'INVALID_BODY_HASH' })
})

test('signWithContentType: the core picks multipart or plain hashing from the Content-Type', () => {
  const signer = new ns.Signer(key, API_KEY)
  for (const c of vectors.multipart) {
    assert.equal(signer.signWithContentType('POST', '/api/v1/documents', c.contentType, b64(c.bodyBase64)).claims.bodyHash, c.bodyHash, c.name)
  }
  const json = '{"companyName":"Acme"}'
  assert.equal(signer.signWithContentType('POST', '/api/v1/customers', 'application/json', json).claims.bodyHash, sha256(json))
  assert.equal(signer.signWithContentType('GET', '/api/v1/customers', null).claims.bodyHash, sha256(''))
  assert.throws(() => signer.signWithContentType('POST', '/x', 'multipart/form-data; boundary=b', 'junk'), { code: 'MULTIPART_MALFORMED' })
})

test('multipart from a wire body: canonical object and signed hash as the vectors say', () => {
  const signer = new ns.Signer(key, API_KEY)
  for (const c of vectors.multipart) {
    assert.equal(ns.multipartCanonical(c.contentType, b64(c.bodyBase64)), c.canonical, c.name)
    const signed = signer.signMultipartWire('POST', '/api/v1/documents', c.contentType, b64(c.bodyBase64))
    assert.equal(signed.claims.bodyHash, c.bodyHash, c.name)
    assert.equal(signed.proof.body.kind, 'multipart')
  }
  assert.throws(() => ns.multipartCanonical('multipart/form-data; boundary=b', Buffer.from('junk')), { code: 'MULTIPART_MALFORMED' })
})

test('async signing: concurrent signAsync calls verify, each with its own jti', async () => {
  const verifier = ns.Verifier.fromRegistryJson(
    JSON.stringify({ applications: [{ name: 'a', permissions: ['CUSTOMERS_WRITE'], apiKeys: [{ key: API_KEY }], publicKeys: [{ pem: key.publicKeyPem }] }] }),
  )
  const signer = new ns.Signer(key, API_KEY)
  const body = Buffer.from('{"companyName":"Acme"}')
  const all = await Promise.all(Array.from({ length: 16 }, () => signer.signAsync('POST', '/api/v1/customers', body)))
  assert.equal(new Set(all.map((s) => s.claims.jti)).size, 16)
  for (const s of all) {
    const v = verifier.verifyRequest('POST', '/api/v1/customers', { 'x-api-key': s.headers['x-api-key'], authorization: s.headers.Authorization }, body)
    assert.equal(v.claims.jti, s.claims.jti)
  }
})

// A real server: the raw headers and body as Node's http module gives them to verifyRequest.
function startVerifyingServer(verifier) {
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      try {
        const v = verifier.verifyRequest(req.method, req.url, req.headers, Buffer.concat(chunks))
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ application: v.application, bodyHash: v.claims.bodyHash, permission: v.permission }))
      } catch (err) {
        res.writeHead(err.httpStatus ?? 400, { 'content-type': 'application/json' })
        res.end(err.responseBody ?? JSON.stringify({ errors: [{ code: err.code, message: err.message }] }))
      }
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` })))
}

test('verifyRequest from raw headers and body, over a real HTTP server', async (t) => {
  const verifier = ns.Verifier.fromRegistryJson(
    JSON.stringify({
      applications: [
        { name: 'partner', permissions: ['CUSTOMERS_WRITE', 'DOCUMENTS_WRITE'], apiKeys: [{ key: API_KEY }], publicKeys: [{ file: 'test-rsa2048-public.pem' }] },
      ],
    }),
    keyPath(''),
  )
  const { server, base } = await startVerifyingServer(verifier)
  t.after(() => server.close())
  const signer = new ns.Signer(key, API_KEY)

  await t.test('JSON body', async () => {
    const body = JSON.stringify({ companyName: 'Acme', city: 'Zürich' })
    const signed = signer.sign('POST', `${base}/api/v1/customers?src=test`, body)
    const res = await fetch(`${base}/api/v1/customers?src=test`, { method: 'POST', headers: { ...signed.headers, 'content-type': 'application/json' }, body })
    assert.equal(res.status, 200, await res.clone().text())
    const json = await res.json()
    assert.equal(json.application, 'partner')
    assert.equal(json.bodyHash, sha256(body))
    assert.equal(json.permission, 'CUSTOMERS_WRITE')
  })

  await t.test('multipart body, hashed through its canonical object', async () => {
    const form = new ns.MultipartForm()
    form.addField('type', 'INCORPORATION')
    form.addFileBytes('file', 'cert.pdf', Buffer.from('%PDF-1.7 x'), 'application/pdf')
    const signed = signer.signMultipart('POST', `${base}/api/v1/documents`, form)
    const res = await fetch(`${base}/api/v1/documents`, { method: 'POST', headers: { ...signed.headers, 'content-type': form.contentType }, body: form.toBuffer() })
    assert.equal(res.status, 200, await res.clone().text())
    assert.equal((await res.json()).bodyHash, form.bodyHash())
  })

  await t.test('a body changed after signing: AUTH_BODY_HASH_MISMATCH with its status and body', async () => {
    const signed = signer.sign('POST', `${base}/api/v1/customers`, '{"a":1}')
    const res = await fetch(`${base}/api/v1/customers`, { method: 'POST', headers: signed.headers, body: '{"a":2}' })
    assert.equal(res.status, 401)
    assert.equal((await res.json()).errors[0].code, 'AUTH_BODY_HASH_MISMATCH')
  })

  await t.test('thrown errors carry code, httpStatus and responseBody', () => {
    const signed = signer.sign('POST', '/api/v1/customers', 'x')
    assert.throws(() => verifier.verifyRequest('POST', '/api/v1/customers', { 'X-Api-Key': API_KEY, Authorization: signed.headers.Authorization }, 'y'), (err) => {
      assert.equal(err.code, 'AUTH_BODY_HASH_MISMATCH')
      assert.equal(err.httpStatus, 401)
      assert.equal(JSON.parse(err.responseBody).errors[0].code, 'AUTH_BODY_HASH_MISMATCH')
      return true
    })
    assert.throws(() => verifier.verifyRequest('GET', '/api/v1/customers', {}), { code: 'AUTH_MISSING_HEADER', httpStatus: 401 })
    // A body that cannot be read as its Content-Type says is a refusal, the parse error named (§6).
    const junk = signer.sign('POST', '/api/v1/documents', 'junk')
    assert.throws(
      () => verifier.verifyRequest('POST', '/api/v1/documents', { 'content-type': 'multipart/form-data; boundary=b', 'x-api-key': API_KEY, authorization: junk.headers.Authorization }, 'junk'),
      (err) => err.code === 'AUTH_BODY_HASH_MISMATCH' && err.httpStatus === 401 && /MULTIPART_MALFORMED/.test(err.message),
    )
    // Without credentials the body is never read: the missing header is the answer.
    assert.throws(
      () => verifier.verifyRequest('POST', '/api/v1/documents', { 'content-type': 'multipart/form-data; boundary=b' }, 'junk'),
      { code: 'AUTH_MISSING_HEADER', httpStatus: 401 },
    )
  })
})

test('supportBundle: request, decoded token, response and diagnosis; no secret', () => {
  const c = vectors.jwt[0]
  const signed = new ns.Signer(key, c.apiKey).sign(c.method, c.url, b64(c.bodyBase64), { iat: c.iat, jti: c.jti })
  const responseBody = JSON.stringify({ errors: [{ code: 'AUTH_TOKEN_EXPIRED', message: 'expired' }] })
  const bundle = ns.supportBundle(
    { method: c.method, url: c.url, apiKey: c.apiKey, contentType: 'application/json', body: b64(c.bodyBase64), headers: [['accept', 'application/json']] },
    signed.token,
    { status: 401, body: responseBody },
    { publicKeyPem: keyText('test-rsa2048-public.pem'), application: 'Acme Imports', createdAt: c.iat + 100 },
  )
  assert.equal(bundle.format, 'nuvera-support-bundle/1')
  assert.equal(bundle.application, 'Acme Imports')
  assert.equal(bundle.createdAt, new Date((c.iat + 100) * 1000).toISOString().replace('.000Z', 'Z'))
  assert.equal(bundle.request.uri, c.uri)
  assert.equal(bundle.request.bodyHash, c.bodyHash)
  assert.equal(bundle.request.bodySize, b64(c.bodyBase64).length)
  // The signing headers are completed (masked) though the caller did not pass them.
  const names = bundle.request.headers.map(([n]) => n.toLowerCase())
  assert.deepEqual(names, ['accept', 'x-api-key', 'authorization'])
  assert.equal(bundle.token.sha256, sha256(c.token))
  assert.equal(bundle.token.claims.jti, c.jti)
  assert.equal(bundle.response.status, 401)
  assert.equal(bundle.response.code, 'AUTH_TOKEN_EXPIRED')
  // The local checks (the signature with the given key included) find nothing wrong, so the
  // diagnosis says Nuvera's answer was not reproduced, as in every language.
  assert.equal(bundle.diagnosis.verdict, null)
  assert.ok(bundle.diagnosis.notes.some((n) => n.includes('AUTH_TOKEN_EXPIRED, which the local checks did not reproduce')))
  const text = JSON.stringify(bundle)
  assert.ok(!text.includes(c.apiKey), 'no API key')
  assert.ok(!text.includes(c.token.split('.')[2]), 'no token signature')
  assert.throws(() => ns.supportBundle({ method: 'GET', url: '/x', headers: [['only-a-name']] }, c.token, { status: 401 }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => ns.supportBundle({ method: 'GET', url: '/x' }, c.token, { status: 70000 }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => ns.supportBundle({ method: 'GET', url: '/x' }, c.token, { status: 401 }, { publicKeyPem: 'nope' }), { code: 'INVALID_PUBLIC_KEY' })
})

test('explain: the signature checked with a public key, and a wrong key reported', () => {
  const c = vectors.jwt[0]
  const sent = { method: c.method, url: c.url, apiKey: c.apiKey, body: b64(c.bodyBase64) }
  const good = ns.explain(sent, c.token, { publicKeyPem: keyText('test-rsa2048-public.pem'), now: c.iat + 1 })
  assert.equal(good.ok, true, good.text)
  const other = ns.PrivateKey.fromFile(keyPath('test-rsa4096-pkcs8.pem'))
  const bad = ns.explain(sent, c.token, { publicKeyPem: other.publicKeyPem })
  assert.equal(bad.verdict, 'AUTH_SIGNATURE_MISMATCH')
  const late = ns.explain(sent, c.token, { now: c.iat + 3600 })
  assert.equal(late.verdict, 'AUTH_TOKEN_EXPIRED')
})

test('worker threads: each loads the addon and signs the vector token', async () => {
  const { Worker } = require('node:worker_threads')
  const c = vectors.jwt[0]
  const source = `
    const { parentPort, workerData: c } = require('node:worker_threads')
    const ns = require(${JSON.stringify(require.resolve('../main.cjs'))})
    const key = ns.PrivateKey.fromFile(${JSON.stringify(keyPath('test-rsa2048-pkcs8.pem'))})
    const signer = new ns.Signer(key, c.apiKey, { lifetime: c.lifetime })
    const body = Buffer.from(c.bodyBase64, 'base64')
    signer.signAsync(c.method, c.url, body, { iat: c.iat, jti: c.jti }).then((later) => {
      parentPort.postMessage([signer.sign(c.method, c.url, body, { iat: c.iat, jti: c.jti }).token, later.token, ns.ErrorCodes.INVALID_URL])
    })
  `
  const results = await Promise.all(
    [1, 2].map(
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(source, { eval: true, workerData: c })
          w.once('message', resolve)
          w.once('error', reject)
        }),
    ),
  )
  for (const r of results) assert.deepEqual(r, [c.token, c.token, 'INVALID_URL'])
})

test('streams: bodyHashStream and signStream hash in chunks, plain or multipart, to the vector values', async () => {
  const { Readable } = require('node:stream')
  for (const c of vectors.jwt.filter((v) => v.bodyBase64 !== '')) {
    const signer = new ns.Signer(key, c.apiKey, { lifetime: c.lifetime })
    await withTempFile(b64(c.bodyBase64), async (p) => {
      const { bodyHash, size } = await ns.bodyHashStream(fs.createReadStream(p, { highWaterMark: 7 }))
      assert.equal(bodyHash, c.bodyHash, c.name)
      assert.equal(size, b64(c.bodyBase64).length)
      const signed = await signer.signStream(c.method, c.url, fs.createReadStream(p), undefined, { iat: c.iat, jti: c.jti })
      assert.equal(signed.token, c.token, c.name)
    })
  }
  for (const c of vectors.multipart) {
    const bytes = b64(c.bodyBase64)
    const chunks = []
    for (let i = 0; i < bytes.length; i += 5) chunks.push(bytes.subarray(i, i + 5))
    const web = Readable.toWeb(Readable.from(chunks))
    assert.equal((await ns.bodyHashStream(web, c.contentType)).bodyHash, c.bodyHash, c.name)
  }
  const hasher = new ns.BodyHasher()
  hasher.update('abc')
  assert.equal(hasher.finish().bodyHash, sha256('abc'))
  assert.throws(() => hasher.update('more'), { code: 'OBJECT_CLOSED' })
  await assert.rejects(ns.bodyHashStream(Readable.from([Buffer.from('junk')]), 'multipart/form-data; boundary=b'), { code: 'MULTIPART_MALFORMED' })
  assert.equal(ns.isMultipartFormData('Multipart/Form-Data; boundary=x'), true)
  assert.equal(ns.isMultipartFormData('application/json'), false)
})
