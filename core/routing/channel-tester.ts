import { eq } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { channels } from '../db/schema.ts'
import type { UpstreamDialect } from '@hanggent/plugin-sdk'
import type { RuntimeChannel } from './channel-directory.ts'
import { resolveModelMapping } from './select-channel.ts'
import { channelClient, UpstreamRedirectError } from './channel-client.ts'
import { toGatewayError } from '../errors.ts'

/** Time a test call may take, unless the caller says otherwise. */
const TEST_TIMEOUT_MS = 20_000

/** The outcome of one test call. */
export interface ChannelTestResult {
  ok: boolean
  /** Upstream HTTP status, or 0 when no answer came. */
  status: number
  latencyMs: number
  model: string
  message: string
}

/** The dialect a test call speaks: the channel's first native chat dialect that can be built from the hub. */
function testDialect(context: AppContext, channel: RuntimeChannel): UpstreamDialect | undefined {
  const transport = context.registry.channelType(channel.type)?.spec.transport
  return transport?.nativeDialects.map((dialect) => context.registry.upstreamDialect(dialect)).find((codec) => codec?.hub && codec.endpoint === 'chat')
}

/**
 * Sends the smallest useful chat call ("hi", one output token) to a channel with one of its keys,
 * and records its latency on the channel. Used by the admin "test" button and the scheduled re-tests.
 */
export async function testChannel(
  context: AppContext,
  channel: RuntimeChannel,
  options: { model?: string; key?: string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ChannelTestResult> {
  const model = options.model ?? channel.models[0] ?? ''
  const codec = testDialect(context, channel)
  const registered = context.registry.channelType(channel.type)
  const key = options.key ?? channel.allKeys[0] ?? ''
  if (!codec?.hub || !registered)
    return { ok: false, status: 0, latencyMs: 0, model, message: `channel type "${channel.type}" has no chat dialect to test with` }
  const upstreamModel = resolveModelMapping(channel.modelMapping, model)
  const body = codec.hub.encodeRequest({
    model: upstreamModel,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    stream: false,
    maxOutputTokens: 1,
  }).value
  const client = channelClient(context)
  const request = registered.spec.transport.buildRequest({
    channel: client.channel({ id: channel.id, type: channel.type, baseUrl: channel.baseUrl, key, settings: channel.settings }),
    dialect: codec.dialect,
    endpoint: 'chat',
    model: upstreamModel,
    stream: false,
    body,
  })
  const started = performance.now()
  const latency = () => Math.round(performance.now() - started)
  let result: ChannelTestResult
  try {
    const reply = await client.read(request, { timeoutMs: options.timeoutMs ?? TEST_TIMEOUT_MS, signal: options.signal, purpose: 'the channel test' })
    result =
      reply.status >= 200 && reply.status < 300
        ? { ok: true, status: reply.status, latencyMs: latency(), model, message: 'ok' }
        : { ok: false, status: reply.status, latencyMs: latency(), model, message: codec.readUpstreamError(reply.status, reply.text).message }
  } catch (error) {
    // A redirect is reported with its status (the base URL needs fixing); no answer at all is status 0.
    const status = error instanceof UpstreamRedirectError ? error.upstreamStatus : 0
    result = { ok: false, status, latencyMs: latency(), model, message: toGatewayError(error).message }
  }
  await context.database.db.update(channels).set({ testLatencyMs: result.latencyMs, testedAt: context.now() }).where(eq(channels.id, channel.id))
  return result
}
