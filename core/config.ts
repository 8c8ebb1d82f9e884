import { findInvalidIpEntry } from './security/ip-allowlist.ts'
import { DEFAULT_PASSWORD_HASH_COST, LEAST_PASSWORD_HASH_COST } from './security/password.ts'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/** Validated process configuration; everything else is a system option stored in the database. */
export const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  dataDir: Type.String({ minLength: 1 }),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  sessionSecret: Type.String({ minLength: 16 }),
  cryptoSecret: Type.String({ minLength: 16 }),
  rootPassword: Type.Optional(Type.String({ minLength: 8 })),
  rootAccessToken: Type.Optional(Type.String({ minLength: 16 })),
  streamingTimeoutSeconds: Type.Integer({ minimum: 1 }),
  /** STREAM_CONTINUATION: a stream cut after delivery is continued on a channel whose dialect continues a prefilled assistant turn (Anthropic). */
  streamContinuation: Type.Boolean(),
  maxRequestBodyMb: Type.Number({ exclusiveMinimum: 0 }),
  /** MAX_AUDIO_SECONDS: longest audio the transcription and translation routes accept, read from the file, refused before the upstream call. */
  maxAudioSeconds: Type.Number({ exclusiveMinimum: 0 }),
  streamScannerMaxBufferMb: Type.Number({ exclusiveMinimum: 0 }),
  azureDefaultApiVersion: Type.String({ minLength: 1 }),
  plugins: Type.Array(Type.String({ minLength: 1 })),
  /** Owners the operator chose for relay routes two plugins declare: `"POST /v1/chat/completions"` → plugin id. */
  pluginRouteOwners: Type.Optional(Type.Record(Type.String(), Type.String())),
  logLevel: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')]),
  shutdownGraceSeconds: Type.Integer({ minimum: 0 }),
  /** Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed (client IPs for limits, allowlists, logs). */
  trustedProxies: Type.Array(Type.String({ minLength: 1 })),
  /** Bearer token `GET /metrics` asks for; with neither it nor metricsAllowIps set, metrics are off (404). */
  metricsToken: Type.Optional(Type.String({ minLength: 16 })),
  /** Addresses or CIDR ranges allowed to scrape `GET /metrics` (checked as well as the token when both are set). */
  metricsAllowIps: Type.Array(Type.String({ minLength: 1 })),
  /** OTLP/HTTP collector base URL (OTEL_EXPORTER_OTLP_ENDPOINT); traces are off when unset. */
  otlpEndpoint: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** TASK_TIMEOUT_MINUTES: an asynchronous task unfinished this long after submit is failed and refunded; 0 never times out. */
  taskTimeoutMinutes: Type.Number({ minimum: 0 }),
  /** TASK_POLL_INTERVAL_SECONDS: how often the task poller runs (on one replica at a time). */
  taskPollIntervalSeconds: Type.Number({ exclusiveMinimum: 0 }),
  /** TASK_PROXY_RESULTS: task result files are served through the gateway (`/mj/image/{id}`), hiding upstream hosts; false links upstream URLs. */
  taskProxyResults: Type.Boolean(),
  /** REALTIME_MAX_SESSIONS_PER_USER: realtime WebSocket sessions one user may hold open at once (0: no limit). */
  realtimeMaxSessionsPerUser: Type.Integer({ minimum: 0 }),
  /** REALTIME_IDLE_TIMEOUT: seconds a realtime session may pass with no frame either way before it is closed. */
  realtimeIdleTimeoutSeconds: Type.Integer({ minimum: 1 }),
  /** REALTIME_MAX_BUFFER_KB: bytes a realtime socket may hold unsent for a slow reader before the session is closed. */
  realtimeMaxBufferKb: Type.Integer({ minimum: 16 }),
  /** REALTIME_MIN_RESPONSE_TOKENS: output tokens, at the model's output price, a balance must cover to open a session or start a response. */
  realtimeMinResponseTokens: Type.Integer({ minimum: 0 }),
  /** PASSWORD_HASH_MEMORY_KIB: memory argon2id uses for each new password hash, in KiB; OWASP's floor is 19,456 (19 MiB). */
  passwordHashMemoryKib: Type.Integer({ minimum: LEAST_PASSWORD_HASH_COST.memoryKib, maximum: 4_194_304 }),
  /** PASSWORD_HASH_TIME_COST: argon2id passes for each new password hash; at least 2, OWASP's floor at 19 MiB. */
  passwordHashTimeCost: Type.Integer({ minimum: LEAST_PASSWORD_HASH_COST.timeCost, maximum: 20 }),
})

/** The typed configuration every part of the core receives. */
export type Config = Static<typeof ConfigSchema>

