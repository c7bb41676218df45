'use strict'
const fs = require('node:fs')
const path = require('node:path')

const testdata = path.join(__dirname, '..', '..', 'testdata')
const vectors = JSON.parse(fs.readFileSync(path.join(testdata, 'vectors', 'signing-vectors.json'), 'utf8'))
const keyPath = (name) => path.join(testdata, 'keys', name)
const keyText = (name) => fs.readFileSync(keyPath(name), 'utf8')
const b64 = (s) => Buffer.from(s, 'base64')

module.exports = { testdata, vectors, keyPath, keyText, b64 }
