'use strict'
// signedFetch against a real local server that verifies every request with the package's Verifier.
const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { keyPath, keyText, vectors, b64 } = require('./helpers.cjs')
const ns = require('../main.cjs')

const API_KEY = 'nv_test_node_5e1f'

// Another origin (same host, another port): records what arrives, verifies nothing.
function startOtherOrigin() {
  const arrived = []
  const server = http.createServer((req, res) => {
    arrived.push({ method: req.method, url: req.url, headers: req.headers })
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('other origin')
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, arrived, base: `http://127.0.0.1:${server.address().port}` }))
  })
}

function startServer(elsewhere) {
  const registry = JSON.stringify({
    applications: [
      {
        name: 'Node tests',
        permissions: ['CUSTOMERS_READ', 'CUSTOMERS_WRITE', 'DOCUMENTS_WRITE'],
        apiKeys: [{ key: API_KEY }],
        publicKeys: [{ pem: keyText('test-rsa2048-public.pem') }],
      },
    ],
  })
  const verifier = ns.Verifier.fromRegistryJson(registry)
  const seen = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const record = { method: req.method, target: req.url, contentType: req.headers['content-type'], body }
      seen.push(record)
      try {
        const verified = verifier.verify({
          method: req.method,
          target: req.url,
          apiKey: req.headers['x-api-key'],
          authorization: req.headers.authorization,
          bodyHash: ns.receivedBodyHash(req.headers['content-type'], body),
        })
        record.verified = verified
        if (req.url.startsWith('/api/v1/customers/moved')) {
          res.writeHead(307, { location: '/api/v1/customers/here?x=1' })
          return res.end()
        }
        if (req.url.startsWith('/api/v1/customers/permanent')) {
          res.writeHead(308, { location: `/api/v1/customers/${req.url.includes('twice') ? 'moved' : 'here'}` })
          return res.end()
        }
        if (req.url.startsWith('/api/v1/customers/old')) {
          res.writeHead(301, { location: '/api/v1/customers/new' })
          return res.end()
        }
        if (req.url.startsWith('/api/v1/customers/see-other')) {
          res.writeHead(303, { location: '/api/v1/customers/result' })
          return res.end()
        }
        if (req.url.startsWith('/api/v1/customers/loop')) {
          res.writeHead(307, { location: '/api/v1/customers/loop' })
          return res.end()
        }
        if (req.url.startsWith('/api/v1/customers/elsewhere')) {
          res.writeHead(302, { location: `${elsewhere}/landing?from=nuvera` })
          return res.end()
        }
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ ok: true, uri: verified.claims.uri, jti: verified.claims.jti, size: body.length }))
      } catch (err) {
        record.error = err
        res.writeHead(err.httpStatus ?? 500, { 'content-type': 'application/json' })
        res.end(err.responseBody ?? JSON.stringify({ errors: [{ code: err.code, message: err.message }] }))
      }
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, seen, base: `http://127.0.0.1:${server.address().port}` })
    })
  })
}

const signer = new ns.Signer(ns.PrivateKey.fromFile(keyPath('test-rsa2048-pkcs8.pem')), API_KEY)