/** Raised when an environment variable is missing or malformed; main prints its message and exits. */
export class ConfigError extends Error {}

type Environment = Record<string, string | undefined>

/** Maps each config field to the environment variable an operator sets, for readable error lines. */
const variableOf: Record<keyof Config, string> = {
  port: 'PORT',
  host: 'HOST',
  dataDir: 'DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  redisUrl: 'REDIS_URL',
  sessionSecret: 'SESSION_SECRET',
  cryptoSecret: 'CRYPTO_SECRET',
  rootPassword: 'ROOT_PASSWORD',
  rootAccessToken: 'ROOT_ACCESS_TOKEN',
  streamingTimeoutSeconds: 'STREAMING_TIMEOUT',
  streamContinuation: 'STREAM_CONTINUATION',
  maxRequestBodyMb: 'MAX_REQUEST_BODY_MB',
  maxAudioSeconds: 'MAX_AUDIO_SECONDS',
  streamScannerMaxBufferMb: 'STREAM_SCANNER_MAX_BUFFER_MB',
  azureDefaultApiVersion: 'AZURE_DEFAULT_API_VERSION',
  plugins: 'PLUGINS',
  pluginRouteOwners: 'PLUGIN_ROUTE_OWNERS',
  logLevel: 'LOG_LEVEL',
  shutdownGraceSeconds: 'SHUTDOWN_GRACE_SECONDS',
  trustedProxies: 'TRUSTED_PROXIES',
  metricsToken: 'METRICS_TOKEN',
  metricsAllowIps: 'METRICS_ALLOW_IPS',
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  taskTimeoutMinutes: 'TASK_TIMEOUT_MINUTES',
  taskPollIntervalSeconds: 'TASK_POLL_INTERVAL_SECONDS',
  taskProxyResults: 'TASK_PROXY_RESULTS',
  realtimeMaxSessionsPerUser: 'REALTIME_MAX_SESSIONS_PER_USER',
  realtimeIdleTimeoutSeconds: 'REALTIME_IDLE_TIMEOUT',
  realtimeMaxBufferKb: 'REALTIME_MAX_BUFFER_KB',
  realtimeMinResponseTokens: 'REALTIME_MIN_RESPONSE_TOKENS',
  passwordHashMemoryKib: 'PASSWORD_HASH_MEMORY_KIB',
  passwordHashTimeCost: 'PASSWORD_HASH_TIME_COST',
}

function numberFrom(env: Environment, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value)) throw new ConfigError(`${name}: expected a number, got "${raw}"`)
  return value
}

