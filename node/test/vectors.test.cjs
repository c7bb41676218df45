'use strict'
// Every public vector of testdata/vectors/signing-vectors.json, byte for byte, through the package.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const os = require('node:os')
const { vectors, testdata, keyPath, keyText, b64 } = require('./helpers.cjs')
const ns = require('../main.cjs')

test('uri vectors', () => {
  assert.ok(vectors.uri.length > 0)
  for (const c of vectors.uri) assert.equal(ns.requestUri(c.url), c.uri, c.url)
})

test('multipart wire vectors', () => {
  assert.ok(vectors.multipart.length > 0)
  for (const c of vectors.multipart) {
    assert.equal(ns.multipartBodyHash(c.contentType, b64(c.bodyBase64)), c.bodyHash, c.name)
    assert.equal(ns.receivedBodyHash(c.contentType, b64(c.bodyBase64)), c.bodyHash, c.name)
  }
})

function structured(c) {
  const form = new ns.MultipartForm()
  for (const [name, value] of c.fields) form.addField(name, value)
  for (const [field, fileName, mime, content] of c.files) form.addFileBytes(field, fileName, b64(content), mime)
  return form
}

test('multipart structured vectors (canonical object, hash, own encoding parses back)', () => {
  for (const c of vectors.multipart) {
    const form = structured(c)
    assert.equal(form.canonical(), c.canonical, c.name)
    assert.equal(form.bodyHash(), c.bodyHash, c.name)
    assert.equal(ns.multipartBodyHash(form.contentType, form.toBuffer()), c.bodyHash, c.name)
  }
})

test('multipart structured vectors from file paths', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nuvera-node-'))
  try {
    for (const c of vectors.multipart) {
      const form = new ns.MultipartForm()
      for (const [name, value] of c.fields) form.addField(name, value)
      c.files.forEach(([field, fileName, mime, content], i) => {
        const p = path.join(dir, `part${i}`)
        fs.writeFileSync(p, b64(content))
        form.addFilePath(field, p, fileName, mime)
      })
      assert.equal(form.bodyHash(), c.bodyHash, c.name)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('signMultipart signs the vector hash', () => {
  const key = ns.PrivateKey.fromFile(path.join(testdata, vectors.key))
  const signer = new ns.Signer(key, 'nv_test_0000')
  for (const c of vectors.multipart) {
    const signed = signer.signMultipart('POST', '/api/v1/documents', structured(c))
    assert.equal(signed.claims.bodyHash, c.bodyHash, c.name)
    assert.equal(signed.proof.multipart !== undefined, true)
  }
})

test('jwt vectors: whole tokens, sync and async', async () => {
  const key = ns.PrivateKey.fromFile(path.join(testdata, vectors.key))
  assert.ok(vectors.jwt.length > 0)
  for (const c of vectors.jwt) {
    const signer = new ns.Signer(key, c.apiKey, { lifetime: c.lifetime })
    const body = c.bodyBase64 === '' ? undefined : b64(c.bodyBase64)
    for (const signed of [
      signer.sign(c.method, c.url, body, { iat: c.iat, jti: c.jti }),
      await signer.signAsync(c.method, c.url, body, { iat: c.iat, jti: c.jti }),
    ]) {
      assert.equal(signed.claims.uri, c.uri, c.name)
      assert.equal(signed.claims.bodyHash, c.bodyHash, c.name)
      assert.deepEqual(signed.claims, JSON.parse(c.payload), c.name)
      assert.equal(signed.token, c.token, c.name)
      assert.equal(signed.headers['x-api-key'], c.apiKey)
      assert.equal(signed.headers.Authorization, `Bearer ${c.token}`)
    }
    // A string body signs the same as its UTF-8 bytes.
    if (body !== undefined) {
      const fromString = signer.sign(c.method, c.url, body.toString('utf8'), { iat: c.iat, jti: c.jti })
      assert.equal(fromString.token, c.token, c.name)
      assert.equal(ns.bodyHash(body.toString('utf8')), c.bodyHash)
    }
    assert.equal(ns.bodyHash(body ?? Buffer.alloc(0)), c.bodyHash)
  }
})

test('every form of the 2048-bit key gives the vector token', () => {
  const c = vectors.jwt[0]
  const keys = [
    ns.PrivateKey.fromPem(keyText('test-rsa2048-pkcs8.pem')),
    ns.PrivateKey.fromPem(Buffer.from(keyText('test-rsa2048-pkcs1.pem'))),
    ns.PrivateKey.fromPem(keyText('test-rsa2048-encrypted-pkcs8.pem'), 'correct horse battery staple'),
    ns.PrivateKey.fromFile(keyPath('test-rsa2048-encrypted-pkcs8.pem'), 'correct horse battery staple'),
    ns.PrivateKey.fromPem(keyText('test-rsa2048-pkcs8-escaped-newlines.txt')),
  ]
  for (const key of keys) {
    const signed = new ns.Signer(key, c.apiKey).sign(c.method, c.url, b64(c.bodyBase64), { iat: c.iat, jti: c.jti })
    assert.equal(signed.token, c.token)
    assert.equal(key.publicKeyPem.trim(), keyText('test-rsa2048-public.pem').trim())
  }
})

test('bodyHashFile (async) and bodyHashFileSync hash the file', async () => {
  const c = vectors.jwt[0]
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nuvera-node-'))
  try {
    const p = path.join(dir, 'body.json')
    fs.writeFileSync(p, b64(c.bodyBase64))
    assert.equal(await ns.bodyHashFile(p), c.bodyHash)
    assert.equal(ns.bodyHashFileSync(p), c.bodyHash)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('explain finds the uri that was changed after signing', () => {
  const c = vectors.jwt[0]
  const report = ns.explain({ method: c.method, url: c.url, apiKey: c.apiKey, body: b64(c.bodyBase64) }, c.token, {
    publicKeyPem: keyText('test-rsa2048-public.pem'),
  })
  assert.equal(report.ok, true, report.text)
  const wrong = ns.explain({ method: c.method, url: `${c.url}/x`, apiKey: c.apiKey, body: b64(c.bodyBase64) }, c.token)
  assert.equal(wrong.ok, false)
  assert.equal(wrong.verdict, 'AUTH_URI_MISMATCH')
  assert.ok(!wrong.text.includes(c.apiKey), 'the report must not show the API key')
})

test('ESM entry exports the same objects', async () => {
  const esm = await import('nuvera-signing')
  assert.equal(esm.Signer, ns.Signer)
  assert.equal(esm.signedFetch, ns.signedFetch)
  assert.equal(esm.default.MultipartForm, ns.MultipartForm)
  // main.mjs lists no names: every export of the CommonJS entry must reach ESM, as the same object.
  for (const name of Object.keys(ns)) assert.equal(esm[name], ns[name], name)
})
