// busboy's reading of multipart bodies, as the contract's canonical object (SIGNING.md §5).
// Input: JSON lines {"id", "contentType", "bodyBase64"} on stdin. Output: one JSON line per
// body, {"id", "canonical": "<compact JSON>", "bodyHash": "<hex>"} or {"id", "refused": "<why>"}.
// busboy 1.6 with default options except `defParamCharset: 'utf8'` (see README: with the
// default latin1, every non-ASCII name would be read as mojibake).
'use strict';
const crypto = require('crypto');
const readline = require('readline');
const busboy = require('busboy');

function jsCompare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function read(contentType, body) {
  return new Promise((resolve) => {
    let bb;
    try {
      bb = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8' });
    } catch (e) {
      resolve({ refused: String(e.message) });
      return;
    }
    const fields = [];
    const files = [];
    const pending = [];
    let refused;
    bb.on('field', (name, value) => {
      if (name === undefined) refused = refused || 'a field without a name';
      else if (value === undefined) refused = refused || `field ${name}: charset busboy cannot decode`;
      else fields.push({ name, value });
    });
    bb.on('file', (name, stream, info) => {
      const hash = crypto.createHash('sha256');
      let size = 0;
      pending.push(new Promise((done) => {
        stream.on('data', (d) => { size += d.length; hash.update(d); });
        stream.on('error', () => done());
        stream.on('end', () => {
          if (name === undefined) refused = refused || 'a file without a name';
          else if (info.filename)
            files.push({ fieldName: name, fileName: info.filename, mimeType: info.mimeType, size, sha256: hash.digest('hex') });
          done();
        });
      }));
    });
    bb.on('error', (e) => resolve({ refused: String(e.message) }));
    bb.on('close', async () => {
      await Promise.all(pending);
      if (refused) {
        resolve({ refused });
        return;
      }
      fields.sort((a, b) => jsCompare(a.name, b.name) || jsCompare(a.value, b.value));
      files.sort((a, b) => jsCompare(a.fieldName, b.fieldName) || jsCompare(a.fileName, b.fileName)
        || (a.size - b.size) || jsCompare(a.sha256, b.sha256));
      const canonical = JSON.stringify({ fields, files });
      resolve({ canonical, bodyHash: crypto.createHash('sha256').update(canonical, 'utf8').digest('hex') });
    });
    bb.end(body);
  });
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const req = JSON.parse(line);
    const out = await read(req.contentType, Buffer.from(req.bodyBase64, 'base64'));
    process.stdout.write(JSON.stringify({ id: req.id, ...out }) + '\n');
  }
}

main();
