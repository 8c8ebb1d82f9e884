import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { userInfo } from 'node:os'
import { fileURLToPath } from 'node:url'
import Redis from 'ioredis'
import { nginxMainConfig, type GatewayPlan } from './compose-plan.ts'

// Starts the compose services from Debian's packages on 127.0.0.1, each in a folder of one state
// directory, logs included: PostgreSQL (initdb + pg_ctl, set up as the postgres image does), Redis
// (redis-server with compose's arguments), gateway replicas (the image's CMD) and nginx. Each start
// returns a stop function; scripts/topology.ts calls them in reverse order.

const root = fileURLToPath(new URL('../../', import.meta.url))

/** Stops what a start function started. */
export type Stop = () => Promise<void>

const isRoot = () => userInfo().uid === 0

/** A TCP port nothing listens on right now (the kernel's pick). */
export function freePort(): number {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = listener.port
  listener.stop(true)
  return port
}

/** Polls `check` every `intervalMs` until it returns true; throws `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await Bun.sleep(intervalMs)
  }
}

/** Runs a command to its end; throws with its output when it fails. */
async function run(command: string[], options: { cwd?: string; stdin?: string; env?: Record<string, string> } = {}): Promise<string> {
  const child = Bun.spawn(command, {
    cwd: options.cwd,
    env: options.env ?? (process.env as Record<string, string>),
    stdin: options.stdin === undefined ? 'ignore' : new TextEncoder().encode(options.stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  if (code !== 0) throw new Error(`${command.join(' ')} exited ${code}:\n${out}${err}`)
  return out
}

/** The folder of PostgreSQL's server programs (initdb on PATH, else Debian's newest /usr/lib/postgresql/N/bin). */
function postgresBin(): string {
  const onPath = Bun.which('initdb')
  if (onPath) return dirname(realpathSync(onPath))
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : []
  const found = versions.map((version) => `/usr/lib/postgresql/${version}/bin`).find((bin) => existsSync(join(bin, 'initdb')))
  if (!found) throw new Error('PostgreSQL server programs not found (apt-get install -y postgresql)')
  return found
}

/** initdb refuses root: as root, PostgreSQL's programs run as the `postgres` user. */
function asPostgres(command: string[]): string[] {
  return isRoot() ? ['runuser', '-u', 'postgres', '--', ...command] : command
}

/** A folder PostgreSQL's user owns. */
function postgresFolder(path: string): void {
  mkdirSync(path, { recursive: true })
  if (!isRoot()) return
  const id = Number.parseInt(new TextDecoder().decode(Bun.spawnSync(['id', '-u', 'postgres']).stdout).trim(), 10)
  if (Number.isFinite(id)) chownSync(path, id, id)
}

/**
 * PostgreSQL as the postgres image sets it up: `user` is the superuser with `password`, host connections
 * need the password (scram-sha-256), `database` exists.
 */
export async function startPostgres(stateDir: string, port: number, account: { user: string; password: string; database: string }): Promise<Stop> {
  const bin = postgresBin()
  const folder = join(stateDir, 'postgres')
  postgresFolder(folder)
  const data = join(folder, 'data')
  const passwordFile = join(folder, 'password')
  writeFileSync(passwordFile, `${account.password}\n`, { mode: 0o644 })
  await run(
    asPostgres([
      join(bin, 'initdb'),
      '-D',
      data,
      '-U',
      account.user,
      `--pwfile=${passwordFile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]),
    { cwd: folder },
  )
  // Single-user mode creates the database before the server listens, as the image's entrypoint does.
  if (account.database !== 'postgres')
    await run(asPostgres([join(bin, 'postgres'), '--single', '-D', data, '-F', 'postgres']), { cwd: folder, stdin: `CREATE DATABASE "${account.database}";\n` })
  const settings = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${folder} -c fsync=off -c synchronous_commit=off`
  await run(asPostgres([join(bin, 'pg_ctl'), '-D', data, '-l', join(folder, 'postgres.log'), '-w', '-t', '60', '-o', settings, 'start']), { cwd: folder })
  return async () => {
    await run(asPostgres([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop']), { cwd: folder }).catch(() => undefined)
  }
}

/** redis-server with compose's arguments, bound to 127.0.0.1:`port`, its files in the state directory. */
export async function startRedis(stateDir: string, port: number, composeArguments: string[]): Promise<Stop> {
  const folder = join(stateDir, 'redis')
  mkdirSync(folder, { recursive: true })
  if (!Bun.which('redis-server')) throw new Error('redis-server is not installed (apt-get install -y redis-server)')
  const child = Bun.spawn(
    [
      'redis-server',
      ...composeArguments,
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      folder,
      '--daemonize',
      'no',
      '--logfile',
      join(folder, 'redis.log'),
    ],
    { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' },
  )
  await waitUntil(
    'Redis',
    async () => {
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      client.on('error', () => {})
      try {
        await client.connect()
        return (await client.ping()) === 'PONG'
      } finally {
        client.disconnect()
      }
    },
    20_000,
  )
  return async () => {
    child.kill('SIGTERM')
    await child.exited
  }
}

/** `bun` in an image command is this Bun (the one the image copies from the same lock file). */
function local(command: string[]): string[] {
  return command[0] === 'bun' ? [process.execPath, ...command.slice(1)] : command
}

/** One replica as the image runs it (its CMD, from this checkout), healthy once compose's healthcheck passes. */
export async function startGateway(stateDir: string, plan: GatewayPlan, timeoutMs: number): Promise<Stop> {
  mkdirSync(plan.env.DATA_DIR!, { recursive: true })
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: plan.env.DATA_DIR!, ...plan.env }
  const log = join(stateDir, `${plan.name}.log`)
  const child = Bun.spawn(local(plan.command), { cwd: root, env, stdin: 'ignore', stdout: Bun.file(`${log}.out`), stderr: Bun.file(log) })
  const stop: Stop = async () => {
    child.kill('SIGTERM')
    await child.exited
  }
  try {
    await waitUntil(
      `${plan.name} to pass its compose healthcheck (see ${log})`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${plan.name} exited with ${child.exitCode}; see ${log}`)
        const check = Bun.spawn(local(plan.healthcheck), { cwd: root, env, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' })
        return (await check.exited) === 0
      },
      timeoutMs,
      300,
    )
  } catch (error) {
    await stop()
    throw error
  }
  return stop
}

/** nginx with the rendered server file, in the foreground, answering on 127.0.0.1:`port`. */
export async function startNginx(stateDir: string, port: number, serverConfig: string): Promise<Stop> {
  const nginx = Bun.which('nginx') ?? ['/usr/sbin/nginx'].find((path) => existsSync(path))
  if (!nginx) throw new Error('nginx is not installed (apt-get install -y nginx)')
  const folder = join(stateDir, 'nginx')
  mkdirSync(folder, { recursive: true })
  chmodSync(folder, 0o755)
  const serverFile = join(folder, 'default.conf')
  const mainFile = join(folder, 'nginx.conf')
  writeFileSync(serverFile, serverConfig)
  writeFileSync(mainFile, nginxMainConfig({ stateDir: folder, serverFile, runAsRoot: isRoot() }))
  const base = [nginx, '-e', join(folder, 'error.log'), '-p', folder, '-c', mainFile]
  await run([...base, '-t'])
  const child = Bun.spawn([...base, '-g', 'daemon off;'], { stdin: 'ignore', stdout: 'ignore', stderr: Bun.file(join(folder, 'stderr.log')) })
  await waitUntil(
    `nginx on port ${port} (see ${folder}/error.log)`,
    async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}; see ${folder}/error.log`)
      return (await fetch(`http://127.0.0.1:${port}/health`)).ok
    },
    20_000,
  )
  return async () => {
    child.kill('SIGQUIT')
    await child.exited
  }
}
