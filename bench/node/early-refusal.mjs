// Uploads that serve refuses before reading their body, sent by Node's fetch (a measurement, not a
// test): counts the uploads whose 401 reached the caller and those that failed (EPIPE and the
// like) because the connection closed under a client still sending.
//
//   node bench/node/early-refusal.mjs http://127.0.0.1:PORT [tries = 30] [MB sizes = 20,60]
const [base, tries = '30', sizes = '20,60'] = process.argv.slice(2)
for (const mb of sizes.split(',').map(Number)) {
  const body = Buffer.alloc(mb * 1_000_000, '{')
  let answered = 0
  const failures = []
  for (let i = 0; i < Number(tries); i++) {
    try {
      const res = await fetch(`${base}/api/v1/customers`, { method: 'POST', body, headers: { 'x-api-key': 'k', authorization: 'Bearer a.b.c' } })
      await res.text()
      if (res.status === 401) answered++
    } catch (e) {
      failures.push(e.cause?.code || e.message)
    }
  }
  console.log(`${mb} MB x ${tries}: ${answered} answered 401, ${failures.length} failed ${JSON.stringify(failures.slice(0, 5))}`)
}
