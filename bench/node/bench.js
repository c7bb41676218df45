'use strict'
// Sign/s of `signer.sign` (sync) and `signer.signAsync` against jose's SignJWT with a preloaded
// key and jose importing the PEM on every call. Same claims shape, same 2048-bit key, same body.
//   cd node && npm ci && npx napi build --platform --release && node ../bench/node/bench.js [seconds]
const path = require('node:path')
const fs = require('node:fs')
const crypto = require('node:crypto')
const { createRequire } = require('node:module')

const pkgRequire = createRequire(path.join(__dirname, '..', '..', 'node', 'package.json'))
const ns = pkgRequire('./main.cjs')
const seconds = Number(process.argv[2] ?? 3)

async function main() {
  const jose = await import(pkgRequire.resolve('jose'))
  const pem = fs.readFileSync(path.join(__dirname, '..', '..', 'testdata', 'keys', 'test-rsa2048-pkcs8.pem'), 'utf8')
  const body = Buffer.from(JSON.stringify({ companyName: 'Acme Imports', registrationNumber: 'ACME-123' }))
  const apiKey = 'nv_live_3f9a2c7d1e'
  const url = 'https://api.nuvera.global/api/v1/customers'
  const signer = new ns.Signer(ns.PrivateKey.fromPem(pem), apiKey)
  const preloaded = await jose.importPKCS8(pem, 'RS256')

  // jose: the benchmark computes the claims with node:crypto (what a hand-written client does).
  const joseClaims = () => {
    const iat = Math.floor(Date.now() / 1000)
    return {
      iss: 'nuvera-api', aud: 'nuvera-rest-api', sub: apiKey, method: 'POST', uri: new URL(url).pathname,
      bodyHash: crypto.createHash('sha256').update(body).digest('hex'), iat, exp: iat + 55, jti: crypto.randomUUID(),
    }
  }
  const runs = {
    'nuvera signer.sign (sync)': async () => { signer.sign('POST', url, body) },
    'jose SignJWT, preloaded key': async () => {
      await new jose.SignJWT(joseClaims()).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(preloaded)
    },
    'jose SignJWT, importPKCS8 each call': async () => {
      const key = await jose.importPKCS8(pem, 'RS256')
      await new jose.SignJWT(joseClaims()).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(key)
    },
  }
  const rates = {}
  for (const [name, fn] of Object.entries(runs)) {
    for (let i = 0; i < 50; i++) await fn() // warm-up
    let n = 0
    const start = process.hrtime.bigint()
    const end = start + BigInt(Math.round(seconds * 1e9))
    while (process.hrtime.bigint() < end) { await fn(); n++ }
    rates[name] = n / (Number(process.hrtime.bigint() - start) / 1e9)
  }
  // signAsync: 8 in flight on the libuv pool.
  {
    let n = 0
    const start = process.hrtime.bigint()
    const end = start + BigInt(Math.round(seconds * 1e9))
    const worker = async () => { while (process.hrtime.bigint() < end) { await signer.signAsync('POST', url, body); n++ } }
    await Promise.all(Array.from({ length: 8 }, worker))
    rates['nuvera signer.signAsync (8 in flight)'] = n / (Number(process.hrtime.bigint() - start) / 1e9)
  }
  const base = rates['nuvera signer.sign (sync)']
  console.log(`node ${process.version}, ${require('node:os').cpus().length} CPUs, ${seconds} s per run`)
  for (const [name, rate] of Object.entries(rates)) {
    console.log(`${name.padEnd(40)} ${rate.toFixed(0).padStart(7)} sign/s   nuvera-sync / this = ${(base / rate).toFixed(2)}x`)
  }
}

main().catch((err) => { console.error(err); process.exit(1) })
