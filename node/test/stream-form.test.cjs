'use strict'
// A multipart file part read from a stream (`form.addFileStream`): the same hash as the form
// built from the bytes, memory that does not grow with the stream (a 64 MiB stream through
// signedFetch to the real mock server, which accepts it), and the coded errors of a stream that
// can be read once.
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const v8 = require('node:v8')
const vm = require('node:vm')
const { Readable } = require('node:stream')
const { keyPath, startMock } = require('./helpers.cjs')
const ns = require('../main.cjs')

const signer = new ns.Signer(ns.PrivateKey.fromFile(keyPath('test-rsa2048-pkcs8.pem')), 'nv_test_stream_5a1d')
const content = Buffer.from('%PDF-1.4 streamed\r\n'.repeat(5000))
const pieces = (buf, size) => Array.from({ length: Math.ceil(buf.length / size) }, (_, i) => buf.subarray(i * size, (i + 1) * size))

// The same form with its file from memory: the reference the stream must match.
function bytesForm() {
  const form = new ns.MultipartForm('stream-test-boundary')
  form.addField('type', 'INCORPORATION')
  form.addFileBytes('file', 'cert.pdf', content, 'application/pdf')
  return form
}

function streamForm(stream) {
  const form = new ns.MultipartForm('stream-test-boundary')
  form.addField('type', 'INCORPORATION')
  form.addFileStream('file', 'cert.pdf', stream, 'application/pdf')
  return form
}

async function* slowly(chunks) {
  for (const chunk of chunks) {
    await new Promise((resolve) => setImmediate(resolve))
    yield chunk
  }
}

const rejectsWith = (promise, code) => assert.rejects(promise, (err) => {
  assert.equal(err.code, code, err.message)
  return true
})
const throwsWith = (fn, code) => assert.throws(fn, (err) => {
  assert.equal(err.code, code, err.message)
  return true
})

