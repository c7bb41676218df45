'use strict'
// Issue 16: Verifier's `replayCache` option through the core's ReplayCacheOptions, against a real
// redis-server (Debian's package) started here on a free loopback port in a temp dir.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { keyPath, keyText } = require('./helpers.cjs')
const ns = require('../main.cjs')

const API_KEY = 'nv_test_node_redis'
const registry = JSON.stringify({
  applications: [
    {
      name: 'Node Redis tests',
      permissions: ['CUSTOMERS_READ'],
      apiKeys: [{ key: API_KEY }],
      publicKeys: [{ pem: keyText('test-rsa2048-public.pem') }],
    },
  ],
})
const signer = new ns.Signer(ns.PrivateKey.fromFile(keyPath('test-rsa2048-pkcs8.pem')), API_KEY)

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

// PING until redis answers PONG (it has just been spawned).
async function waitForPong(port) {
  for (let i = 0; i < 500; i++) {
    const answered = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.on('connect', () => socket.write('PING\r\n'))
      socket.on('data', (d) => {
        socket.destroy()
        resolve(d.toString().startsWith('+PONG'))
      })
      socket.on('error', () => resolve(false))
    })
    if (answered) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`redis-server did not answer on port ${port}`)
}

async function startRedis(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nuvera-node-redis-'))
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  )
  const exited = new Promise((resolve) => child.on('exit', resolve))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  t.after(async () => {
    await stop()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  await waitForPong(port)
  return { url: `redis://127.0.0.1:${port}`, stop }
}

function received(signed, target) {
  return {
    method: 'GET',
    target,
    apiKey: signed.headers['x-api-key'],
    authorization: signed.headers.Authorization,
    bodyHash: signed.claims.bodyHash,
  }
}

test('two verifiers sharing Redis refuse a replay; Redis down is 503', async (t) => {
  const redis = await startRedis(t)
  const options = { replayCache: { url: redis.url, prefix: 'nuvera:node-test:', timeoutMs: 500, maxConnections: 4 } }
  const a = ns.Verifier.fromRegistryJson(registry, undefined, options)
  const b = ns.Verifier.fromRegistryJson(registry, undefined, options)

  const target = '/api/v1/customers'
  const signed = signer.sign('GET', `https://api.nuvera.test${target}`)
  assert.equal(a.verify(received(signed, target)).claims.jti, signed.claims.jti)
  // The other instance sees the jti the first one stored.
  assert.throws(() => b.verify(received(signed, target)), { code: 'AUTH_REPLAYED_JTI', httpStatus: 401 })
  // A fresh token passes on either.
  const fresh = signer.sign('GET', `https://api.nuvera.test${target}`)
  assert.equal(b.verify(received(fresh, target)).claims.jti, fresh.claims.jti)
  assert.throws(() => a.verify(received(fresh, target)), { code: 'AUTH_REPLAYED_JTI' })

  await redis.stop()
  const later = signer.sign('GET', `https://api.nuvera.test${target}`)
  assert.throws(() => a.verify(received(later, target)), (err) => {
    assert.equal(err.code, 'AUTH_REPLAY_CACHE_UNAVAILABLE')
    assert.equal(err.httpStatus, 503)
    assert.match(err.responseBody, /AUTH_REPLAY_CACHE_UNAVAILABLE/)
    return true
  })
})

test('bad replay cache options are INVALID_ARGUMENT from the core', () => {
  assert.throws(() => ns.Verifier.fromRegistryJson(registry, undefined, { replayCache: { url: 'http://127.0.0.1:1' } }), {
    code: 'INVALID_ARGUMENT',
  })
  assert.throws(() => ns.Verifier.fromRegistryJson(registry, undefined, { replayCache: { url: 'redis://127.0.0.1:1', timeoutMs: -1 } }), {
    code: 'INVALID_ARGUMENT',
  })
  // The password in the URL never appears in an error.
  try {
    ns.Verifier.fromRegistryJson(registry, undefined, { replayCache: { url: 'redis://user:s3cr3t-pw@127.0.0.1:1', maxConnections: 0 } })
    assert.fail('accepted maxConnections 0')
  } catch (err) {
    assert.equal(err.code, 'INVALID_ARGUMENT')
    assert.doesNotMatch(err.message, /s3cr3t-pw/)
  }
})
