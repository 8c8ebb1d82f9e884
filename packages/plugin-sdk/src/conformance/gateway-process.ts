// Starts the gateway the kit drives: `bun core/main.ts` of a gateway install, on an ephemeral port of
// 127.0.0.1 with an embedded database in a temporary folder, and stops it again.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A running gateway. */
export interface KitGateway {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string
  /** Admin token (ROOT_ACCESS_TOKEN) of this gateway. */
  adminToken: string
  /** Calls the admin API; throws with the status and body on a non-2xx answer. */
  admin<T>(method: string, path: string, body?: unknown): Promise<T>
  /** Its log so far (stderr). */
  log(): string
  /** SIGTERM (SIGKILL after 10 s), then removes its data folder. */
  stop(): Promise<void>
}

/** The gateway install the kit belongs to: the nearest folder above the kit that has core/main.ts. */
export function defaultGatewayRoot(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let folder = dirname(from)
  for (;;) {
    if (existsSync(join(folder, 'core', 'main.ts'))) return folder
    const parent = dirname(folder)
    if (parent === folder) return undefined
    folder = parent
  }
}

/** The Bun binary to run the gateway with: this one under Bun, else the install's own, else `bun` on PATH. */
function bunBinary(root: string): string {
  if (process.versions.bun) return process.execPath
  const local = join(root, 'node_modules', '.bin', 'bun')
  return existsSync(local) ? local : 'bun'
}

/** Starts the gateway in `root` with `plugins` as PLUGINS and waits for its "gateway listening" line. */
export async function startKitGateway(root: string, plugins: string | undefined, timeoutMs = 60_000): Promise<KitGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hanggent-conformance-'))
  const adminToken = `conformance-admin-${Math.random().toString(36).slice(2)}0123456789`
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ROOT_ACCESS_TOKEN: adminToken,
    ...(plugins ? { PLUGINS: plugins } : {}),
  }
  const child: ChildProcess = spawn(bunBinary(root), ['core/main.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start within ${timeoutMs} ms:\n${log}`)), timeoutMs)
    child.stderr!.on('data', (data: Buffer) => {
      log += data.toString('utf8')
      const port = /"message":"gateway listening"[^\n]*"port":(\d+)/.exec(log)?.[1]
      if (port) {
        clearTimeout(timer)
        resolve(`http://127.0.0.1:${port}`)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the gateway exited (code ${String(code)}) before listening:\n${log.trim()}`))
    })
  }).catch(async (error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  })
  return {
    url,
    adminToken,
    log: () => log,
    async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
      return (text === '' ? {} : JSON.parse(text)) as T
    },
    async stop() {
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(killer)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
