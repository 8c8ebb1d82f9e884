import { eq } from 'drizzle-orm'
import type { AppContext } from '../app-context.ts'
import { channels } from '../db/schema.ts'
import type { UpstreamSide } from '@hanggent/plugin-sdk'
import type { RuntimeChannel } from './channel-directory.ts'
import { resolveModelMapping } from './select-channel.ts'
import { pluginHostConfig } from '../plugin/host-config.ts'

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
function testDialect(context: AppContext, channel: RuntimeChannel): UpstreamSide | undefined {
  const transport = context.registry.channelType(channel.type)?.spec.transport
  return transport?.nativeDialects.map((dialect) => context.registry.upstreamDialect(dialect)).find((codec) => codec?.hub && codec.endpoint === 'chat')
}

/** True for the statuses `fetch` would follow by default. */
function isRedirect(status: number): boolean {
  return status >= 300 && status < 400
}

/** Why a redirected test failed: the key is never sent on to another URL, so the base URL must be fixed. */
function redirectMessage(response: Response): string {
  const location = response.headers.get('location')
  return `Upstream answered ${response.status} redirecting to ${location ?? 'another URL'}; redirects are not followed so the channel's key stays with its base URL — set the base URL the upstream redirects to`
}

/**
 * Sends the smallest useful chat call ("hi", one output token) to a channel with one of its keys,
 * and records its latency on the channel. Used by the admin "test" button and the scheduled re-tests.
 */
export async function testChannel(context: AppContext, channel: RuntimeChannel, options: { model?: string; key?: string; timeoutMs?: number } = {}): Promise<ChannelTestResult> {
  const model = options.model ?? channel.models[0] ?? ''
  const codec = testDialect(context, channel)
  const registered = context.registry.channelType(channel.type)
  const key = options.key ?? channel.allKeys[0] ?? ''
  if (!codec?.hub || !registered) return { ok: false, status: 0, latencyMs: 0, model, message: `channel type "${channel.type}" has no chat dialect to test with` }
  const upstreamModel = resolveModelMapping(channel.modelMapping, model)
  const body = codec.hub.encodeRequest({ model: upstreamModel, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, maxOutputTokens: 1 }).value
  const request = registered.spec.transport.buildRequest({
    channel: { id: channel.id, type: channel.type, baseUrl: (channel.baseUrl ?? registered.spec.defaultBaseUrl ?? '').replace(/\/+$/, ''), key, settings: channel.settings, config: pluginHostConfig(context.config) },
    dialect: codec.dialect, endpoint: 'chat', model: upstreamModel, stream: false, body,
  })
  const started = performance.now()
  let result: ChannelTestResult
  try {
    // Never follow a redirect: the request carries the channel's key, which must only reach the base URL.
    const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs ?? 20_000) })
    const text = await response.text()
    const latencyMs = Math.round(performance.now() - started)
    result = response.ok
      ? { ok: true, status: response.status, latencyMs, model, message: 'ok' }
      : { ok: false, status: response.status, latencyMs, model, message: isRedirect(response.status) ? redirectMessage(response) : codec.readUpstreamError(response.status, text).message }
  } catch (error) {
    result = { ok: false, status: 0, latencyMs: Math.round(performance.now() - started), model, message: error instanceof Error ? error.message : String(error) }
  }
  await context.database.db.update(channels).set({ testLatencyMs: result.latencyMs, testedAt: context.now() }).where(eq(channels.id, channel.id))
  return result
}
