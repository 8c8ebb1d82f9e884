import { parseDockerfile, parseEnv } from '../dockerfile-replay.ts'

// Reads docker-compose.yml, the Dockerfile and deploy/nginx.conf into what scripts/topology.ts starts on
// loopback, so the topology proven here is the one operators run, not a second copy of it. Pure: text in,
// plans out. The only changes are the ones a machine without Docker forces, and each is named here:
// - service host names (`postgres`, `redis`, `gateway-1`, …) become 127.0.0.1 and a free port;
// - the compose network's ranges in TRUSTED_PROXIES become 127.0.0.1 (where nginx connects from here);
// - each replica gets its own PORT and DATA_DIR (containers each have their own port 3000 and /data).

/** The parts of docker-compose.yml the topology reads. */
export interface ComposeFile {
  services: Record<string, ComposeService>
}

/** One compose service, as far as the topology reads it. */
export interface ComposeService {
  image?: string
  command?: string[]
  environment?: Record<string, string | number>
  healthcheck?: { test?: string[] }
  ports?: string[]
  volumes?: string[]
}

/** A gateway replica to start: its compose name, environment and command. */
export interface GatewayPlan {
  name: string
  env: Record<string, string>
  /** The image's CMD (`["bun", "core/main.ts"]`). */
  command: string[]
  /** The compose healthcheck command, run with the replica's env to decide it is healthy. */
  healthcheck: string[]
}

/** Where each compose service listens on this machine. */
export type LocalAddresses = Record<string, { host: string; port: number }>

/**
 * Compose's variable substitution for one value: `${NAME}`, `${NAME:-default}` (default when unset or
 * empty) and `${NAME:?message}` (an error with the message when unset or empty); `$$` is a literal `$`.
 */
export function interpolate(value: string, variables: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g,
    (match, name: string | undefined, operator: string | undefined, argument: string | undefined) => {
      if (match === '$$') return '$'
      const set = variables[name!]
      if (set !== undefined && set !== '') return set
      if (operator === ':-') return argument ?? ''
      if (operator === ':?') throw new Error(`${name}: ${argument || 'required'}`)
      return ''
    },
  )
}

/** A URL whose host is a compose service, pointed at that service's local address instead. */
function localiseUrl(value: string, addresses: LocalAddresses): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return value
  }
  const address = addresses[url.hostname]
  if (!address || !/^[a-z][a-z0-9+.-]*:\/\//.test(value)) return value
  url.hostname = address.host
  url.port = String(address.port)
  return url.toString()
}

/** The Dockerfile's runtime stage: its ENV (merged, in order) and CMD. */
export function imageDefaults(dockerfile: string): { env: Record<string, string>; command: string[] } {
  const runtime = parseDockerfile(dockerfile).at(-1)!
  const env: Record<string, string> = {}
  let command: string[] = []
  for (const instruction of runtime.instructions) {
    if (instruction.keyword === 'ENV') Object.assign(env, parseEnv(instruction.text))
    if (instruction.keyword === 'CMD') command = JSON.parse(instruction.text) as string[]
  }
  if (command.length === 0) throw new Error('Dockerfile: the runtime stage has no CMD in JSON form')
  return { env, command }
}

/** The compose services that are gateway replicas (built from this repository's image). */
export function gatewayServices(compose: ComposeFile): string[] {
  return Object.keys(compose.services).filter((name) => name.startsWith('gateway'))
}

/**
 * Each replica's environment: the image's ENV, then the compose service's environment (substituted from
 * `variables`, service hosts made local), then the per-replica PORT and DATA_DIR.
 */
