'use strict'
// The package's CommonJS entry: the native addon, its error codes, and `signedFetch`, a thin
// `fetch` wrapper. No canonicalization or signing happens here: URLs, hashes, multipart and tokens
// all come from the Rust core through the addon, and so does the list of error codes.

const native = require('./index.js')


/** Every code of the core's list, with its family and HTTP status (AUTH_* only). */
const errorCodeList = Object.freeze(
  native.errorCodeList().map((c) => Object.freeze({ code: c.code, family: c.family, httpStatus: c.httpStatus ?? null })),
)

/** The core's codes by name: `err.code === ErrorCodes.INVALID_URL`. */
const ErrorCodes = Object.freeze(Object.fromEntries(errorCodeList.map((c) => [c.code, c.code])))

// §8: at most this many redirect hops.
const MAX_REDIRECTS = 10

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

// The body as exact bytes plus the Content-Type it implies (null = keep the caller's).
async function prepareBody(body) {
  if (body === undefined || body === null) return { bytes: undefined, contentType: null, multipart: false }
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

/**
 * `fetch` that signs the final URL and body bytes of every request it sends, following
 * redirects itself (re-signed, fresh jti). A hop to another origin is followed without
 * credentials (contract §8); a hop from https to http is refused.
 */
async function signedFetch(signer, url, init = {}) {
  const { body, headers, redirect = 'follow', method: givenMethod, ...rest } = init
  let method = (givenMethod ?? 'GET').toUpperCase()
  let prepared = await prepareBody(body)
  const baseHeaders = new Headers(headers)
  baseHeaders.delete('x-api-key')
  baseHeaders.delete('authorization')
  let current = sendableUrl(String(url))
  const origin = new URL(current).origin

  for (let hop = 0; ; hop++) {
    const sendHeaders = new Headers(baseHeaders)
    if (prepared.bytes === undefined) {
      sendHeaders.delete('content-type')
    } else if (prepared.multipart || (prepared.contentType && !sendHeaders.has('content-type'))) {
      sendHeaders.set('content-type', prepared.contentType)
    }
    // Credentials only go to the origin they were made for.
    if (new URL(current).origin === origin) {
      // The core decides how the body is hashed from the Content-Type that is sent.
      const signed = signer.signWithContentType(method, current, sendHeaders.get('content-type'), prepared.bytes)
      for (const [name, value] of Object.entries(signed.headers)) sendHeaders.set(name, value)
    }

    const response = await fetch(current, {
      ...rest,
      method,
      headers: sendHeaders,
      body: prepared.bytes,
      redirect: 'manual',
    })
    const location = response.headers.get('location')
    if (![301, 302, 303, 307, 308].includes(response.status) || location === null || redirect === 'manual') {
      return response
    }
    await response.body?.cancel()
    if (redirect === 'error') {
      // What fetch itself does with `redirect: "error"`: a TypeError, no code of ours.
      throw new TypeError(`the server redirected (${response.status}) and redirect is "error"`)
    }
    if (hop + 1 > MAX_REDIRECTS) {
      throw codedError(ErrorCodes.TOO_MANY_REDIRECTS, `more than ${MAX_REDIRECTS} redirects`)
    }
    const next = sendableUrl(new URL(location, current).href)
    if (new URL(current).protocol === 'https:' && new URL(next).protocol === 'http:') {
      throw codedError(ErrorCodes.INSECURE_REDIRECT, `refusing a redirect from https to ${new URL(next).origin}`)
    }
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method !== 'HEAD')) {
      method = response.status === 303 && method === 'HEAD' ? 'HEAD' : 'GET'
      prepared = { bytes: undefined, contentType: null, multipart: false }
    }
    current = next
  }
}

const CLASSES = new Set(['PrivateKey', 'Signer', 'SignedRequest', 'MultipartForm', 'Verifier', 'BodyHasher'])
const api = {}
for (const [name, value] of Object.entries(native)) {
  if (name === '__napiBindingTarget' || name === 'errorCodeList') continue
  api[name] = CLASSES.has(name) ? guardClass(value) : typeof value === 'function' ? guarded(value) : value
}

const { MultipartForm, sendableUrl, BodyHasher } = api

/**
 * The `bodyHash` and size of a body read from a stream (a Node Readable, a web ReadableStream or
 * any async iterable of Buffers/strings), multipart by `contentType` as a server hashes it, in
 * constant memory.
 */
async function bodyHashStream(stream, contentType) {
  const hasher = new BodyHasher(contentType ?? null)
  for await (const chunk of stream) hasher.update(typeof chunk === 'string' ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
  return hasher.finish()
}

/**
 * Signs a request whose body is read from a stream (hashed in constant memory, as
 * `bodyHashStream`); the stream is consumed, so send the same bytes from their source.
 */
api.Signer.prototype.signStream = async function signStream(method, url, stream, contentType, overrides) {
  const { bodyHash } = await bodyHashStream(stream, contentType)
  return this.signBodyHash(method, url, bodyHash, overrides)
}

module.exports = { ...api, ErrorCodes, errorCodeList, bodyHashStream, signedFetch }
