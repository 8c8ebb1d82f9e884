// What one call leaves in the gateway's memory until the next garbage collection, by kind of call:
//   bun scripts/measure-memory.ts [--calls 400] [--concurrency 10] [--database-url postgres://…] [--env NAME=value …]
// Starts a fake OpenAI upstream and the gateway process (embedded PGlite unless --database-url) with
// scripts/memory-probe.ts preloaded, warms it up, then for each kind (plain answer, whole stream, stream
// the client abandons after 4 events) makes --calls calls and reads the gateway's own figures just
// before and after (SIGUSR2 to the probe): JavaScript heap, memory outside it that JavaScriptCore
// accounts for (extraMemorySize: bodies, buffers), RSS. A collection in between shows as a drop in the
// object count and the kind is measured again. Then it prints the idle RSS by heap of mappings.
// --env NAME=value passes a setting to the gateway, to measure one suspect at a time. Not a test: the
// figures depend on the machine.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeOpenAI } from '../tests/support/fake-openai.ts'
import { gatewayEnv, startGatewayProcess, type GatewayProcess } from '../tests/support/gateway-process.ts'
import type { MemorySample } from './memory-probe.ts'
import { flag, envFlags } from './script-flags.ts'

type Kind = 'plain' | 'stream' | 'abandoned' | 'large'

/** A prompt of ~20 KB of varied words: over the token counter's inline limit, so its worker pool counts it. */
const LARGE_PROMPT = Array.from({ length: 3000 }, (_, index) => `word${(index * 7919) % 5003}`).join(' ')

const ADMIN = 'memory-admin-token-0123456789'

/** One call of a kind; an abandoned stream is cancelled after 4 data events. */
async function call(url: string, key: string, kind: Kind): Promise<void> {
  const controller = new AbortController()
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    signal: controller.signal,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream: kind === 'stream' || kind === 'abandoned',
      messages: [{ role: 'user', content: kind === 'large' ? LARGE_PROMPT : 'Say something short.' }],
    }),
  })
  if (response.status !== 200) throw new Error(`${kind}: ${response.status} ${await response.text()}`)
  if (kind !== 'abandoned') {
    await response.text()
    return
  }
  const reader = response.body!.getReader()
  let events = 0
  while (events < 4) {
    const { value, done } = await reader.read()
    if (done) return
    events += (new TextDecoder().decode(value).match(/data: /g) ?? []).length
  }
  controller.abort()
  await reader.cancel().catch(() => undefined)
}

/** Runs `count` calls, `concurrency` at a time. */
async function calls(url: string, key: string, kind: Kind, count: number, concurrency: number): Promise<void> {
  let started = 0
  const lane = async () => {
    while (started < count) {
      started++
      await call(url, key, kind)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
}

/** Asks the probe for a sample and reads it back. */
async function sample(gateway: GatewayProcess, file: string): Promise<MemorySample> {
  const before = readFileSync(file, 'utf8').length
  gateway.process.kill('SIGUSR2')
  for (let wait = 0; wait < 100; wait++) {
    await Bun.sleep(20)
    const text = readFileSync(file, 'utf8')
    if (text.length > before && text.endsWith('\n')) return JSON.parse(text.slice(before).trim().split('\n').at(-1)!) as MemorySample
  }
  throw new Error('the memory probe did not answer SIGUSR2')
}

const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1)
const kb = (bytes: number) => (bytes / 1024).toFixed(1)

if (import.meta.main) {
  const count = Number(flag('calls', '400'))
  const concurrency = Number(flag('concurrency', '10'))
  const databaseUrl = flag('database-url', '')
  const dataDir = mkdtempSync(join(tmpdir(), 'hanggent-memory-'))
  const probeFile = join(dataDir, 'probe.jsonl')
  const fake = await startFakeOpenAI({ scenario: { kind: 'stream-gap', gapMs: 5 } })
  const extra = envFlags()
  const gateway = await startGatewayProcess(
    gatewayEnv({
      DATA_DIR: dataDir,
      ROOT_ACCESS_TOKEN: ADMIN,
      CRYPTO_SECRET: 'memory-crypto-secret-0123456789',
      MEMORY_PROBE_FILE: probeFile,
      MEMORY_PROBE_MS: '600000',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...extra,
      BUN_OPTIONS: `--preload ${join(import.meta.dir, 'memory-probe.ts')}${extra.BUN_OPTIONS ? ` ${extra.BUN_OPTIONS}` : ''}`,
    }),
    120_000,
  )
  try {
    await gateway.admin(ADMIN, 'POST', '/api/channels', { name: 'fake', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
    const { key } = await gateway.admin<{ key: string }>(ADMIN, 'POST', '/api/tokens', { name: 'memory', quota: 1_000_000_000_000 })
    for (const kind of ['plain', 'stream', 'abandoned'] as const) await calls(gateway.url, key, kind, 100, concurrency)
    const warm = await sample(gateway, probeFile)
    console.log(
      `gateway on ${databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}${Object.keys(extra).length ? ` with ${JSON.stringify(extra)}` : ''}; ${count} calls per kind, ${concurrency} at a time`,
    )
    console.log('kind       heap KB/call  outside-heap KB/call  RSS KB/call  (no collection in between)')
    for (const kind of ['plain', 'stream', 'abandoned'] as const) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const before = await sample(gateway, probeFile)
        await calls(gateway.url, key, kind, count, concurrency)
        const after = await sample(gateway, probeFile)
        // A collection in between: the heap shrank; measure again.
        if (after.jsc.heapSize - after.jsc.extraMemorySize < before.jsc.heapSize - before.jsc.extraMemorySize) continue
        const per = (pick: (entry: MemorySample) => number) => kb((pick(after) - pick(before)) / count).padStart(8)
        console.log(
          `${kind.padEnd(10)} ${per((entry) => entry.jsc.heapSize - entry.jsc.extraMemorySize)}      ${per((entry) => entry.jsc.extraMemorySize)}              ${per((entry) => entry.usage.rss)}`,
        )
        break
      }
    }
    await Bun.sleep(2000)
    const idle = await sample(gateway, probeFile)
    // Prompts over the inline limit start the token counter's worker threads, each with its own tables.
    await calls(gateway.url, key, 'large', Math.max(50, count / 4), concurrency)
    const large = await sample(gateway, probeFile)
    console.log(
      `large prompts (${(LARGE_PROMPT.length / 1024).toFixed(0)} KB, ${Math.max(50, count / 4)} calls): RSS ${mb(idle.usage.rss)} -> ${mb(large.usage.rss)} MB, threads ${Object.values(idle.threads).reduce((a, b) => a + b, 0)} -> ${Object.values(large.threads).reduce((a, b) => a + b, 0)} (${JSON.stringify(large.threads)}); warm-up RSS was ${mb(warm.usage.rss)} MB`,
    )
    console.log(
      `after the load: RSS ${mb(idle.usage.rss)} MB = bun executable ${mb(idle.smaps.executable)} + JIT code ${mb(idle.smaps.jit)} + other files ${mb(idle.smaps.files)} + anonymous ${mb(idle.smaps.anonymous)} (over 8 MB: ${idle.bigAnonymous.map(([resident, virtual]) => `${mb(resident)} of ${mb(virtual)}`).join(', ')}); JS heap ${mb(idle.jsc.heapSize)} MB of which outside-heap ${mb(idle.jsc.extraMemorySize)} MB; threads ${JSON.stringify(idle.threads)}`,
    )
  } finally {
    gateway.process.kill('SIGTERM')
    await gateway.process.exited
    await fake.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
