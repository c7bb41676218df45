'use strict'
// Error paths: JS Errors with a stable `.code`, and no secret in messages or inspect output.
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const { keyPath, keyText } = require('./helpers.cjs')
const ns = require('../main.cjs')

const key = ns.PrivateKey.fromFile(keyPath('test-rsa2048-pkcs8.pem'))
const PASSPHRASE = 'correct horse battery staple'

function throwsCode(fn, code) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, 'an Error')
    assert.equal(err.code, code, err.message)
    assert.ok(err.message.length > 0)
    return true
  })
}

test('bad keys', () => {
  throwsCode(() => ns.PrivateKey.fromPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), 'INVALID_PRIVATE_KEY')
  throwsCode(() => ns.PrivateKey.fromPem('not a pem at all'), 'INVALID_PRIVATE_KEY')
  throwsCode(() => ns.PrivateKey.fromFile(keyPath('weak-rsa1024-pkcs8.pem')), 'KEY_TOO_SMALL')
  throwsCode(() => ns.PrivateKey.fromFile(keyPath('not-rsa-p256.pem')), 'UNSUPPORTED_KEY_TYPE')
  throwsCode(() => ns.PrivateKey.fromFile(keyPath('does-not-exist.pem')), 'IO_ERROR')
})

test('encrypted key: wrong or missing passphrase', () => {
  const pem = keyText('test-rsa2048-encrypted-pkcs8.pem')
  throwsCode(() => ns.PrivateKey.fromPem(pem, 'wrong passphrase'), 'WRONG_PASSPHRASE')
  throwsCode(() => ns.PrivateKey.fromPem(pem), 'PASSPHRASE_REQUIRED')
  assert.throws(() => ns.PrivateKey.fromPem(pem, 'hunter2-secret'), (err) => !err.message.includes('hunter2-secret'))
  assert.equal(ns.PrivateKey.fromPem(pem, PASSPHRASE).bits, 2048)
})

test('bad URL and method', async () => {
  const signer = new ns.Signer(key, 'nv_x')
  throwsCode(() => signer.sign('GET', 'not a url'), 'INVALID_URL')
  throwsCode(() => signer.sign('GET', 'ftp://example.com/x'), 'INVALID_URL')
  throwsCode(() => ns.requestUri('relative/path'), 'INVALID_URL')
  throwsCode(() => signer.sign('GE T', '/x'), 'INVALID_METHOD')
  await assert.rejects(signer.signAsync('GET', 'not a url'), (err) => err instanceof Error && err.code === 'INVALID_URL')
  await assert.rejects(ns.signedFetch(signer, 'not a url'), { code: 'INVALID_URL' })
})

test('lifetime outside 1..=60', () => {
  throwsCode(() => new ns.Signer(key, 'nv_x', { lifetime: 61 }), 'INVALID_LIFETIME')
  throwsCode(() => new ns.Signer(key, 'nv_x', { lifetime: 0 }), 'INVALID_LIFETIME')
  const claims = new ns.Signer(key, 'nv_x', { lifetime: 60 }).sign('GET', '/x', undefined, { iat: 100 }).claims
  assert.equal(claims.exp - claims.iat, 60)
})

test('multipart errors', async () => {
  throwsCode(() => ns.multipartBodyHash('multipart/form-data; boundary=b', Buffer.from('garbage')), 'MULTIPART_MALFORMED')
  throwsCode(() => new ns.MultipartForm('bad boundary with spaces'), 'INVALID_FORM_PART')
  const form = new ns.MultipartForm()
  form.addFilePath('f', keyPath('missing-file.bin'))
  throwsCode(() => form.bodyHash(), 'IO_ERROR')
  await assert.rejects(ns.bodyHashFile(keyPath('missing-file.bin')), (err) => err instanceof Error && err.code === 'IO_ERROR')
})

test('no secret in inspect output or strings', () => {
  const apiKey = 'nv_live_supersecret_9999'
  const signer = new ns.Signer(key, apiKey)
  for (const text of [util.inspect(key), String(key), util.inspect(signer), String(signer)]) {
    assert.ok(!text.includes('PRIVATE KEY'), text)
    assert.ok(!text.includes(apiKey), text)
  }
  const signed = signer.sign('GET', '/x')
  const proof = JSON.stringify(signed.proof)
  assert.ok(!proof.includes(apiKey) && !proof.includes(signed.token), proof)
})
