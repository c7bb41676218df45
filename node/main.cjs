'use strict'
// The package's CommonJS entry: the native addon plus `signedFetch`, a thin `fetch` wrapper.
// No canonicalization or signing happens here: URLs, hashes, multipart and tokens all come from
// the Rust core through the addon.

const native = require('./index.js')

const { MultipartForm, sendableUrl } = native

const MAX_REDIRECTS = 20

function codedError(code, message) {
  const err = new Error(message)
  err.code = code
  return err
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
      'UNSUPPORTED_BODY',
      'signedFetch cannot sign or replay a ReadableStream body: pass a Buffer, string, FormData or MultipartForm',
    )
  }
  if (typeof body[Symbol.asyncIterator] === 'function' || typeof body.pipe === 'function') {
    throw codedError('UNSUPPORTED_BODY', 'signedFetch cannot sign or replay a streamed body: pass the bytes')
  }
  throw codedError('UNSUPPORTED_BODY', `signedFetch cannot sign a body of type ${Object.prototype.toString.call(body)}`)
}

function sign(signer, method, url, prepared) {
  if (prepared.multipart) {
    // Hash the exact encoded bytes that will be sent (the core parses them back).
    return signer.signMultipartWire(method, url, prepared.contentType, prepared.bytes)
  }
  return signer.sign(method, url, prepared.bytes)
}

/**
 * `fetch` that signs the final URL and body bytes of every request it sends, following
 * redirects itself (re-signed, fresh jti) within the same origin.
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
    const signed = sign(signer, method, current, prepared)
    const sendHeaders = new Headers(baseHeaders)
    if (prepared.bytes === undefined) {
      sendHeaders.delete('content-type')
    } else if (prepared.multipart || (prepared.contentType && !sendHeaders.has('content-type'))) {
      sendHeaders.set('content-type', prepared.contentType)
    }
    for (const [name, value] of Object.entries(signed.headers)) sendHeaders.set(name, value)

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
    if (redirect === 'error') {
      throw codedError('REDIRECT_REFUSED', `the server redirected (${response.status}) and redirect is "error"`)
    }
    if (hop + 1 > MAX_REDIRECTS) {
      throw codedError('TOO_MANY_REDIRECTS', `more than ${MAX_REDIRECTS} redirects`)
    }
    const next = sendableUrl(new URL(location, current).href)
    if (new URL(next).origin !== origin) {
      // The API key and a signed token must not leave the origin they were meant for.
      throw codedError(
        'REDIRECT_CROSS_ORIGIN',
        `refusing to send signed credentials to ${new URL(next).origin} after a redirect from ${origin}`,
      )
    }
    await response.body?.cancel()
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method !== 'HEAD')) {
      method = response.status === 303 && method === 'HEAD' ? 'HEAD' : 'GET'
      prepared = { bytes: undefined, contentType: null, multipart: false }
    }
    current = next
  }
}

const { __napiBindingTarget: _loaded, ...api } = native

module.exports = { ...api, signedFetch }
