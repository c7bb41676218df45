'use strict'
// The package's CommonJS entry: the native addon, its error codes, and `signedFetch`, a thin
// `fetch` wrapper. No canonicalization or signing happens here: URLs, hashes, multipart and tokens
// all come from the Rust core through the addon, and so does the list of error codes.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Readable } = require('node:stream')
const native = require('./index.js')


/** Every code of the core's list, with its family and HTTP status (AUTH_* only). */
const errorCodeList = Object.freeze(native.errorCodeList().map(Object.freeze))

/** The core's codes by name: `err.code === ErrorCodes.INVALID_URL`. */
const ErrorCodes = Object.freeze(Object.fromEntries(errorCodeList.map((c) => [c.code, c.code])))

function codedError(code, message) {
  if (!(code in ErrorCodes)) throw new Error(`bug: ${code} is not a code of the core's list`)
  const err = new Error(message)
  err.code = code
  return err
}

// napi-rs reports an argument it cannot convert with its own status as `.code` (`InvalidArg`,
// `StringExpected`, …). The package's codes are the core's alone, so such an error becomes
// INVALID_ARGUMENT (any other napi status, which would be a bug, INTERNAL_ERROR); the status
// stays readable as `.napiStatus`.
function asCoreCode(err) {
  if (err !== null && typeof err === 'object' && typeof err.code === 'string' && !(err.code in ErrorCodes)) {
    err.napiStatus = err.code
    err.code = /^InvalidArg$|Expected$/.test(err.code) ? ErrorCodes.INVALID_ARGUMENT : ErrorCodes.INTERNAL_ERROR
  }
  return err
}

function guarded(fn) {
  const wrapper = function (...args) {
    try {
      return fn.apply(this, args)
    } catch (err) {
      throw asCoreCode(err)
    }
  }
  Object.defineProperty(wrapper, 'name', { value: fn.name })
  Object.defineProperty(wrapper, 'length', { value: fn.length })
  return wrapper
}

function guardMethods(target) {
  for (const name of Object.getOwnPropertyNames(target)) {
    const desc = Object.getOwnPropertyDescriptor(target, name)
    if (name !== 'constructor' && typeof desc.value === 'function' && desc.writable) {
      Object.defineProperty(target, name, { ...desc, value: guarded(desc.value) })
    }
  }
}

// Classes: methods wrapped in place; the exported class is a facade sharing the native
// prototype (so `instanceof` holds for every instance, however made), whose constructor and
// factories are wrapped (napi defines the native factories read-only).
function guardClass(cls) {
  guardMethods(cls.prototype)
  const facade = function (...args) {
    if (new.target === undefined) throw new TypeError(`Class constructor ${cls.name} cannot be invoked without 'new'`)
    try {
      return Reflect.construct(cls, args, new.target === facade ? cls : new.target)
    } catch (err) {
      throw asCoreCode(err)
    }
  }
  Object.defineProperty(facade, 'name', { value: cls.name })
  facade.prototype = cls.prototype
  for (const name of Object.getOwnPropertyNames(cls)) {
    if (typeof cls[name] === 'function' && !['prototype', 'name', 'length'].includes(name)) {
      facade[name] = guarded(cls[name])
    }
  }
  return facade
}

function isFormData(body) {
  return typeof FormData !== 'undefined' && body instanceof FormData
}

function isBlob(body) {
  return typeof Blob !== 'undefined' && body instanceof Blob
}

// FormData -> MultipartForm: the core encodes the form, so the bytes sent are the bytes signed.
async function formDataToMultipart(formData) {
  const form = new MultipartForm()
  for (const [name, value] of formData.entries()) {
    if (typeof value === 'string') {
      form.addField(name, value)
    } else {
      const bytes = Buffer.from(await value.arrayBuffer())
      form.addFileBytes(name, value.name ?? 'blob', bytes, value.type || undefined)
    }
  }
  return form
}