/** A true/false variable (also 1/0, yes/no); unset means `fallback`. */
function booleanFrom(env: Environment, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (raw === undefined || raw === '') return fallback
  if (['true', '1', 'yes'].includes(raw)) return true
  if (['false', '0', 'no'].includes(raw)) return false
  throw new ConfigError(`${name}: expected true or false, got "${env[name]}"`)
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

/** Postgres URL from DATABASE_URL, or from SQL_DSN when that holds a postgres URL (New API's variable). */
function databaseUrlFrom(env: Environment): string | undefined {
  const explicit = nonEmpty(env.DATABASE_URL)
  if (explicit) return explicit
  const legacy = nonEmpty(env.SQL_DSN)
  if (legacy && /^postgres(ql)?:\/\//.test(legacy)) return legacy
  if (legacy) throw new ConfigError(`SQL_DSN: only postgres:// URLs are supported, got "${legacy.split(':')[0]}:…"`)
  return undefined
}

/**
 * Secrets must be shared by every replica; in embedded mode a missing secret gets a stable
 * per-data-dir default so a laptop install works with no setup.
 */
function secretOrDefault(value: string | undefined, fallback: string): string {
  return nonEmpty(value) ?? fallback
}

/** TRUSTED_PROXIES as a list; an entry that is neither an address nor a CIDR range stops start-up. */
function trustedProxiesFrom(env: Environment): string[] {
  return ipListFrom(env, 'TRUSTED_PROXIES')
}

/** A comma-separated list of addresses or CIDR ranges; an entry that is neither stops start-up. */
function ipListFrom(env: Environment, name: string): string[] {
  const entries = (env[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  const invalid = findInvalidIpEntry(entries)
  if (invalid !== undefined) throw new ConfigError(`${name}: "${invalid}" is not an IP address or CIDR range`)
  return entries
}

/** PLUGIN_ROUTE_OWNERS (`METHOD /path=plugin-id`, comma-separated) as route → plugin id; a malformed entry stops start-up. */
function routeOwnersFrom(env: Environment): Record<string, string> {
  const owners: Record<string, string> = {}
  for (const entry of (env.PLUGIN_ROUTE_OWNERS ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = /^(GET|POST)\s+(\/[^\s=]*)\s*=\s*([a-z][a-z0-9-]*)$/i.exec(entry)
    if (!match) throw new ConfigError(`PLUGIN_ROUTE_OWNERS: "${entry}" is not "METHOD /path=plugin-id" (e.g. "POST /v1/chat/completions=myplugin")`)
    owners[`${match[1]!.toUpperCase()} ${match[2]!}`] = match[3]!
  }
  return owners
}

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Environment = process.env, defaults: { secret?: string } = {}): Config {
  const databaseUrl = databaseUrlFrom(env)
  if (databaseUrl && !nonEmpty(env.CRYPTO_SECRET) && !nonEmpty(env.SESSION_SECRET)) {
    throw new ConfigError('CRYPTO_SECRET: required with DATABASE_URL, since every replica must decrypt the same channel keys')
  }
  const fallbackSecret = defaults.secret ?? 'hanggent-embedded-default-secret'
  const candidate = {
    port: numberFrom(env, 'PORT', 3000),
    host: nonEmpty(env.HOST) ?? '0.0.0.0',
    dataDir: nonEmpty(env.DATA_DIR) ?? './data',
    databaseUrl,
    redisUrl: nonEmpty(env.REDIS_URL) ?? nonEmpty(env.REDIS_CONN_STRING),
    sessionSecret: secretOrDefault(env.SESSION_SECRET, fallbackSecret),
    cryptoSecret: secretOrDefault(env.CRYPTO_SECRET, nonEmpty(env.SESSION_SECRET) ?? fallbackSecret),
    rootPassword: nonEmpty(env.ROOT_PASSWORD),
    rootAccessToken: nonEmpty(env.ROOT_ACCESS_TOKEN),
    streamingTimeoutSeconds: numberFrom(env, 'STREAMING_TIMEOUT', 300),
    streamContinuation: booleanFrom(env, 'STREAM_CONTINUATION', true),
    maxRequestBodyMb: numberFrom(env, 'MAX_REQUEST_BODY_MB', 32),
    maxAudioSeconds: numberFrom(env, 'MAX_AUDIO_SECONDS', 3600),
    streamScannerMaxBufferMb: numberFrom(env, 'STREAM_SCANNER_MAX_BUFFER_MB', 64),
    azureDefaultApiVersion: nonEmpty(env.AZURE_DEFAULT_API_VERSION) ?? '2025-04-01-preview',
    plugins: (env.PLUGINS ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    pluginRouteOwners: routeOwnersFrom(env),
    logLevel: (nonEmpty(env.LOG_LEVEL) ?? 'info').toLowerCase(),
    shutdownGraceSeconds: numberFrom(env, 'SHUTDOWN_GRACE_SECONDS', 30),
    trustedProxies: trustedProxiesFrom(env),
    metricsToken: nonEmpty(env.METRICS_TOKEN),
    metricsAllowIps: ipListFrom(env, 'METRICS_ALLOW_IPS'),
    otlpEndpoint: nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT)?.replace(/\/+$/, ''),
    taskTimeoutMinutes: numberFrom(env, 'TASK_TIMEOUT_MINUTES', 1440),
    taskPollIntervalSeconds: numberFrom(env, 'TASK_POLL_INTERVAL_SECONDS', 15),
    taskProxyResults: booleanFrom(env, 'TASK_PROXY_RESULTS', true),
    realtimeMaxSessionsPerUser: numberFrom(env, 'REALTIME_MAX_SESSIONS_PER_USER', 10),
    realtimeIdleTimeoutSeconds: numberFrom(env, 'REALTIME_IDLE_TIMEOUT', 600),
    realtimeMaxBufferKb: numberFrom(env, 'REALTIME_MAX_BUFFER_KB', 1024),
    realtimeMinResponseTokens: numberFrom(env, 'REALTIME_MIN_RESPONSE_TOKENS', 100),
    passwordHashMemoryKib: numberFrom(env, 'PASSWORD_HASH_MEMORY_KIB', DEFAULT_PASSWORD_HASH_COST.memoryKib),
    passwordHashTimeCost: numberFrom(env, 'PASSWORD_HASH_TIME_COST', DEFAULT_PASSWORD_HASH_COST.timeCost),
  }
  const clean = Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== undefined))
  const firstError = Value.Errors(ConfigSchema, clean).First()
  if (firstError) {
    const field = firstError.path.split('/')[1] as keyof Config | undefined
    const variable = field ? variableOf[field] : 'configuration'
    const shown = field && !/secret|password|token/i.test(field) ? ` (got "${String(clean[field])}")` : ''
    throw new ConfigError(`${variable}: ${firstError.message}${shown}`)
  }
  return clean as Config
}