test('signedFetch', async (t) => {
  const other = await startOtherOrigin()
  t.after(() => other.server.close())
  const { server, seen, base } = await startServer(other.base)
  t.after(() => server.close())

  await t.test('JSON POST', async () => {
    const body = JSON.stringify({ companyName: 'Acme Imports', city: 'Zürich' })
    const res = await ns.signedFetch(signer, `${base}/api/v1/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    assert.equal(res.status, 200, await res.clone().text())
    const json = await res.json()
    assert.equal(json.uri, '/api/v1/customers')
    assert.equal(json.size, Buffer.byteLength(body))
    assert.equal(seen.at(-1).contentType, 'application/json')
  })

  await t.test('GET with a query (fragment dropped, signed uri is what is sent)', async () => {
    const res = await ns.signedFetch(signer, `${base}/api/v1/customers?limit=20&offset=40&q=a%20b#frag`)
    assert.equal(res.status, 200, await res.clone().text())
    assert.equal((await res.json()).uri, '/api/v1/customers?limit=20&offset=40&q=a%20b')
  })

  await t.test('multipart upload from FormData', async () => {
    const fd = new FormData()
    fd.append('type', 'INCORPORATION')
    fd.append('customerId', 'c_42')
    fd.append('file', new Blob([Buffer.from('%PDF-1.7 fake')], { type: 'application/pdf' }), 'cert.pdf')
    fd.append('notes', new Blob(['plain']), 'notes.txt')
    const res = await ns.signedFetch(signer, `${base}/api/v1/documents`, { method: 'POST', body: fd })
    assert.equal(res.status, 200, await res.clone().text())
    const last = seen.at(-1)
    assert.match(last.contentType, /^multipart\/form-data; boundary=/)
    // The server's canonical object of what arrived is the one that was signed.
    assert.equal(last.verified.claims.bodyHash, ns.multipartBodyHash(last.contentType, last.body))
  })

  await t.test('an already encoded multipart Buffer with its Content-Type is hashed as multipart', async () => {
    const c = vectors.multipart.find((v) => v.name === 'fields and a file')
    const res = await ns.signedFetch(signer, `${base}/api/v1/documents`, {
      method: 'POST',
      headers: { 'content-type': c.contentType },
      body: b64(c.bodyBase64),
    })
    assert.equal(res.status, 200, await res.clone().text())
    assert.equal(seen.at(-1).verified.claims.bodyHash, c.bodyHash)
  })

  await t.test('multipart upload from a MultipartForm', async () => {
    const form = new ns.MultipartForm()
    form.addField('type', 'PASSPORT')
    form.addFileBytes('file', 'p.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'image/png')
    const res = await ns.signedFetch(signer, `${base}/api/v1/documents`, { method: 'POST', body: form })
    assert.equal(res.status, 200, await res.clone().text())
    assert.equal(seen.at(-1).verified.claims.bodyHash, form.bodyHash())
  })

  await t.test('307 redirect: same method and body, re-signed with a fresh jti', async () => {
    const before = seen.length
    const body = Buffer.from(JSON.stringify({ n: 1 }))
    const res = await ns.signedFetch(signer, `${base}/api/v1/customers/moved`, { method: 'PUT', body })
    assert.equal(res.status, 200, await res.clone().text())
    const hops = seen.slice(before)
    assert.equal(hops.length, 2)
    assert.equal(hops[1].method, 'PUT')
    assert.equal(hops[1].target, '/api/v1/customers/here?x=1')
    assert.deepEqual(hops[1].body, body)
    assert.ok(hops[0].verified && hops[1].verified, 'both hops verified')
    assert.notEqual(hops[0].verified.claims.jti, hops[1].verified.claims.jti)
  })

  await t.test('308 then 307: each hop verified, same method and body', async () => {
    const before = seen.length
    const res = await ns.signedFetch(signer, `${base}/api/v1/customers/permanent-twice`, { method: 'POST', body: 'abc' })
    assert.equal(res.status, 200, await res.clone().text())
    const hops = seen.slice(before)
    assert.deepEqual(hops.map((h) => [h.method, h.target, h.body.toString()]), [
      ['POST', '/api/v1/customers/permanent-twice', 'abc'],
      ['POST', '/api/v1/customers/moved', 'abc'],
      ['POST', '/api/v1/customers/here?x=1', 'abc'],
    ])
    assert.ok(hops.every((h) => h.verified))
    assert.equal(new Set(hops.map((h) => h.verified.claims.jti)).size, 3)
  })

  await t.test('301 after a POST: GET without a body', async () => {
    const before = seen.length
    const res = await ns.signedFetch(signer, `${base}/api/v1/customers/old`, { method: 'POST', body: '{}' })
    assert.equal(res.status, 200, await res.clone().text())
    const hops = seen.slice(before)
    assert.deepEqual(hops.map((h) => [h.method, h.target, h.body.length]), [
      ['POST', '/api/v1/customers/old', 2],
      ['GET', '/api/v1/customers/new', 0],
    ])
  })

  await t.test('redirect: "manual" returns the redirect response', async () => {
    const res = await ns.signedFetch(signer, `${base}/api/v1/customers/old`, { redirect: 'manual' })
    assert.equal(res.status, 301)
  })

  await t.test('303 redirect: GET without a body', async () => {
    const before = seen.length
    const res = await ns.signedFetch(signer, `${base}/api/v1/customers/see-other`, { method: 'POST', body: 'x=1' })
    assert.equal(res.status, 200, await res.clone().text())
    const hops = seen.slice(before)
    assert.equal(hops[1].method, 'GET')
    assert.equal(hops[1].body.length, 0)
    assert.equal(hops[1].contentType, undefined)
  })

  await t.test('a cross-origin redirect is followed without credentials (contract §8)', async () => {
    const res = await ns.signedFetch(signer, `${base}/api/v1/customers/elsewhere`, { headers: { 'x-trace': 'kept' } })
    assert.equal(res.status, 200)
    assert.equal(await res.text(), 'other origin')
    const hop = other.arrived.at(-1)
    assert.equal(hop.url, '/landing?from=nuvera')
    assert.equal(hop.headers['x-api-key'], undefined)
    assert.equal(hop.headers.authorization, undefined)
    assert.equal(hop.headers['x-trace'], 'kept')
    assert.ok(seen.at(-1).verified, 'the first hop, to the origin, was signed')
  })

  await t.test('more than 10 hops: TOO_MANY_REDIRECTS, every hop signed afresh', async () => {
    const before = seen.length
    await assert.rejects(ns.signedFetch(signer, `${base}/api/v1/customers/loop`), { code: 'TOO_MANY_REDIRECTS' })
    const hops = seen.slice(before)
    assert.equal(hops.length, 11)
    assert.equal(new Set(hops.map((h) => h.verified.claims.jti)).size, 11)
  })

  await t.test('redirect: "error" rejects as fetch does', async () => {
    await assert.rejects(ns.signedFetch(signer, `${base}/api/v1/customers/old`, { redirect: 'error' }), TypeError)
  })

  await t.test('the server refuses a bad request with the contract error', async () => {
    const other = new ns.Signer(ns.PrivateKey.fromFile(keyPath('test-rsa4096-pkcs8.pem')), API_KEY)
    const res = await ns.signedFetch(other, `${base}/api/v1/customers`)
    assert.equal(res.status, 401)
    assert.equal((await res.json()).errors[0].code, 'AUTH_SIGNATURE_MISMATCH')
    const denied = await ns.signedFetch(signer, `${base}/api/v1/beneficiaries`)
    assert.equal(denied.status, 403)
    assert.equal((await denied.json()).errors[0].code, 'AUTH_PERMISSION_DENIED')
  })

  await t.test('a ReadableStream body is refused before anything is sent', async () => {
    const before = seen.length
    const stream = new ReadableStream({ start: (c) => c.close() })
    await assert.rejects(ns.signedFetch(signer, `${base}/api/v1/customers`, { method: 'POST', body: stream, duplex: 'half' }), {
      code: 'STREAMING_BODY',
    })
    assert.equal(seen.length, before)
  })
})

test('Verifier errors carry code, httpStatus and the JSON body; replays are refused', () => {
  const verifier = ns.Verifier.fromRegistryJson(
    JSON.stringify({
      applications: [{ name: 'x', permissions: ['CUSTOMERS_READ'], apiKeys: [{ key: API_KEY }], publicKeys: [{ file: 'test-rsa2048-public.pem' }] }],
    }),
    keyPath(''),
  )
  const signed = signer.sign('GET', '/api/v1/customers')
  const request = {
    method: 'GET',
    target: '/api/v1/customers',
    apiKey: API_KEY,
    authorization: signed.headers.Authorization,
    bodyHash: ns.bodyHash(''),
  }
  assert.equal(verifier.verify(request).application, 'x')
  assert.throws(() => verifier.verify(request), (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, 'AUTH_REPLAYED_JTI')
    assert.equal(err.httpStatus, 401)
    assert.equal(JSON.parse(err.responseBody).errors[0].code, 'AUTH_REPLAYED_JTI')
    return true
  })
  assert.throws(() => verifier.verify({ ...request, apiKey: undefined }), { code: 'AUTH_MISSING_HEADER', httpStatus: 401 })
})
