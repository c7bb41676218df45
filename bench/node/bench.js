'use strict'
// Node's Signer.sign against the Rust core signing the same request, in the same run.
//
//   cd node && npm ci && npx napi build --platform --release && cd .. &&
//   cargo build --release -p nuvera-signing --example bench_probe &&
//   node bench/node/bench.js [seconds per round = 2] [rounds = 5]
//
// Each round runs, one after the other (never at the same time): the core's own probe
// (target/release/examples/bench_probe sign-rate, a separate process, single thread), then
// `signer.sign` on Node's main thread, then two worker threads each signing synchronously, then
// one worker thread alone (the two-thread figure's reference). The request is the probe's:
// POST /api/v1/customers, the same JSON body, API key and 2048-bit key. Printed: each round's
// rates by wall clock and per CPU-second (the probe reads its own CPU time from /proc; Node's is
// process.cpuUsage), the medians of the per-round ratios, and the per-call overhead in µs (CPU
// time per Node call − CPU time per core call). On a machine shared with other work the
// wall-clock figures follow the others' load; the per-CPU-second ones much less.
// jose (a pure-JS RS256 signer) is measured once at the end for orientation.
const path = require('node:path')
const fs = require('node:fs')
const os = require('node:os')
const crypto = require('node:crypto')
const { spawnSync } = require('node:child_process')
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads')
const { createRequire } = require('node:module')

const root = path.join(__dirname, '..', '..')
const pkgRequire = createRequire(path.join(root, 'node', 'package.json'))
const ns = pkgRequire('./main.cjs')

const KEY = path.join(root, 'testdata', 'keys', 'test-rsa2048-pkcs8.pem')
// The request bench_probe signs (core/examples/bench_probe.rs).
const API_KEY = 'nv_live_3f9a2c7d1e'
const METHOD = 'POST'
const TARGET = '/api/v1/customers'
const BODY = Buffer.from('{"companyName":"Acme Trading Ltd","country":"GB"}')

let sink = null

/** Signs for `seconds` on this thread after a 300 ms warm-up (as the probe does); signs/s. */
function signRate(seconds) {
  const signer = new ns.Signer(ns.PrivateKey.fromFile(KEY), API_KEY)
  const warm = process.hrtime.bigint() + 300_000_000n
  // Like the probe, which reads the token, each call reads what a caller needs: the headers.
  while (process.hrtime.bigint() < warm) sink = signer.sign(METHOD, TARGET, BODY).headers
  let n = 0
  const cpuStart = process.cpuUsage()
  const start = process.hrtime.bigint()
  const end = start + BigInt(Math.round(seconds * 1e9))
  while (process.hrtime.bigint() < end) {
    sink = signer.sign(METHOD, TARGET, BODY).headers
    n++
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9
  const cpu = process.cpuUsage(cpuStart)
  return { count: n, elapsed, cpu: (cpu.user + cpu.system) / 1e6 }
}

if (!isMainThread) {
  parentPort.postMessage(signRate(workerData.seconds))
  return
}

/** The probe's wall-clock rate, and its signs per CPU-second (from its stderr line). */
function coreRate(probe, seconds) {
  const run = spawnSync(probe, ['sign-rate', KEY, String(seconds)], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`bench_probe failed: ${run.stderr}`)
  const signs = Number(/signs=(\d+)/.exec(run.stderr)?.[1])
  const cpu = Number(/cpu=([\d.]+)s/.exec(run.stderr)?.[1])
  return { rate: Number(run.stdout.trim()), perCpu: signs / cpu }
}

/** `threads` workers started together, each signing for `seconds`; total signs/s. */
async function workersRate(threads, seconds) {
  const results = await Promise.all(
    Array.from({ length: threads }, () => new Promise((resolve, reject) => {
      const w = new Worker(__filename, { workerData: { seconds } })
      w.once('message', resolve)
      w.once('error', reject)
    })),
  )
  return results.reduce((sum, r) => sum + r.count / r.elapsed, 0)
}

async function joseRate(seconds) {
  let jose
  try {
    jose = await import(pkgRequire.resolve('jose'))
  } catch {
    return null
  }
  const key = await jose.importPKCS8(fs.readFileSync(KEY, 'utf8'), 'RS256')
  const claims = () => {
    const iat = Math.floor(Date.now() / 1000)
    const bodyHash = crypto.createHash('sha256').update(BODY).digest('hex')
    return { iss: 'nuvera-api', aud: 'nuvera-rest-api', sub: API_KEY, method: METHOD, uri: TARGET, bodyHash, iat, exp: iat + 55, jti: crypto.randomUUID() }
  }
  const sign = () => new jose.SignJWT(claims()).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(key)
  for (let i = 0; i < 50; i++) await sign()
  let n = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(Math.round(seconds * 1e9))
  while (process.hrtime.bigint() < end) {
    await sign()
    n++
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9)
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

async function main() {
  const seconds = Number(process.argv[2] ?? 2)
  const rounds = Number(process.argv[3] ?? 5)
  const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target')
  const probe = path.join(targetDir, 'release', 'examples', 'bench_probe')
  if (!fs.existsSync(probe)) {
    console.error(`no ${probe}: cargo build --release -p nuvera-signing --example bench_probe`)
    process.exit(1)
  }
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${seconds} s per figure, ${rounds} rounds`)
  console.log('round | wall: core sign/s  node sign/s  node÷core | CPU: core sign/cpu-s  node sign/cpu-s  node÷core | 2 workers/s  1 worker/s  2÷1')
  const wall = []
  const cpu = []
  const scaling = []
  const overhead = []
  const f = (x, w) => x.toFixed(0).padStart(w)
  for (let r = 1; r <= rounds; r++) {
    const core = coreRate(probe, seconds)
    const one = signRate(seconds)
    const node = one.count / one.elapsed
    const nodePerCpu = one.count / one.cpu
    const two = await workersRate(2, seconds)
    const single = await workersRate(1, seconds)
    wall.push(node / core.rate)
    cpu.push(nodePerCpu / core.perCpu)
    scaling.push(two / single)
    overhead.push(1e6 / nodePerCpu - 1e6 / core.perCpu)
    console.log(
      `${String(r).padStart(5)} | ${f(core.rate, 17)} ${f(node, 12)} ${(node / core.rate).toFixed(3).padStart(10)} | ` +
        `${f(core.perCpu, 20)} ${f(nodePerCpu, 16)} ${(nodePerCpu / core.perCpu).toFixed(3).padStart(10)} | ` +
        `${f(two, 11)} ${f(single, 11)} ${(two / single).toFixed(2).padStart(5)}`,
    )
  }
  console.log(`median node÷core, 1 thread, wall clock:        ${median(wall).toFixed(3)}x   goal >= 0.97x`)
  console.log(`median node÷core, 1 thread, per CPU-second:    ${median(cpu).toFixed(3)}x   (steadier when other work shares the machine)`)
  console.log(`median per-call overhead (CPU time per call):  ${median(overhead).toFixed(1)} µs`)
  console.log(`median 2 worker threads ÷ 1, wall clock:       ${median(scaling).toFixed(2)}x   goal >= 1.8x`)
  console.log(`load average after:                            ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  const jose = await joseRate(seconds)
  if (jose !== null) console.log(`jose SignJWT, key imported once: ${jose.toFixed(0)} sign/s (for orientation, measured once)`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
