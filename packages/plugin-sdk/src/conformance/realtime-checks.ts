// The conformance kit's checks of realtime transports (contract 1.2, ChannelTypeSpec.realtime): the upstream
// socket of a session is a ws(s) URL on the channel's own host, carries the channel's key and never the
// client's, and the usage reader reads nothing (without throwing) from events that are not a finished response.
// The ephemeral-session request, when there is one, obeys the same rules over http(s).
import type { ChannelContext, ChannelTypeSpec, PluginDefinition, UpstreamRequest } from '../contract.ts'
import type { RealtimeTransport } from '../realtime-contract.ts'

const BASE_URL = 'https://upstream.example.test'
const CHANNEL_KEY = 'conformance-channel-key'
const CLIENT_KEY = 'conformance-client-key'

/** Events that end no response: the reader must answer undefined for each. */
const NOT_USAGE: unknown[] = [
  { type: 'session.created', session: {} },
  { type: 'response.created', response: { id: 'resp_1', usage: null } },
  { type: 'response.done' },
  null,
  'response.done',
  42,
]

function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** True when some header value holds `text`. */
function headersHold(headers: Record<string, string>, text: string): boolean {
  return Object.values(headers).some((value) => value.includes(text))
}

/** What is wrong with a built URL and headers: the wrong scheme or host, the client's key, or no channel key. */
function targetProblems(url: string, headers: Record<string, string>, schemes: string[]): string[] {
  const problems: string[] = []
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    return [`"${url}" is not an absolute URL`]
  }
  if (!schemes.includes(parsed.protocol)) problems.push(`URL "${url}" should use ${schemes.join(' or ')}`)
  if (parsed.hostname !== new URL(BASE_URL).hostname) problems.push(`URL "${url}" leaves the channel's base URL host`)
  if (url.includes(CLIENT_KEY) || headersHold(headers, CLIENT_KEY)) problems.push("forwards the client's key")
  if (!headersHold(headers, CHANNEL_KEY)) problems.push("sends no header with the channel's key")
  return problems
}

/** The synthetic channel the checks build for. */
function channelOf(spec: ChannelTypeSpec): ChannelContext {
  return { id: 1, type: spec.id, baseUrl: BASE_URL, key: CHANNEL_KEY, settings: {}, config: { azureDefaultApiVersion: '2025-04-01-preview' } }
}

/** The checks of one channel type's realtime transport. */
function transportFailures(spec: ChannelTypeSpec, transport: RealtimeTransport): string[] {
  const where = `channel type "${spec.id}" realtime`
  const failures: string[] = []
  const clientHeaders = new Headers({ authorization: `Bearer ${CLIENT_KEY}`, 'api-key': CLIENT_KEY })
  // A type whose settings require fields cannot be built without them: its fixtures must cover it instead.
  const required = (spec.settings as { required?: unknown[] }).required
  if (!Array.isArray(required) || required.length === 0) {
    try {
      const socket = transport.connect({ channel: channelOf(spec), model: 'conformance-model', clientHeaders })
      failures.push(...targetProblems(socket.url, socket.headers, ['ws:', 'wss:']).map((problem) => `${where}: connect ${problem}`))
    } catch (error) {
      failures.push(`${where}: connect threw ${describeThrown(error)}`)
    }
    if (transport.sessionRequest) {
      try {
        const request: UpstreamRequest = transport.sessionRequest({
          channel: channelOf(spec),
          kind: 'client_secrets',
          model: 'conformance-model',
          body: { session: { model: 'conformance-model' } },
          clientHeaders,
        })
        failures.push(...targetProblems(request.url, request.headers, ['http:', 'https:']).map((problem) => `${where}: sessionRequest ${problem}`))
      } catch (error) {
        failures.push(`${where}: sessionRequest threw ${describeThrown(error)}`)
      }
    }
  }
  for (const event of NOT_USAGE) {
    try {
      const read = transport.readUsage(event)
      if (read !== undefined) failures.push(`${where}: readUsage read usage from ${JSON.stringify(event)}, which ends no response`)
    } catch (error) {
      failures.push(`${where}: readUsage threw on ${JSON.stringify(event)}: ${describeThrown(error)}`)
    }
  }
  return failures
}

/** Every broken promise of the plugin's realtime transports, each naming the channel type. */
export function realtimeFailures(plugin: PluginDefinition): string[] {
  return plugin.channelTypes.flatMap((spec) => (spec.realtime ? transportFailures(spec, spec.realtime) : []))
}
