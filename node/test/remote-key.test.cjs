'use strict'
// Issue 18: RemoteKey.fromCallback, a key whose signatures come from a JS function (as a cloud
// KMS client would give them). The function here signs with node:crypto and the project's test
// key, so the public vectors must come out byte for byte.
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const path = require('node:path')
const { vectors, testdata, keyText, b64 } = require('./helpers.cjs')
const ns = require('../main.cjs')

const privatePem = keyText('test-rsa2048-pkcs8.pem')
const publicPem = keyText('test-rsa2048-public.pem')
// RFC 8017 §9.2 note 1: the DER DigestInfo prefix of a SHA-256 digest. A KMS given only the
// digest (AWS MessageType DIGEST, Google digest.sha256) pads exactly this before the digest.
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex')

function signDigest(digest) {
  assert.equal(digest.length, 32)
  return crypto.privateEncrypt({ key: privatePem, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]))
}

function signInput(input) {
  return crypto.sign('sha256', input, privatePem)
}

test('the jwt vectors, byte for byte, through a callback (digest and input)', async () => {
  assert.ok(vectors.jwt.length > 0)
  const keys = {
    digest: ns.RemoteKey.fromCallback(async (digest) => signDigest(digest), publicPem),
    input: ns.RemoteKey.fromCallback((input) => signInput(input), publicPem, { input: 'message', timeoutMs: 5000 }),
  }
  const local = ns.PrivateKey.fromFile(path.join(testdata, vectors.key))
  assert.equal(keys.digest.fingerprint, local.fingerprint)
  assert.equal(keys.digest.bits, 2048)
  for (const [mode, key] of Object.entries(keys)) {
    for (const c of vectors.jwt) {
      const signer = new ns.Signer(key, c.apiKey, { lifetime: c.lifetime })
      const body = c.bodyBase64 === '' ? undefined : b64(c.bodyBase64)
      const signed = await signer.signAsync(c.method, c.url, body, { iat: c.iat, jti: c.jti })
      assert.equal(signed.token, c.token, `${mode}: ${c.name}`)
      const viaContentType = await signer.signWithContentTypeAsync(c.method, c.url, null, body, { iat: c.iat, jti: c.jti })
      assert.equal(viaContentType.token, c.token, `${mode}: ${c.name}`)
      const viaHash = await signer.signBodyHashAsync(c.method, c.url, c.bodyHash, { iat: c.iat, jti: c.jti })
      assert.equal(viaHash.token, c.token, `${mode}: ${c.name}`)
    }
  }
})

test('the function is given the SHA-256 digest of the signing input, or the input', async () => {
  const seen = []
  const key = ns.RemoteKey.fromCallback((digest) => {
    seen.push(Buffer.from(digest))
    return signDigest(digest)
  }, publicPem)
  const signed = await new ns.Signer(key, 'nv_test_remote').signAsync('GET', '/api/v1/customers')
  const signingInput = signed.token.split('.').slice(0, 2).join('.')
  assert.deepEqual(seen, [crypto.createHash('sha256').update(signingInput).digest()])
})

test('a rejection is REMOTE_SIGNER_FAILED with its message', async () => {
  const key = ns.RemoteKey.fromCallback(async () => {
    throw new Error('AccessDeniedException: kms:Sign not allowed')
  }, publicPem)
  const signer = new ns.Signer(key, 'nv_test_remote')
  await assert.rejects(signer.signAsync('GET', '/api/v1/customers'), (err) => {
    assert.equal(err.code, 'REMOTE_SIGNER_FAILED')
    assert.match(err.message, /AccessDeniedException: kms:Sign not allowed/)
    return true
  })
  // A synchronous throw and a rejection with a non-Error alike.
  const throwing = new ns.Signer(ns.RemoteKey.fromCallback(() => { throw new Error('sync throw') }, publicPem), 'nv_test_remote')
  await assert.rejects(throwing.signAsync('GET', '/x'), { code: 'REMOTE_SIGNER_FAILED', message: /sync throw/ })
  const rejectsString = new ns.Signer(ns.RemoteKey.fromCallback(() => Promise.reject('plain string'), publicPem), 'nv_test_remote')
  await assert.rejects(rejectsString.signAsync('GET', '/x'), { code: 'REMOTE_SIGNER_FAILED', message: /plain string/ })
})

test('not bytes, or the wrong length, is REMOTE_SIGNER_FAILED', async () => {
  const text = new ns.Signer(ns.RemoteKey.fromCallback((d) => signDigest(d).toString('base64'), publicPem), 'nv_test_remote')
  await assert.rejects(text.signAsync('GET', '/x'), { code: 'REMOTE_SIGNER_FAILED', message: /not a Buffer/ })
  const short = new ns.Signer(ns.RemoteKey.fromCallback((d) => signDigest(d).subarray(0, 100), publicPem), 'nv_test_remote')
  await assert.rejects(short.signAsync('GET', '/x'), { code: 'REMOTE_SIGNER_FAILED', message: /100 bytes/ })
  // A Uint8Array that is not a Buffer is bytes too.
  const plain = new ns.Signer(ns.RemoteKey.fromCallback((d) => new Uint8Array(signDigest(d)), publicPem), 'nv_test_remote')
  assert.ok((await plain.signAsync('GET', '/x')).token)
})

test('a signature by another key is REMOTE_KEY_MISMATCH', async () => {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const other = (digest) =>
    crypto.privateEncrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]))
  const signer = new ns.Signer(ns.RemoteKey.fromCallback(other, publicPem), 'nv_test_remote')
  await assert.rejects(signer.signAsync('GET', '/x'), { code: 'REMOTE_KEY_MISMATCH' })
})

test('a callback slower than its timeout is REMOTE_SIGNER_FAILED', async () => {
  const slow = (digest) => new Promise((resolve) => setTimeout(() => resolve(signDigest(digest)), 1500))
  const signer = new ns.Signer(ns.RemoteKey.fromCallback(slow, publicPem, { timeoutMs: 100 }), 'nv_test_remote')
  await assert.rejects(signer.signAsync('GET', '/x'), { code: 'REMOTE_SIGNER_FAILED', message: /within 100 ms/ })
})

test('a synchronous sign with a callback key is refused (UNSUPPORTED), not a deadlock', () => {
  const signer = new ns.Signer(ns.RemoteKey.fromCallback(signDigest, publicPem), 'nv_test_remote')
  for (const call of [
    () => signer.sign('GET', '/x'),
    () => signer.signWithContentType('POST', '/x', 'application/json', '{}'),
    () => signer.signBodyHash('GET', '/x', vectors.jwt[0].bodyHash),
  ]) {
    assert.throws(call, { code: 'UNSUPPORTED', message: /asynchronously/ })
  }
})

test('bad arguments are INVALID_ARGUMENT; the public key is checked', () => {
  assert.throws(() => ns.RemoteKey.fromCallback('not a function', publicPem), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => ns.RemoteKey.fromCallback(signDigest, publicPem, { input: 'hash' }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => ns.RemoteKey.fromCallback(signDigest, publicPem, { timeoutMs: -1 }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => ns.RemoteKey.fromCallback(signDigest, 'not a pem'), (err) => typeof err.code === 'string' && err.code in ns.ErrorCodes)
  assert.match(String(ns.RemoteKey.fromCallback(signDigest, publicPem)), /^RemoteKey\(/)
})