export function planGateways(options: {
  compose: ComposeFile
  dockerfile: string
  variables: Record<string, string | undefined>
  addresses: LocalAddresses
  dataDir: (name: string) => string
}): GatewayPlan[] {
  const image = imageDefaults(options.dockerfile)
  return gatewayServices(options.compose).map((name) => {
    const service = options.compose.services[name]!
    const env: Record<string, string> = { ...image.env }
    for (const [key, raw] of Object.entries(service.environment ?? {})) env[key] = localiseUrl(interpolate(String(raw), options.variables), options.addresses)
    if (env.TRUSTED_PROXIES !== undefined) env.TRUSTED_PROXIES = '127.0.0.1'
    const address = options.addresses[name]
    if (!address) throw new Error(`no local address for ${name}`)
    env.PORT = String(address.port)
    env.HOST = address.host
    env.DATA_DIR = options.dataDir(name)
    const test = service.healthcheck?.test ?? []
    if (test[0] !== 'CMD' || test.length < 2) throw new Error(`docker-compose.yml: ${name} needs a healthcheck in [CMD, …] form`)
    return { name, env, command: image.command, healthcheck: test.slice(1) }
  })
}

/** The arguments compose gives redis-server (its `command` without the program name). */
export function redisArguments(compose: ComposeFile): string[] {
  const command = compose.services.redis?.command ?? []
  return command[0] === 'redis-server' ? command.slice(1) : command
}

/** The user, password and database the postgres service's image creates on first start. */
export function postgresAccount(compose: ComposeFile, variables: Record<string, string | undefined>): { user: string; password: string; database: string } {
  const env = compose.services.postgres?.environment ?? {}
  const read = (key: string, fallback: string) => (env[key] === undefined ? fallback : interpolate(String(env[key]), variables))
  const user = read('POSTGRES_USER', 'postgres')
  return { user, password: read('POSTGRES_PASSWORD', ''), database: read('POSTGRES_DB', user) }
}

/**
 * deploy/nginx.conf with its listen port and upstream servers pointed at loopback: `listen 80;` →
 * `listen <listen>;` and `server gateway-1:3000 …` → `server 127.0.0.1:<port> …`. Throws when the file
 * no longer has these lines, so a change to it cannot silently leave the topology untested.
 */
export function renderNginxConfig(text: string, options: { listen: string; addresses: LocalAddresses }): string {
  let servers = 0
  const upstreams = text.replace(/^(\s*server\s+)([A-Za-z0-9_.-]+):(\d+)(?=[\s;])/gm, (match, prefix: string, host: string) => {
    const address = options.addresses[host]
    if (!address) return match
    servers += 1
    return `${prefix}${address.host}:${address.port}`
  })
  if (servers === 0) throw new Error('deploy/nginx.conf: no upstream server names a compose service')
  let listens = 0
  const rendered = upstreams.replace(/^(\s*listen\s+)80(\s*;)/gm, (_match, prefix: string, suffix: string) => {
    listens += 1
    return `${prefix}${options.listen}${suffix}`
  })
  if (listens !== 1) throw new Error(`deploy/nginx.conf: expected one "listen 80;", found ${listens}`)
  return rendered
}

/** The main nginx.conf wrapping the rendered server file, as the nginx image's does (http { include conf.d/*.conf }). */
export function nginxMainConfig(options: { stateDir: string; serverFile: string; runAsRoot: boolean }): string {
  const dir = options.stateDir
  return [
    options.runAsRoot ? 'user root root;' : '',
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 512; }',
    'http {',
    `  access_log ${dir}/access.log;`,
    `  client_body_temp_path ${dir}/client-body;`,
    `  proxy_temp_path ${dir}/proxy;`,
    `  fastcgi_temp_path ${dir}/fastcgi;`,
    `  uwsgi_temp_path ${dir}/uwsgi;`,
    `  scgi_temp_path ${dir}/scgi;`,
    `  include ${options.serverFile};`,
    '}',
    '',
  ].join('\n')
}

/** The nginx server file the proxy service mounts into conf.d (`./deploy/nginx.conf`), relative to the compose file. */
export function nginxConfigPath(compose: ComposeFile): string {
  for (const volume of compose.services.proxy?.volumes ?? []) {
    const [source, target] = volume.split(':')
    if (source && target?.startsWith('/etc/nginx/conf.d/')) return source.replace(/^\.\//, '')
  }
  throw new Error('docker-compose.yml: the proxy service mounts no file into /etc/nginx/conf.d/')
}
