// Load generator of the relay bench, run by Node in its own process (never in the gateway's):
//   node scripts/bench/load.mjs <job.json>
// job: { tool: "autocannon" | "sequential", url, headers, bodyFile, connections, durationSeconds, timeoutSeconds }
// Prints one JSON line: { requests (2xx), non2xx, errors, timeouts, statusCodes, durationSeconds,
// requestsPerSecond, latencyMs: { p50, p99, max, mean } } — latencies of 2xx answers only, in fractional ms.
//
// autocannon (concurrency > 1) records latency into an HDR histogram in whole milliseconds, too coarse
// for a 0.3 ms budget; its per-response event carries the exact process.hrtime duration, which is what
// latencyMs is computed from (autocannon's own integer figures are kept as autocannonLatencyMs).
// "sequential" (concurrency 1) is our own client: one keep-alive connection, one request at a time,
// timed with performance.now() from writing the request to the last byte of the answer (streams too).
import { readFileSync } from 'node:fs'
import http from 'node:http'
import autocannon from 'autocannon'

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const body = readFileSync(job.bodyFile)

/** p50/p99/max/mean of latencies in ms (sorted in place). */
function summarise(latencies) {
  const sorted = Float64Array.from(latencies).sort()
  const at = (fraction) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)])
  const mean = sorted.length === 0 ? 0 : sorted.reduce((sum, value) => sum + value, 0) / sorted.length
  const round = (value) => Math.round(value * 1000) / 1000
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0), mean: round(mean) }
}

/** Many connections through autocannon; exact latencies from its response events. */
function runAutocannon() {
  return new Promise((resolve, reject) => {
    const latencies = []
    const instance = autocannon({
      // autocannon sets Content-Length itself; a second one makes Node's parser refuse the request, and
      // autocannon then counts neither an answer nor an error.
      url: job.url, method: 'POST', headers: job.headers, body,
      connections: job.connections, duration: job.durationSeconds, timeout: job.timeoutSeconds, pipelining: 1,
    }, (error, result) => {
      if (error) return reject(error)
      const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]))
      const requests = result['2xx']
      resolve({
        tool: 'autocannon', connections: job.connections, durationSeconds: result.duration, requests,
        non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, statusCodes,
        requestsPerSecond: Math.round((requests / result.duration) * 10) / 10,
        latencyMs: summarise(latencies),
        autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      })
    })
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
    })
  })
}

/** One request on the keep-alive connection, read to its last byte. */
function requestOnce(agent, target) {
  return new Promise((resolve) => {
    const started = performance.now()
    const request = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { ...job.headers, 'content-length': body.length } }, (response) => {
      response.on('data', () => {})
      response.on('end', () => resolve({ status: response.statusCode, ms: performance.now() - started }))
      response.on('error', () => resolve({ error: 'reset' }))
    })
    request.setTimeout(job.timeoutSeconds * 1000, () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })))
    request.on('error', (error) => resolve({ error: error.code === 'ETIMEDOUT' ? 'timeout' : 'error' }))
    request.end(body)
  })
}

/** Our own precise client: one connection, one request at a time, until the duration is over. */
async function runSequential() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const target = new URL(job.url)
  const latencies = []
  const statusCodes = {}
  let non2xx = 0
  let errors = 0
  let timeouts = 0
  const started = performance.now()
  const deadline = started + job.durationSeconds * 1000
  while (performance.now() < deadline) {
    const outcome = await requestOnce(agent, target)
    if (outcome.error === 'timeout') timeouts += 1
    else if (outcome.error) errors += 1
    else {
      statusCodes[outcome.status] = (statusCodes[outcome.status] ?? 0) + 1
      if (outcome.status >= 200 && outcome.status < 300) latencies.push(outcome.ms)
      else non2xx += 1
    }
  }
  const durationSeconds = (performance.now() - started) / 1000
  agent.destroy()
  return {
    tool: 'sequential', connections: 1, durationSeconds: Math.round(durationSeconds * 100) / 100, requests: latencies.length,
    non2xx, errors, timeouts, statusCodes, requestsPerSecond: Math.round((latencies.length / durationSeconds) * 10) / 10, latencyMs: summarise(latencies),
  }
}

const result = job.tool === 'sequential' ? await runSequential() : await runAutocannon()
process.stdout.write(`${JSON.stringify(result)}\n`)