test('a stream part hashes as the same form built from its bytes, from every kind of stream', async () => {
  const expected = bytesForm()
  const streams = {
    'Node Readable': Readable.from(pieces(content, 7000)),
    'web ReadableStream': Readable.toWeb(Readable.from(pieces(content, 4096))),
    'async iterable of Uint8Arrays': slowly(pieces(content, 65536).map((b) => new Uint8Array(b))),
    'file read stream': null,
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nuvera-node-stream-'))
  try {
    fs.writeFileSync(path.join(dir, 'cert.pdf'), content)
    streams['file read stream'] = fs.createReadStream(path.join(dir, 'cert.pdf'), { highWaterMark: 1000 })
    for (const [kind, stream] of Object.entries(streams)) {
      const form = streamForm(stream)
      assert.equal(await form.bodyHashAsync(), expected.bodyHash(), kind)
      // Read once: what follows comes from the summary.
      assert.equal(form.bodyHash(), expected.bodyHash(), kind)
      assert.equal(form.canonical(), expected.canonical(), kind)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  // The canonical object's file entry, against node:crypto.
  const canonical = JSON.parse(await streamForm(Readable.from([content])).canonicalAsync())
  assert.equal(canonical.files[0].sha256, crypto.createHash('sha256').update(content).digest('hex'))
  assert.equal(canonical.files[0].size, content.length)
})

test('writeToFile encodes the stream once; the form then signs as exactly those bytes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nuvera-node-stream-'))
  try {
    const file = path.join(dir, 'body')
    const form = streamForm(Readable.from(pieces(content, 3000)))
    const hash = await form.writeToFile(file)
    const written = fs.readFileSync(file)
    assert.deepEqual(written, bytesForm().toBuffer())
    assert.equal(hash, ns.multipartBodyHash(form.contentType, written))
    const signed = await signer.signMultipartAsync('POST', 'https://api.nuvera.global/api/v1/documents', form)
    assert.equal(signed.claims.bodyHash, hash)
    assert.equal(signer.signMultipart('POST', '/api/v1/documents', form).claims.bodyHash, hash)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('a stream part is read by the asynchronous methods only, once, by one method at a time', async () => {
  const form = streamForm(Readable.from([content]))
  // On the JS thread the stream cannot be read (it would wait for this very thread).
  throwsWith(() => form.bodyHash(), 'UNSUPPORTED')
  throwsWith(() => form.toBuffer(), 'UNSUPPORTED')
  throwsWith(() => signer.signMultipart('POST', '/api/v1/documents', form), 'UNSUPPORTED')
  // Nothing was consumed by those refusals.
  const signed = await signer.signMultipartAsync('POST', '/api/v1/documents', form)
  assert.equal(signed.claims.bodyHash, bytesForm().bodyHash())
  // Hashed once, it cannot be encoded: its bytes are gone.
  throwsWith(() => form.toBuffer(), 'INVALID_FORM_PART')
  await rejectsWith(form.writeToFile(path.join(os.tmpdir(), 'nuvera-never-written')), 'INVALID_FORM_PART')
  await rejectsWith(ns.signedFetch(signer, 'http://127.0.0.1:9/api/v1/documents', { method: 'POST', body: form }), 'INVALID_FORM_PART')

  // While an asynchronous method reads the stream, the form is not available to another call.
  let release, reading
  const gate = new Promise((resolve) => {
    release = resolve
  })
  const started = new Promise((resolve) => {
    reading = resolve
  })
  async function* held() {
    yield content.subarray(0, 10)
    // Asked for more: the method on the pool has the form and has read the first chunk.
    reading()
    await gate
    yield content.subarray(10)
  }
  const busy = streamForm(held())
  const pending = busy.bodyHashAsync()
  await started
  throwsWith(() => busy.addField('late', 'x'), 'UNSUPPORTED')
  await rejectsWith(busy.canonicalAsync(), 'UNSUPPORTED')
  release()
  assert.equal(await pending, bytesForm().bodyHash())
})

test('a failing stream rejects with IO_ERROR and its message; a non-stream is INVALID_ARGUMENT', async () => {
  async function* failing() {
    yield Buffer.from('part of it')
    throw new Error('the upload source went away')
  }
  await rejectsWith(streamForm(failing()).bodyHashAsync(), 'IO_ERROR')
  await assert.rejects(streamForm(failing()).bodyHashAsync(), /the upload source went away/)
  async function* notBytes() {
    yield 42
  }
  await rejectsWith(streamForm(notBytes()).bodyHashAsync(), 'IO_ERROR')
  const form = new ns.MultipartForm()
  throwsWith(() => form.addFileStream('file', 'a.bin', Buffer.from('not a stream')), 'INVALID_ARGUMENT')
  throwsWith(() => form.addFileStream('', 'a.bin', Readable.from([content])), 'INVALID_FORM_PART')
})

test('signedFetch sends a small stream form again after a 307, signed afresh, and leaves no spool file', async (t) => {
  const mock = startMock(t, '--quiet', '--test-routes')
  const spoolsBefore = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('nuvera-form-')).length
  const target = `${mock.url}/__test/redirect?status=307&to=${encodeURIComponent('/api/v1/documents')}`
  // Under 1 MiB encoded, so sent from memory: the redirect route answers without reading the
  // body and closes, which Node's fetch survives for a body written at once (not a streamed one).
  const response = await ns.signedFetch(mock.signer(), target, { method: 'POST', body: streamForm(Readable.from(pieces(content, 5000))) })
  const text = await response.text()
  assert.equal(response.status, 201, text)
  assert.equal(JSON.parse(text).files[0].sha256, crypto.createHash('sha256').update(content).digest('hex'))
  assert.equal(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('nuvera-form-')).length, spoolsBefore)
})

test('a 64 MiB stream through signedFetch: RSS flat while the core reads it; accepted by the mock server', async (t) => {
  const total = 64 * 1024 * 1024
  const mock = startMock(t, '--quiet', '--max-body-bytes', String(total * 2))
  // Collect JS garbage as it is made, so that RSS shows what is retained, not what V8 has not
  // collected yet.
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc')
  const chunkSize = 256 * 1024
  const expected = crypto.createHash('sha256')
  let peak = 0
  // Sampled while the stream is read: from the first pull to the last, the core hashes and
  // encodes it (into signedFetch's temporary file).
  async function* generated() {
    for (let i = 0; i * chunkSize < total; i++) {
      const chunk = crypto.randomBytes(chunkSize)
      expected.update(chunk)
      yield chunk
      if (i % 16 === 0) gc()
      peak = Math.max(peak, process.memoryUsage().rss)
    }
  }
  gc()
  const before = process.memoryUsage().rss
  const form = new ns.MultipartForm()
  form.addField('type', 'INCORPORATION')
  form.addFileStream('file', 'big.bin', generated())
  const response = await ns.signedFetch(mock.signer(), `${mock.url}/api/v1/documents`, { method: 'POST', body: form })
  const text = await response.text()
  assert.equal(response.status, 201, text)
  const stored = JSON.parse(text)
  assert.equal(stored.files[0].size, total)
  assert.equal(stored.files[0].sha256, expected.digest('hex'))
  const growth = peak - before
  t.diagnostic(`RSS growth while the ${total / 1048576} MiB stream was read: ${(growth / 1048576).toFixed(1)} MiB`)
  assert.ok(growth < total / 4, `RSS grew by ${(growth / 1048576).toFixed(1)} MiB while a ${total / 1048576} MiB stream was read`)
})
