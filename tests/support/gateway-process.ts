import { fileURLToPath } from 'node:url'
import type { Subprocess } from 'bun'
import { LEAST_PASSWORD_HASH_COST } from '../../core/security/password.ts'

// The gateway as an operator runs it (`bun core/main.ts`), in its own process, for tests that kill,
// restart or measure it.

const root = fileURLToPath(new URL('../..', import.meta.url))

/** A running gateway process. */
export interface GatewayProcess {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string
  process: Subprocess<'ignore', 'pipe', 'pipe'>
  /** Everything it wrote to stderr so far (its JSON log lines). */
  log(): string
  /** Everything it wrote to stdout so far (plain lines for the operator, e.g. the first-start root password). */
  output(): string
  /** Calls the admin API with the given bearer token; throws on a non-2xx answer. */
  admin<T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown): Promise<T>
}

/** The environment every test gateway process gets, plus `extra`. */
export function gatewayEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    // argon2id at OWASP's floor: a third of the CPU of the default for every hash (see testConfig).
    PASSWORD_HASH_MEMORY_KIB: String(LEAST_PASSWORD_HASH_COST.memoryKib),
    ...extra,
  }
}

/** Starts `bun core/main.ts` in `cwd` (this checkout by default, or another install of the gateway) and waits (up to `timeoutMs`) for its "gateway listening" line. */
export async function startGatewayProcess(env: Record<string, string>, timeoutMs = 30_000, cwd: string = root): Promise<GatewayProcess> {
  const child = Bun.spawn([process.execPath, 'core/main.ts'], { cwd, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  // Drained (and kept) so the child never blocks on a full pipe.
  let printed = ''
  void (async () => {
    const stdout = child.stdout.getReader()
    const stdoutDecoder = new TextDecoder()
    for (;;) {
      const { value, done } = await stdout.read()
      if (done) return
      printed += stdoutDecoder.decode(value, { stream: true })
    }
  })()
  let seen = ''
  const decoder = new TextDecoder()
  const reader = child.stderr.getReader()
  const deadline = Date.now() + timeoutMs
  let url: string | undefined
  while (!url && Date.now() < deadline) {
    const { value, done } = await reader.read()
    if (done) break
    seen += decoder.decode(value)
    const port = /"message":"gateway listening"[^\n]*"port":(\d+)/.exec(seen)?.[1]
    if (port) url = `http://127.0.0.1:${port}`
  }
  if (!url) {
    child.kill('SIGKILL')
    throw new Error(`gateway did not start:\n${seen}`)
  }
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      seen += decoder.decode(value)
    }
  })()
  const base = url
  return {
    url: base,
    process: child,
    log: () => seen,
    output: () => printed,
    async admin<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`)
      return (text === '' ? {} : JSON.parse(text)) as T
    },
  }
}

/** Creates an empty database on `baseUrl`'s server; `drop` removes it. */
export async function freshPostgresDatabase(baseUrl: string, label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: postgres } = await import('postgres')
  const name = `hanggent_${label}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}
