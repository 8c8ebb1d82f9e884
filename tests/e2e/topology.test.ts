import { describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { runTopology } from '../../scripts/topology.ts'

// docker-compose.yml's topology started from Debian's packages (scripts/topology.ts): PostgreSQL, Redis,
// both gateway replicas and nginx with deploy/nginx.conf, then the smoke test through nginx. CI installs
// nginx (.ci/run); a developer machine without it skips, saying so.

const hasNginx = Bun.which('nginx') !== null || existsSync('/usr/sbin/nginx')
const missing = [hasNginx ? '' : 'nginx', Bun.which('redis-server') ? '' : 'redis-server'].filter(Boolean)
if (missing.length > 0 && process.env.CI !== 'true')
  console.warn(`\n*** SKIPPING tests/e2e/topology.test.ts: ${missing.join(', ')} not installed (apt-get install -y ${missing.join(' ')}) ***\n`)

describe.skipIf(missing.length > 0 && process.env.CI !== 'true')('compose topology on this machine', () => {
  test('root signs in with ROOT_PASSWORD through nginx, either replica accepts the cookie, a channel change reaches both, streams arrive unbuffered', async () => {
    const report = await runTopology({ replicaTimeoutMs: 45_000 })
    expect(Object.keys(report.services).sort()).toEqual(['gateway-1', 'gateway-2', 'postgres', 'proxy', 'redis'])
    expect(report.rootSignIn).toEqual({ status: 200, sessionCookie: true })
    expect(report.sessionOnReplicas).toEqual({ 'gateway-1': 200, 'gateway-2': 200 })
    expect(report.channelChange).toEqual({
      createdOn: 'gateway-1',
      servedBy: { 'gateway-1': 200, 'gateway-2': 200 },
      disabledOn: 'gateway-2',
      refusedBy: { 'gateway-1': 503, 'gateway-2': 503 },
    })
    // The upstream pauses between its chunks; through nginx they arrive spread over the stream, not at its end.
    expect(report.streaming.reads).toBeGreaterThanOrEqual(3)
    expect(report.streaming.lastByteMs - report.streaming.firstByteMs).toBeGreaterThanOrEqual(report.streaming.upstreamGapMs * 4)
    expect(report.readyThroughNginx).toBe(200)
  }, 90_000)
})