// Encodings up to this size are sent from memory: Node's fetch fails a streamed upload (EPIPE)
// when the server answers before reading it, as a redirecting load balancer may.
const SPOOL_IN_MEMORY_BYTES = 1024 * 1024

// A form with a stream part, encoded once into a temporary file by the core (the stream can be
// read only once, and its hash must be known before it is sent): each send streams that file,
// and every send of it is signed as exactly its bytes. `remove` deletes the file. A small
// encoding is read back and sent as bytes (`bytes` instead of `spooled`).
async function spoolForm(form) {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'nuvera-form-'))
  const remove = () => fs.promises.rm(dir, { recursive: true, force: true })
  const file = path.join(dir, 'body')
  try {
    await form.writeToFile(file)
    const { size } = await fs.promises.stat(file)
    if (size > SPOOL_IN_MEMORY_BYTES) return { spooled: { form, file, size, remove } }
    const bytes = await fs.promises.readFile(file)
    await remove()
    return { bytes }
  } catch (err) {
    await remove()
    throw err
  }
}

// The body as exact bytes (or a spooled file) plus the Content-Type it implies (null = keep the
// caller's).
async function prepareBody(body) {
  if (body === undefined || body === null) return { bytes: undefined, contentType: null, multipart: false }
  if (body instanceof MultipartForm && formsWithStreams.has(body)) {
    return { ...(await spoolForm(body)), contentType: body.contentType, multipart: true }
  }
  if (typeof body === 'string') {
    return { bytes: Buffer.from(body, 'utf8'), contentType: 'text/plain;charset=UTF-8', multipart: false }
  }
  if (body instanceof MultipartForm) {
    return { bytes: body.toBuffer(), contentType: body.contentType, multipart: true }
  }
  if (isFormData(body)) {
    const form = await formDataToMultipart(body)
    return { bytes: form.toBuffer(), contentType: form.contentType, multipart: true }
  }
  if (body instanceof URLSearchParams) {
    return {
      bytes: Buffer.from(body.toString(), 'utf8'),
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
      multipart: false,
    }
  }
  if (Buffer.isBuffer(body)) return { bytes: body, contentType: null, multipart: false }
  if (ArrayBuffer.isView(body)) {
    return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType: null, multipart: false }
  }
  if (body instanceof ArrayBuffer) return { bytes: Buffer.from(body), contentType: null, multipart: false }
  if (isBlob(body)) {
    return { bytes: Buffer.from(await body.arrayBuffer()), contentType: body.type || null, multipart: false }
  }
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) {
    throw codedError(
      ErrorCodes.STREAMING_BODY,
      'signedFetch cannot sign or replay a ReadableStream body: pass a Buffer, string, FormData or MultipartForm',
    )
  }
  if (typeof body[Symbol.asyncIterator] === 'function' || typeof body.pipe === 'function') {
    throw codedError(ErrorCodes.STREAMING_BODY, 'signedFetch cannot sign or replay a streamed body: pass the bytes')
  }
  throw codedError(ErrorCodes.INVALID_ARGUMENT, `signedFetch cannot sign a body of type ${Object.prototype.toString.call(body)}`)
}

// A response's headers as the [name, value] pairs the core reads.
function headerPairs(headers) {
  const pairs = []
  for (const [name, value] of headers) pairs.push([name, value])
  return pairs
}

// The start of a body, at most `limit` bytes (the stream is then cancelled): the core reads the
// body of a 401 only, and never more than its MAX_REFUSAL_BODY_BYTES (a longer one is not a
// refusal), so a hostile server cannot make this buffer more.
async function bodyStart(body, limit) {
  if (body === null) return Buffer.alloc(0)
  const chunks = []
  let size = 0
  const reader = body.getReader()
  try {
    while (size <= limit) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks)
}

