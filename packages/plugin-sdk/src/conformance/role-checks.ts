// The role checks of the conformance kit: each dialect entry checked for the roles it declares, with no fixture.
// The client role (routes, request schema, key reading, error rendering, the hub's client side encoding an
// answer) and the upstream role (error reading, usage reading, the hub's upstream side encoding a request) are
// checked apart, so a client-only dialect (`role: 'client'`) or an upstream-only one is checked for what it has.
// Recorded answers and streams are the codec checks' (codec-checks.ts); these are the promises every call relies on.
import {
  isClientOnlyDialect,
  type ClientDialect,
  type ClientDialectCodec,
  type DialectCodec,
  type PluginDefinition,
  type UpstreamDialect,
  type UpstreamDialectCodec,
} from '../contract.ts'
import { GatewayError } from '../errors.ts'
import type { HubChatRequest, HubResult, Usage } from '../hub.ts'

/** Describes a thrown value in one line. */
function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** The problem a call raises, or undefined when it returns; `check` judges what it returned. */
function attempt(what: string, call: () => unknown, check: (value: unknown) => string | undefined): string | undefined {
  let value: unknown
  try {
    value = call()
  } catch (error) {
    return `${what} threw ${describeThrown(error)}`
  }
  return check(value)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** True for a hub usage: the five token counts are numbers. */
function isUsage(value: unknown): value is Usage {
  return (
    isRecord(value) &&
    ['inputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'outputTokens', 'reasoningTokens'].every((name) => typeof value[name] === 'number')
  )
}

const KIT_ERROR = new GatewayError(429, 'rate_limited', 'Conformance kit: too many requests')
const KIT_RESULT: HubResult = {
  id: 'kit-1',
  model: 'conformance-model',
  created: 1_735_689_600,
  choices: [{ index: 0, content: [{ type: 'text', text: 'hello' }], finishReason: 'stop' }],
  usage: { inputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: 0 },
}
const KIT_REQUEST: HubChatRequest = { model: 'conformance-model', messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }], stream: false }
const KIT_ENV = { now: () => 1_735_689_600_000, newId: (prefix: string) => `${prefix}kit` }

/** What the client role promises: well-formed routes, a schema, a key reader, errors rendered with their status, an answer encoded. */
export function clientRoleProblems(dialect: ClientDialect): string[] {
  const problems: string[] = []
  for (const route of dialect.routes) {
    if ((route.method !== 'GET' && route.method !== 'POST') || typeof route.path !== 'string' || !route.path.startsWith('/'))
      problems.push(`route ${JSON.stringify(route)} must be a GET or POST with a path starting with "/"`)
  }
  if (!isRecord(dialect.requestSchema)) problems.push('requestSchema must be a schema object')
  const request = { headers: new Headers(), url: new URL('http://127.0.0.1/conformance'), params: {} }
  const found = [
    attempt(
      'readKey (a request without a key)',
      () => dialect.readKey(request),
      (key) => (key === undefined || typeof key === 'string' ? undefined : `readKey answered ${JSON.stringify(key)}: expected a string or undefined`),
    ),
    attempt(
      'renderError',
      () => dialect.renderError(KIT_ERROR),
      (rendered) =>
        isRecord(rendered) && rendered.status === KIT_ERROR.status
          ? undefined
          : `renderError answered ${JSON.stringify(rendered)} for a 429: expected { status: 429, body }`,
    ),
    attempt(
      'renderStreamError',
      () => dialect.renderStreamError(KIT_ERROR),
      (events) =>
        Array.isArray(events) && events.every((event) => isRecord(event) && typeof event.data === 'string')
          ? undefined
          : `renderStreamError answered ${JSON.stringify(events)}: expected SSE events with string data`,
    ),
  ]
  const hub = dialect.hub
  if (hub)
    found.push(
      attempt(
        'hub.encodeResult',
        () => hub.encodeResult(KIT_RESULT, KIT_ENV),
        (body) => (body === undefined ? 'hub.encodeResult answered nothing for a one-text answer' : undefined),
      ),
    )
  return [...problems, ...found.filter((problem): problem is string => problem !== undefined)]
}

/** What the upstream role promises: an error message from any body, usage or nothing from an empty usage member, a request encoded. */
export function upstreamRoleProblems(dialect: UpstreamDialect): string[] {
  const found = [
    ...[
      [502, '<html>Bad Gateway</html>'],
      [500, ''],
    ].map(([status, body]) =>
      attempt(
        `readUpstreamError(${status}, ${JSON.stringify(body)})`,
        () => dialect.readUpstreamError(status as number, body as string),
        (read) =>
          isRecord(read) && typeof read.message === 'string' ? undefined : `readUpstreamError answered ${JSON.stringify(read)}: expected { message: string }`,
      ),
    ),
  ]
  const decodeUsage = dialect.decodeUsage
  if (decodeUsage) {
    if (dialect.usageMember === undefined) found.push('decodeUsage is given but usageMember is not: the gateway would never call it')
    found.push(
      attempt(
        'decodeUsage({})',
        () => decodeUsage.call(dialect, {}),
        (usage) => (usage === undefined || isUsage(usage) ? undefined : `decodeUsage({}) answered ${JSON.stringify(usage)}: expected undefined or a Usage`),
      ),
    )
  }
  const hub = dialect.hub
  if (hub)
    found.push(
      attempt(
        'hub.encodeRequest',
        () => hub.encodeRequest(KIT_REQUEST),
        (encoded) =>
          isRecord(encoded) && isRecord(encoded.value) && Array.isArray(encoded.warnings)
            ? undefined
            : `hub.encodeRequest answered ${JSON.stringify(encoded)} for a one-message request: expected { value: object, warnings: [] }`,
      ),
    )
  return found.filter((problem): problem is string => problem !== undefined)
}

/** True for an entry with the client role: it declares routes (both roles, or `role: 'client'`). */
function hasClientRole(entry: DialectCodec | ClientDialectCodec | UpstreamDialectCodec): entry is DialectCodec | ClientDialectCodec {
  return 'routes' in entry && Array.isArray(entry.routes)
}

/** Every dialect entry's broken role promises, each naming the dialect and the role; a role the entry does not declare is not checked. */
export function roleFailures(plugin: PluginDefinition): string[] {
  const failures: string[] = []
  for (const entry of plugin.dialects) {
    const client = hasClientRole(entry) ? entry : undefined
    const upstream = isClientOnlyDialect(entry) ? undefined : entry
    if (client) failures.push(...clientRoleProblems(client).map((problem) => `dialect "${entry.dialect}" (client role): ${problem}`))
    if (upstream) failures.push(...upstreamRoleProblems(upstream).map((problem) => `dialect "${entry.dialect}" (upstream role): ${problem}`))
  }
  return failures
}
