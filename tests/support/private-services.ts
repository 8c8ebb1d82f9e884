import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync, statSync, truncateSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// A Redis and a PostgreSQL of a test's own, on loopback, that the test may stop and start under load
// without disturbing the shared test services other files use. PostgreSQL's initdb refuses root, so as
// root the server runs as the `postgres` user (as scripts/test-services.sh does).

/** A service the test controls. */
export interface PrivateService {
  /** Connection URL. */
  url: string
  /** Stops the server (gracefully: Redis writes its AOF, PostgreSQL finishes a fast shutdown). */
  stop(): Promise<void>
  /** Starts it again on the same port and data. */
  start(): Promise<void>
  /** Stops it for good and deletes its data. */
  destroy(): Promise<void>
}

/** A free loopback port, as the OS hands one out. */
function freePort(): number {
  const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = server.port
  server.stop(true)
  return port
}

/** Resolves once something accepts TCP connections on the port (or throws after `timeoutMs`). */
async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const open = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } }).then(
      (socket) => {
        socket.end()
        return true
      },
      () => false,
    )
    if (open) return
    await Bun.sleep(50)
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`)
}

/** A private Redis, which can also crash and lose the tail of its append-only file. */
export interface PrivateRedis extends PrivateService {
  /** Kills the server with SIGKILL (no AOF rewrite, no shutdown save). */
  kill(): Promise<void>
  /** Bytes in its newest incremental AOF file now (a mark to cut back to). */
  aofSize(): number
  /** Cuts the newest incremental AOF file back to `bytes` while the server is down: the writes a power cut loses before their fsync. */
  cutAof(bytes: number): void
}

/** A Redis with append-only persistence (fsync every second), as docker-compose.yml runs it. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'hanggent-redis-'))
  const port = freePort()
  let child: ReturnType<typeof Bun.spawn> | undefined
  const start = async () => {
    child = Bun.spawn(
      ['redis-server', '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'],
      { stdout: 'ignore', stderr: 'ignore' },
    )
    await waitForPort(port)
  }
  const stop = async () => {
    child?.kill('SIGTERM')
    await child?.exited
    child = undefined
  }
  // Redis 7 keeps a multi-part AOF: appendonlydir/<name>.<n>.base.* plus <name>.<n>.incr.aof, the writes since the base.
  const newestIncrement = () => {
    const folder = join(dir, 'appendonlydir')
    const increments = readdirSync(folder).filter((name) => name.endsWith('.incr.aof'))
    const newest = increments.sort((a, b) => Number(a.split('.').at(-3)) - Number(b.split('.').at(-3))).at(-1)
    if (!newest) throw new Error(`no incremental AOF file in ${folder}`)
    return join(folder, newest)
  }
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async kill() {
      child?.kill('SIGKILL')
      await child?.exited
      child = undefined
    },
    aofSize: () => statSync(newestIncrement()).size,
    cutAof: (bytes) => truncateSync(newestIncrement(), bytes),
    async destroy() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The directory of the PostgreSQL server binaries (initdb on PATH, else the newest Debian install). */
function postgresBin(): string {
  const onPath = Bun.which('initdb')
  if (onPath) return join(onPath, '..')
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)) : []
  const newest = versions.at(-1)
  if (!newest) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found')
  return `/usr/lib/postgresql/${newest}/bin`
}

/** Runs a PostgreSQL binary, as the `postgres` user when we are root; throws with its output on failure. */
async function runPostgres(args: string[], cwd: string): Promise<void> {
  const command = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args
  const child = Bun.spawn(command, { cwd, stdout: 'pipe', stderr: 'pipe' })
  const [code, out, err] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()])
  if (code !== 0) throw new Error(`${args.join(' ')} failed (${code}):\n${out}${err}`)
}

/** A PostgreSQL cluster of the test's own with one database, `hanggent`. */
export async function startPrivatePostgres(): Promise<PrivateService> {
  const dir = mkdtempSync(join(tmpdir(), 'hanggent-pg-'))
  chmodSync(dir, 0o777)
  const data = join(dir, 'data')
  const bin = postgresBin()
  const port = freePort()
  await runPostgres([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], dir)
  const settings = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off`
  const start = () => runPostgres([join(bin, 'pg_ctl'), '-D', data, '-l', join(dir, 'postgres.log'), '-w', '-t', '60', '-o', settings, 'start'], dir)
  const stop = () => runPostgres([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop'], dir)
  await start()
  const { default: postgres } = await import('postgres')
  const admin = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} })
  await admin.unsafe('create database hanggent')
  await admin.end()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/hanggent`,
    start,
    stop,
    async destroy() {
      await runPostgres([join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'], dir).catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