// A wait the caller's AbortSignal cuts short (the retry delays come from the core).
function sleep(ms, signal) {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

// The codes the core fails a redirect with: under fetch's `redirect: "manual"` the caller gets
// the redirect response itself, under `"error"` fetch's TypeError, as `fetch` does.
const REDIRECT_FAILURES = new Set(['TOO_MANY_REDIRECTS', 'INSECURE_REDIRECT', 'INVALID_URL'])

// Documented in main.d.ts (as are the other functions added here). Every §8 decision is the
// core `Exchange`'s: this only sends, waits and signs afresh as it is told to.
async function signedFetch(signer, url, init = {}) {
  const { body, headers, redirect = 'follow', method = 'GET', policy, ...rest } = init
  const prepared = await prepareBody(body)
  try {
    return await exchangeAll(signer, prepared, { headers, redirect, method, url, policy, rest })
  } finally {
    await prepared.spooled?.remove()
  }
}

// signedFetch's loop over the sends the core's Exchange asks for.
async function exchangeAll(signer, prepared, { headers, redirect, method, url, policy, rest }) {
  const { spooled } = prepared
  const baseHeaders = new Headers(headers)
  baseHeaders.delete('x-api-key')
  baseHeaders.delete('authorization')
  const hasBody = prepared.bytes !== undefined || spooled !== undefined
  const exchange = new Exchange(signer, { method: String(method), url: String(url), hasBody }, policy)
  let attempt = exchange.first

  for (;;) {
    const sendHeaders = new Headers(baseHeaders)
    const sendsBody = attempt.sendBody && hasBody
    const bytes = attempt.sendBody ? prepared.bytes : undefined
    if (!sendsBody) {
      sendHeaders.delete('content-type')
      sendHeaders.delete('content-length')
    } else if (prepared.multipart || (prepared.contentType && !sendHeaders.has('content-type'))) {
      sendHeaders.set('content-type', prepared.contentType)
    }
    if (attempt.credentials) {
      // On the libuv pool: a RemoteKey's JS callback needs this thread free to run. A spooled
      // form signs as the bytes the core wrote into the file; other bodies are hashed by the
      // core as the Content-Type that is sent decides.
      const signed = sendsBody && spooled
        ? await signer.signMultipartAsync(attempt.method, attempt.url, spooled.form)
        : await signer.signWithContentTypeAsync(attempt.method, attempt.url, sendHeaders.get('content-type'), bytes)
      for (const [name, value] of Object.entries(signed.headers)) sendHeaders.set(name, value)
    }
    const init = { ...rest, method: attempt.method, headers: sendHeaders, body: bytes, redirect: 'manual' }
    if (sendsBody && spooled) {
      sendHeaders.set('content-length', String(spooled.size))
      Object.assign(init, { body: Readable.toWeb(fs.createReadStream(spooled.file)), duplex: 'half' })
    }

    const sentAtMs = Date.now()
    const response = await fetch(attempt.url, init)
    const receivedAtMs = Date.now()
    // Only a 401's body can matter to the core (its §6 code); it is read from a clone, so the
    // caller still gets the whole response.
    const refusalBody = response.status === 401 ? await bodyStart(response.clone().body, MAX_REFUSAL_BODY_BYTES) : undefined

    let action
    try {
      action = exchange.onResponse({ status: response.status, headers: headerPairs(response.headers), body: refusalBody, sentAtMs, receivedAtMs })
    } catch (err) {
      if (redirect !== 'follow' && REDIRECT_FAILURES.has(err.code) && response.headers.has('location')) {
        if (redirect === 'manual') return response
        throw new TypeError(`the server redirected (${response.status}) and redirect is "error"`)
      }
      await response.body?.cancel().catch(() => {})
      throw err
    }
    if (action.action === 'done') return response
    if (action.reason === 'redirect' && redirect !== 'follow') {
      if (redirect === 'manual') return response
      await response.body?.cancel().catch(() => {})
      // What fetch itself does with `redirect: "error"`: a TypeError, no code of ours.
      throw new TypeError(`the server redirected (${response.status}) and redirect is "error"`)
    }
    await response.body?.cancel().catch(() => {})
    await sleep(action.delayMs, rest.signal)
    attempt = action.attempt
  }
}

const CLASSES = new Set(['PrivateKey', 'Signer', 'SignedRequest', 'MultipartForm', 'Verifier', 'BodyHasher', 'Exchange', 'RemoteKey'])
const api = {}
for (const [name, value] of Object.entries(native)) {
  if (name === '__napiBindingTarget' || name === 'errorCodeList') continue
  api[name] = CLASSES.has(name) ? guardClass(value) : typeof value === 'function' ? guarded(value) : value
}

const { MultipartForm, BodyHasher, Exchange, MAX_REFUSAL_BODY_BYTES } = api

// The chunks of a stream (a Node Readable, a web ReadableStream or any async iterable of
// Buffers/Uint8Arrays/strings) as Buffers (strings as UTF-8), pulled one at a time.
function bufferChunks(stream, what) {
  if (stream === null || typeof stream !== 'object' || typeof stream[Symbol.asyncIterator] !== 'function') {
    throw codedError(ErrorCodes.INVALID_ARGUMENT, `${what} needs a Node Readable, a web ReadableStream or an async iterable of Buffers/Uint8Arrays`)
  }
  return asBuffers(stream)
}

async function* asBuffers(stream) {
  for await (const chunk of stream) {
    if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8')
    else if (chunk instanceof Uint8Array) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    else throw codedError(ErrorCodes.INVALID_ARGUMENT, `a stream gave ${Object.prototype.toString.call(chunk)}, not bytes`)
  }
}

async function bodyHashStream(stream, contentType) {
  const hasher = new BodyHasher(contentType ?? null)
  for await (const chunk of bufferChunks(stream, 'bodyHashStream')) hasher.update(chunk)
  return hasher.finish()
}

// Forms with a stream part: signedFetch spools them (see spoolForm).
const formsWithStreams = new WeakSet()

// The core pulls one chunk at a time, so memory does not grow with the stream.
api.MultipartForm.prototype.addFileStream = function addFileStream(fieldName, fileName, stream, mimeType) {
  const chunks = bufferChunks(stream, 'addFileStream')
  const pull = async () => {
    try {
      const { done, value } = await chunks.next()
      return done ? {} : { chunk: value }
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) }
    }
  }
  this.addFileStreamPull(fieldName, fileName, pull, mimeType)
  formsWithStreams.add(this)
}

