'use strict'
// signedFetch through the core's §8 policy against the real mock server (`nuvera-sign serve`,
// started by scripts/mock-server) over loopback: clock correction (server 600 s ahead and
// behind), redirects from the server's test routes, a 503 retry.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const crypto = require('node:crypto')
const ns = require('../main.cjs')
const { startMock } = require('./helpers.cjs')

// Records what goes out through the real global fetch (which still sends it);
// `sends.onResponse`, when set, sees each response as it arrives.
function recordSends(t) {
  const realFetch = globalThis.fetch
  const sends = []
  globalThis.fetch = (url, init) => {
    const headers = new Headers(init.headers)
    const auth = headers.get('authorization')
    sends.push({
      method: init.method,
      url: String(url),
      contentType: headers.get('content-type'),
      apiKey: headers.get('x-api-key'),
      claims: auth ? JSON.parse(Buffer.from(auth.split('.')[1], 'base64url').toString('utf8')) : null,
      bodySize: init.body === undefined ? 0 : init.body.length,
    })
    return realFetch(url, init).then((res) => {
      sends.onResponse?.(res)
      return res
    })
  }
  t.after(() => {
    globalThis.fetch = realFetch
  })
  return sends
}

const customer = JSON.stringify({ companyName: 'Acme Imports', registrationNumber: 'ACME-123' })
const json = { 'content-type': 'application/json' }

for (const offset of [600, -600]) {
  test(`clock correction: the server is ${offset} s off`, async (t) => {
    const mock = startMock(t, '--clock-offset', String(offset), '--test-routes')
    const sends = recordSends(t)
    const signers = [mock.signer(), mock.signer()]
    for (const signer of signers) {
      const before = sends.length
      let res = await ns.signedFetch(signer, `${mock.url}/api/v1/customers`)
      assert.equal(res.status, 200, await res.text())
      assert.equal(sends.length - before, 2, 'refused once, then corrected: one extra round trip')
      assert.ok(Math.abs(signer.clockOffset - offset) <= 2, `learnt ${signer.clockOffset}`)
      // Later requests of the same signer are right the first time.
      res = await ns.signedFetch(signer, `${mock.url}/api/v1/customers`, { method: 'POST', body: customer, headers: json })
      assert.equal(res.status, 201, await res.text())
      assert.equal(sends.length - before, 3, 'no extra round trip once corrected')
    }
    const claims = sends.map((s) => s.claims)
    assert.equal(new Set(claims.map((c) => c.jti)).size, claims.length, 'never the same jti twice')
    for (const c of claims) assert.equal(c.exp - c.iat, 55, 'the lifetime is unchanged')
    // The corrected token's iat is on the server's clock.
    const corrected = claims[1]
    assert.ok(Math.abs(corrected.iat - (Math.floor(Date.now() / 1000) + offset)) <= 5)
  })
}

