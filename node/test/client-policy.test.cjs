'use strict'
// Contract §8: every case of testdata/client-policy/cases.json through the package's Exchange
// (the core's state machine behind the addon), with the signer's clock offset checked after
// each step.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { testdata, keyPath } = require('./helpers.cjs')
const ns = require('../main.cjs')

const table = JSON.parse(fs.readFileSync(path.join(testdata, 'client-policy', 'cases.json'), 'utf8'))
const key = ns.PrivateKey.fromFile(keyPath('test-rsa2048-pkcs8.pem'))

test('the table has cases', () => {
  assert.ok(table.cases.length >= 77, `${table.cases.length} cases`)
})

for (const c of table.cases) {
  test(`client policy: ${c.name}`, () => {
    const signer = new ns.Signer(key, 'nv_test_node_cases', { clockOffset: c.clockOffset })
    const make = () => new ns.Exchange(signer, c.request, c.policy, c.jitter)
    if (c.first.fail) {
      assert.throws(make, { code: c.first.fail })
      return
    }
    const exchange = make()
    assert.deepEqual({ ...exchange.first }, c.first)
    c.steps.forEach((step, i) => {
      const r = step.response
      const response = {
        status: r.status,
        headers: r.headers,
        body: Buffer.from(r.body, 'utf8'),
        sentAtMs: r.sentAtMs,
        receivedAtMs: r.receivedAtMs,
      }
      const want = step.expect
      if (want.action === 'fail') {
        assert.throws(() => exchange.onResponse(response), { code: want.code }, `step ${i}`)
      } else if (want.action === 'done') {
        assert.equal(exchange.onResponse(response).action, 'done', `step ${i}`)
      } else {
        const action = exchange.onResponse(response)
        assert.deepEqual(
          { action: action.action, reason: action.reason, delayMs: action.delayMs, attempt: { ...action.attempt } },
          { action: 'send', reason: want.reason, delayMs: want.delayMs, attempt: want.attempt },
          `step ${i}`,
        )
      }
      // The correction lands in the signer, for all its later requests.
      assert.equal(signer.clockOffset, want.clockOffset, `step ${i}: the signer's offset`)
      assert.equal(exchange.clockOffset, want.clockOffset, `step ${i}: the exchange's offset`)
    })
  })
}

test('the defaults are the core\'s', () => {
  const p = ns.defaultClientPolicy()
  assert.deepEqual(
    { ...p, retry: { ...p.retry } },
    {
      maxRedirects: 10,
      correctClock: true,
      retry: { statuses: [429, 502, 503, 504], methods: ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'], maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 10000 },
    },
  )
})

test('a bad policy is INVALID_ARGUMENT from the core', () => {
  const signer = new ns.Signer(key, 'nv_test_node_cases')
  const request = { method: 'GET', url: 'https://api.nuvera.test/x', hasBody: false }
  assert.throws(() => new ns.Exchange(signer, request, { retry: { maxAttempts: 0 } }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new ns.Exchange(signer, request, { retry: { baseDelayMs: 500, maxDelayMs: 100 } }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new ns.Exchange(signer, request, { retry: { statuses: [700] } }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new ns.Exchange(signer, request, undefined, [1.5]), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new ns.Signer(key, 'nv_test_node_cases', { clockOffset: 86401 }), { code: 'CLOCK_SKEW_TOO_LARGE' })
})
