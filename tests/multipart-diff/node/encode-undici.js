// Encodes each form of gen.py with Node's built-in FormData (undici), the way fetch() sends it.
// Forms (JSON lines) on stdin; bodies as JSON lines {"id", "contentType", "bodyBase64"} on stdout.
'use strict';
const readline = require('readline');

async function encode(form) {
  const fd = new FormData();
  for (const p of form.parts) {
    if (p.kind === 'field') {
      // A typed text part can only be a Blob, which FormData sends as a file named "blob";
      // untyped ones are plain strings.
      fd.append(p.name, p.value);
    } else {
      const blob = new Blob([Buffer.from(p.contentBase64, 'base64')], { type: p.type || '' });
      fd.append(p.name, blob, p.filename);
    }
  }
  const request = new Request('http://127.0.0.1/upload', { method: 'POST', body: fd });
  return { contentType: request.headers.get('content-type'), body: Buffer.from(await request.arrayBuffer()) };
}

async function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let refused = 0;
  for await (const line of rl) {
    if (!line.trim()) continue;
    const form = JSON.parse(line);
    let out;
    try {
      out = await encode(form);
    } catch (e) {
      refused += 1;
      continue;
    }
    process.stdout.write(JSON.stringify({ id: `${form.id}/undici`, contentType: out.contentType, bodyBase64: out.body.toString('base64') }) + '\n');
  }
  if (refused) process.stderr.write(`undici refused ${refused} forms\n`);
}

main();
