'use strict'
// Memory of a 64 MiB multipart stream upload, phase by phase (not a test; figures for
// node/README.md): the core reading the stream into signedFetch's spool file, then Node's own
// fetch sending that file with `redirect: "manual"` (what signedFetch uses, to see each 3xx for the
// core's §8 policy) and with `redirect: "error"`, and node:http's request. Peak ArrayBuffers in MiB, garbage collected as
// it is made.
//
//   node bench/node/upload-memory.cjs        # after `npx napi build --platform --release` in node/
const crypto = require('node:crypto')
const fs = require('node:fs')
const { spawn } = require('node:child_process')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')
const v8 = require('node:v8')
const vm = require('node:vm')
const ns = require('../../node/main.cjs')

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')
const total = 64 * 1024 * 1024
const RECEIVER = `const s = require('node:http').createServer((q, r) => q.resume().on('end', () => r.end('ok')));
s.listen(0, '127.0.0.1', () => console.log(s.address().port))`
const mib = (n) => (n / 1048576).toFixed(1)

// Peak ArrayBuffers while `work` runs.
async function peakOf(work) {
  gc()
  let peak = process.memoryUsage().arrayBuffers
  const timer = setInterval(() => {
    gc()
    peak = Math.max(peak, process.memoryUsage().arrayBuffers)
  }, 5)
  try {
    await work()
  } finally {
    clearInterval(timer)
  }
  return peak
}

// The file as a web stream read on demand, 64 KiB a pull.
function fileStream(file) {
  let handle
  return new ReadableStream({
    async pull(controller) {
      handle ??= await fs.promises.open(file)
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(65536), 0, 65536, null)
      if (bytesRead > 0) return controller.enqueue(buffer.subarray(0, bytesRead))
      await handle.close()
      controller.close()
    },
  }, { highWaterMark: 0 })
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nuvera-upload-'))
  const file = path.join(dir, 'body')
  // The receiving server runs in another process, so that only the sender's memory is measured.
  const server = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(String(d).trim())))
  const url = `http://127.0.0.1:${port}/`
  try {
    const form = new ns.MultipartForm()
    form.addFileStream('file', 'big.bin', (async function* () {
      for (let sent = 0; sent < total; sent += 256 * 1024) yield crypto.randomBytes(256 * 1024)
    })())
    console.log(`core reads the ${mib(total)} MiB stream into the spool file: peak ${mib(await peakOf(() => form.writeToFile(file)))} MiB`)
    for (const redirect of ['manual', 'error']) {
      const peak = await peakOf(async () => {
        const res = await fetch(url, { method: 'POST', body: fileStream(file), duplex: 'half', redirect })
        await res.text()
      })
      console.log(`fetch sends the file, redirect: "${redirect}": peak ${mib(peak)} MiB`)
    }
    const viaHttp = await peakOf(() => new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST' }, (res) => res.resume().on('end', resolve))
      req.on('error', reject)
      fs.createReadStream(file).pipe(req)
    }))
    console.log(`http.request sends the file: peak ${mib(viaHttp)} MiB`)
  } finally {
    server.kill()
    fs.rmSync(dir, { recursive: true, force: true })
  }
  console.log(`node ${process.version}, undici ${process.versions.undici}`)
}

main()
