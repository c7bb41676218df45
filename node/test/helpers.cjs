'use strict'
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const testdata = path.join(__dirname, '..', '..', 'testdata')
const vectors = JSON.parse(fs.readFileSync(path.join(testdata, 'vectors', 'signing-vectors.json'), 'utf8'))
const keyPath = (name) => path.join(testdata, 'keys', name)
const keyText = (name) => fs.readFileSync(keyPath(name), 'utf8')
const b64 = (s) => Buffer.from(s, 'base64')

const mockScript = path.join(__dirname, '..', '..', 'scripts', 'mock-server')

// Starts the real mock server (`nuvera-sign serve`, through scripts/mock-server) with serveArgs;
// stopped when the test `t` ends.
function startMock(t, ...serveArgs) {
  const ns = require('../main.cjs')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nuvera-node-mock-'))
  const env = path.join(dir, 'mock.env')
  execFileSync('bash', [mockScript, 'start', '--env', env, '--', ...serveArgs], { stdio: ['ignore', 'ignore', 'inherit'] })
  t.after(() => {
    execFileSync('bash', [mockScript, 'stop', '--env', env], { stdio: 'ignore' })
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const vars = Object.fromEntries(
    fs.readFileSync(env, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  )
  assert.ok(vars.NUVERA_MOCK_URL && vars.NUVERA_API_KEY && vars.NUVERA_PRIVATE_KEY_FILE, 'mock-server env')
  return {
    url: vars.NUVERA_MOCK_URL,
    apiKey: vars.NUVERA_API_KEY,
    privateKeyFile: vars.NUVERA_PRIVATE_KEY_FILE,
    publicKeyFile: vars.NUVERA_PUBLIC_KEY_FILE,
    signer: () => new ns.Signer(ns.PrivateKey.fromFile(vars.NUVERA_PRIVATE_KEY_FILE), vars.NUVERA_API_KEY),
  }
}

module.exports = { testdata, vectors, keyPath, keyText, b64, startMock }