api.Signer.prototype.signStream = async function signStream(method, url, stream, contentType, overrides) {
  const { bodyHash } = await bodyHashStream(stream, contentType)
  return this.signBodyHashAsync(method, url, bodyHash, overrides)
}

// The caller's function, made to always settle to `{ signature }` or `{ error }`: what it throws
// or rejects with becomes the message of the core's REMOTE_SIGNER_FAILED, and no JS exception
// ever reaches the addon's helper thread.
function settledSigner(fn) {
  if (typeof fn !== 'function') throw codedError(ErrorCodes.INVALID_ARGUMENT, 'RemoteKey.fromCallback needs a function')
  return async (input) => {
    try {
      const signature = await fn(input)
      if (!(signature instanceof Uint8Array)) {
        return { error: `the callback returned ${Object.prototype.toString.call(signature)}, not a Buffer/Uint8Array of signature bytes` }
      }
      return { signature: Buffer.isBuffer(signature) ? signature : Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength) }
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) }
    }
  }
}

api.RemoteKey.fromCallback = function fromCallback(fn, publicKeyPem, options) {
  return api.RemoteKey.fromCallbackOutcome(settledSigner(fn), publicKeyPem, options)
}

// The native names are spread from require('./index.js') first so that Node's ESM loader can see
// them (main.mjs re-exports this module with `export *`); `api` then replaces each with its
// guarded form.
module.exports = { ...require('./index.js'), ErrorCodes, errorCodeList, bodyHashStream, signedFetch, ...api }
