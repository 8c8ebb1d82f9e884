import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Subprocess } from 'bun'
import { startFakeOpenAI } from '../support/fake-openai.ts'

// The gateway as an operator runs it: `bun core/main.ts` in its own process.

const root = fileURLToPath(new URL('../..', import.meta.url))
const dataDirs: string[] = []
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
})

function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hanggent-process-'))
  dataDirs.push(dir)
  return dir
}

interface Running {
  process: Subprocess<'ignore', 'pipe', 'pipe'>
  url: string
  stdout: () => string
}

const baseEnv = (dataDir: string, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  DATA_DIR: dataDir,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  ...extra,
})

/** Starts the gateway and waits for its "listening" line. */
async function startProcess(env: Record<string, string>): Promise<Running> {
  const child = Bun.spawn([process.execPath, 'core/main.ts'], { cwd: root, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  let out = ''
  let err = ''
  void (async () => {
    const stdout = child.stdout.getReader()
    for (;;) {
      const { value, done } = await stdout.read()
      if (done) return
      out += new TextDecoder().decode(value)
    }
  })()
  const reader = child.stderr.getReader()
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const { value, done } = await reader.read()
    if (done) break
    err += new TextDecoder().decode(value)
    const port = /"message":"gateway listening"[^\n]*"port":(\d+)/.exec(err)?.[1]
    if (port) {
      void (async () => {
        for (;;) if ((await reader.read()).done) break
      })()
      return { process: child, url: `http://127.0.0.1:${port}`, stdout: () => out }
    }
  }
  child.kill()
  throw new Error(`gateway did not start:\n${err}`)
}

/** Runs the gateway expecting it to refuse to start; returns exit code and output. */
async function failedStart(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const child = Bun.spawn([process.execPath, 'core/main.ts'], { cwd: root, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const code = await child.exited
  return { code, stderr: await new Response(child.stderr).text() }
}

describe('gateway process', () => {
  test('first boot creates root and prints the password once; ROOT_ACCESS_TOKEN works from the first request', async () => {
    const dataDir = freshDataDir()
    const env = baseEnv(dataDir, { ROOT_ACCESS_TOKEN: 'automation-token-0123456789' })
    const first = await startProcess(env)
    const me = await fetch(`${first.url}/api/users/me`, { headers: { authorization: 'Bearer automation-token-0123456789' } })
    expect(me.status).toBe(200)
    expect(((await me.json()) as { role: string }).role).toBe('root')
    const password = /password (\S+) \(shown once/.exec(first.stdout())?.[1]
    expect(password).toBeDefined()
    const login = await fetch(`${first.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', password }),
    })
    expect(login.status).toBe(200)
    first.process.kill('SIGTERM')
    expect(await first.process.exited).toBe(0)

    const second = await startProcess(env)
    second.process.kill('SIGTERM')
    expect(await second.process.exited).toBe(0)
    // A restart never repeats the password; while setup is pending it says where the password went.
    expect(second.stdout()).not.toContain(password!)
    expect(second.stdout()).toContain('still awaits first-run setup')
  })

  test('the gateway runs with its JavaScriptCore heap setting, in the process that was started, unless the operator set one', async () => {
    // JavaScriptCore reads BUN_JSC_* only at start: the gateway starts itself again in place (same pid) with it.
    const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
    const plain = await startProcess(baseEnv(freshDataDir()))
    expect(environOf(plain.process.pid)).toContain('BUN_JSC_heapGrowthMaxIncrease=0.75')
    expect(await fetch(`${plain.url}/health`).then((r) => r.status)).toBe(200)
    plain.process.kill('SIGTERM')
    expect(await plain.process.exited).toBe(0)

    const chosen = await startProcess(baseEnv(freshDataDir(), { BUN_JSC_heapGrowthMaxIncrease: '2' }))
    const environ = environOf(chosen.process.pid)
    expect(environ).toContain('BUN_JSC_heapGrowthMaxIncrease=2')
    expect(environ).not.toContain('BUN_JSC_heapGrowthMaxIncrease=0.75')
    chosen.process.kill('SIGTERM')
    expect(await chosen.process.exited).toBe(0)
  })

  test('a bad environment value stops the process with one line naming the variable', async () => {
    const { code, stderr } = await failedStart(baseEnv(freshDataDir(), { PORT: 'eighty', LOG_LEVEL: 'info' }))
    expect(code).toBe(1)
    expect(stderr.trim()).toBe('Configuration error: PORT: expected a number, got "eighty"')
  })

  test('a plugin with a bad manifest stops the process naming the plugin and the reason', async () => {
    const { code, stderr } = await failedStart(baseEnv(freshDataDir(), { PLUGINS: './core/plugin/__fixtures__/bad-spec-version.ts' }))
    expect(code).toBe(1)
    expect(stderr.trim()).toMatch(
      /^Plugin error: Plugin "future" \(.*bad-spec-version\.ts\): specVersion "2\.0" is not supported: this gateway accepts contract versions 1\.0 to 1\.\d+ /,
    )
  })

  test('SIGTERM lets a running stream finish, refuses new work, and flushes its usage log', async () => {
    const fake = await startFakeOpenAI()
    fake.setDefault({ kind: 'stream-gap', gapMs: 60 })
    const dataDir = freshDataDir()
    const admin = 'shutdown-admin-token-0123456789'
    const gateway = await startProcess(baseEnv(dataDir, { ROOT_ACCESS_TOKEN: admin, SHUTDOWN_GRACE_SECONDS: '20' }))
    const call = (path: string, body: unknown, key = admin) =>
      fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    expect((await call('/api/channels', { name: 'fake', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })).status).toBe(201)
    const { key } = (await (await call('/api/tokens', { name: 'k', quota: 1_000_000 })).json()) as { key: string }

    const response = await call('/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }, key)
    const reader = response.body!.getReader()
    let text = new TextDecoder().decode((await reader.read()).value)
    gateway.process.kill('SIGTERM')
    await Bun.sleep(100)
    const refused = await fetch(`${gateway.url}/health`).then(
      () => 'accepted',
      () => 'refused',
    )
    expect(refused).toBe('refused')
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    expect(text.trim().endsWith('data: [DONE]')).toBe(true)
    expect(await gateway.process.exited).toBe(0)
    await fake.stop()

    // The usage row was written before exit: read it straight from the embedded database.
    const { PGlite } = await import('@electric-sql/pglite')
    const db = new PGlite(`${dataDir}/pglite`)
    const rows = await db.query<{ type: string; is_stream: boolean; quota: number }>("select type, is_stream, quota from logs where type = 'consume'")
    await db.close()
    expect(rows.rows).toEqual([{ type: 'consume', is_stream: true, quota: expect.any(Number) }])
    expect(Number(rows.rows[0]?.quota)).toBeGreaterThan(0)
  })
})