test('signedFetch against the mock server: redirects and retries', async (t) => {
  const mock = startMock(t, '--test-routes')
  const signer = mock.signer()
  const sends = recordSends(t)

  await t.test('307 keeps the method and the body, signed afresh', async () => {
    const before = sends.length
    const target = `${mock.url}/__test/redirect?status=307&to=${encodeURIComponent('/api/v1/customers')}`
    const res = await ns.signedFetch(signer, target, { method: 'POST', body: customer, headers: json })
    assert.equal(res.status, 201, await res.text())
    const hops = sends.slice(before)
    assert.deepEqual(hops.map((h) => [h.method, new URL(h.url).pathname, h.bodySize]), [
      ['POST', '/__test/redirect', customer.length],
      ['POST', '/api/v1/customers', customer.length],
    ])
    assert.notEqual(hops[0].claims.jti, hops[1].claims.jti)
  })

  await t.test('303 becomes GET without a body or its Content-Type', async () => {
    const before = sends.length
    const target = `${mock.url}/__test/redirect?status=303&to=${encodeURIComponent('/api/v1/customers?limit=1')}`
    const res = await ns.signedFetch(signer, target, { method: 'POST', body: customer, headers: json })
    assert.equal(res.status, 200, await res.text())
    const hops = sends.slice(before)
    assert.equal(hops.length, 2)
    assert.equal(hops[1].method, 'GET')
    assert.equal(hops[1].bodySize, 0)
    assert.equal(hops[1].contentType, null)
    assert.equal(hops[1].claims.uri, '/api/v1/customers?limit=1')
  })

  await t.test('a redirect past the policy\'s limit is TOO_MANY_REDIRECTS', async () => {
    const inner = `/__test/redirect?status=302&to=${encodeURIComponent('/api/v1/customers')}`
    const target = `${mock.url}/__test/redirect?status=302&to=${encodeURIComponent(inner)}`
    await assert.rejects(ns.signedFetch(signer, target, { policy: { maxRedirects: 1 } }), { code: 'TOO_MANY_REDIRECTS' })
  })

  await t.test('a 503 is retried when retries are on (Retry-After: 0), signed afresh', async () => {
    const before = sends.length
    const target = `${mock.url}/api/v1/customers?__unavailable=node-503&__times=1&__retry_after=0`
    const res = await ns.signedFetch(signer, target, { policy: { retry: {} } })
    assert.equal(res.status, 200, await res.text())
    const hops = sends.slice(before)
    assert.equal(hops.length, 2)
    assert.notEqual(hops[0].claims.jti, hops[1].claims.jti)
  })

  await t.test('without a retry policy the 503 goes to the caller', async () => {
    const target = `${mock.url}/api/v1/customers?__unavailable=node-503-off&__times=1&__retry_after=0`
    const res = await ns.signedFetch(signer, target)
    assert.equal(res.status, 503)
    await res.body?.cancel()
  })

  await t.test('https to http is INSECURE_REDIRECT (decided by the core, nothing sent)', () => {
    const exchange = new ns.Exchange(signer, { method: 'GET', url: 'https://api.nuvera.test/a', hasBody: false })
    assert.throws(
      () => exchange.onResponse({ status: 302, headers: [['Location', 'http://api.nuvera.test/b']], sentAtMs: 0, receivedAtMs: 0 }),
      { code: 'INSECURE_REDIRECT' },
    )
  })

  await t.test('the caller\'s AbortSignal stops a retry\'s wait', async () => {
    const controller = new AbortController()
    const before = sends.length
    const target = `${mock.url}/api/v1/customers?__unavailable=node-abort&__times=1&__retry_after=30`
    const pending = ns.signedFetch(signer, target, { policy: { retry: { maxDelayMs: 60000 } }, signal: controller.signal })
    // Abort once the 503 has arrived: signedFetch is then about to wait, or waiting, the 30 s
    // of Retry-After.
    sends.onResponse = (res) => {
      if (res.status !== 503) return
      sends.onResponse = null
      setImmediate(() => controller.abort())
    }
    await assert.rejects(pending, { name: 'AbortError' })
    assert.equal(sends.length - before, 1, 'no retry after the abort')
  })

  await t.test('a RemoteKey (callback) signs every send of signedFetch', async () => {
    const privatePem = fs.readFileSync(mock.privateKeyFile, 'utf8')
    const calls = []
    const key = ns.RemoteKey.fromCallback(async (input) => {
      calls.push(input.length)
      return crypto.sign('sha256', input, privatePem)
    }, fs.readFileSync(mock.publicKeyFile, 'utf8'), { input: 'input' })
    const remoteSigner = new ns.Signer(key, mock.apiKey)
    const before = sends.length
    const target = `${mock.url}/__test/redirect?status=307&to=${encodeURIComponent('/api/v1/customers')}`
    const res = await ns.signedFetch(remoteSigner, target, { method: 'POST', body: customer, headers: json })
    assert.equal(res.status, 201, await res.text())
    assert.equal(sends.length - before, 2)
    assert.equal(calls.length, 2, 'one signature per send')
  })
})
