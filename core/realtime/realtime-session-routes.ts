import { Elysia } from 'elysia'
import { isRecord, type RealtimeSessionKind } from '@hanggent/plugin-sdk'
import { GatewayError, toGatewayError } from '../errors.ts'
import type { Reservation } from '../billing/ledger.ts'
import { priceUsage } from '../billing/price-usage.ts'
import type { Caller } from '../relay/authenticate.ts'
import { clientIpOf } from '../http/client-ip.ts'
import { resolvePrice, type RelayServices } from '../relay/pipeline.ts'
import { parseJsonObject, readLimitedBody } from '../relay/read-body.ts'
import { relayRouteFailure, requestIdOf } from '../relay/routes.ts'
import { logRelayError } from '../relay/settle.ts'
import { channelClient } from '../routing/channel-client.ts'
import { planAttempts, resolveModelMapping } from '../routing/select-channel.ts'
import { payerOf } from './realtime-billing.ts'
import { readRealtimeKey, requestedBeta } from './realtime-handshake.ts'
import { routeModel, type RealtimeCandidate } from './realtime-route.ts'

// POST /v1/realtime/sessions, /v1/realtime/transcription_sessions and /v1/realtime/client_secrets: the client
// asks for an ephemeral key to open its own session with the provider (WebRTC from a browser). The call is
// relayed as JSON with the channel's key, and the provider's answer (the ephemeral secret) returned as it is.
// The session itself then runs between the client and the provider: its usage never passes the gateway, so it
// cannot be metered (docs/realtime.md). The call is billed only when the model's price has a per-call part.

/** The endpoints, by path. */
const SESSION_PATHS: Record<string, RealtimeSessionKind> = {
  '/v1/realtime/sessions': 'sessions',
  '/v1/realtime/transcription_sessions': 'transcription_sessions',
  '/v1/realtime/client_secrets': 'client_secrets',
}

/** The model a session request names: `model`, `session.model` (client secrets), or the transcription model. */
export function sessionModel(kind: RealtimeSessionKind, body: Record<string, unknown>): string | undefined {
  const session = isRecord(body.session) ? body.session : undefined
  const candidates =
    kind === 'client_secrets'
      ? [session?.model]
      : kind === 'transcription_sessions'
        ? [body.model, isRecord(body.input_audio_transcription) ? body.input_audio_transcription.model : undefined]
        : [body.model]
  const found = candidates.find((value): value is string => typeof value === 'string' && value !== '')
  return found
}

/** The body with the upstream model in place of the client's. */
function withModel(kind: RealtimeSessionKind, body: Record<string, unknown>, model: string, upstreamModel: string): Record<string, unknown> {
  if (model === upstreamModel) return body
  if (kind === 'client_secrets' && isRecord(body.session)) return { ...body, session: { ...body.session, model: upstreamModel } }
  if (typeof body.model === 'string') return { ...body, model: upstreamModel }
  return body
}

/** Relays one session request with failover on network faults and 5xx; a 4xx answer is the client's. */
async function relaySessionRequest(
  services: RelayServices,
  call: { kind: RealtimeSessionKind; body: Record<string, unknown>; model: string; headers: Headers; signal: AbortSignal },
  candidates: RealtimeCandidate[],
): Promise<{ status: number; text: string; channelId: number; upstreamModel: string }> {
  const { context } = services
  const clientHeaders = new Headers()
  const beta = requestedBeta(call.headers)
  if (beta) clientHeaders.set('openai-beta', beta)
  const usable = candidates.filter((candidate) => candidate.transport.sessionRequest)
  if (usable.length === 0) throw new GatewayError(501, 'not_implemented', `No channel serving "${call.model}" can create ephemeral realtime sessions`)
  const byChannel = new Map(usable.map((candidate) => [candidate.channel, candidate]))
  let lastError: GatewayError | undefined
  for (const channel of planAttempts(
    usable.map((candidate) => candidate.channel),
    1 + context.options.get().retryTimes,
  )) {
    const transport = (byChannel.get(channel) as RealtimeCandidate).transport
    const upstreamModel = resolveModelMapping(channel.modelMapping, call.model)
    const key = services.keys.pick(channel)
    const client = channelClient(context)
    const request = transport.sessionRequest?.({
      channel: client.channel({ id: channel.id, type: channel.type, baseUrl: channel.baseUrl, key, settings: channel.settings }),
      kind: call.kind,
      model: upstreamModel,
      body: withModel(call.kind, call.body, call.model, upstreamModel),
      clientHeaders,
    })
    if (!request) continue
    try {
      const answer = await client.read(request, {
        timeoutMs: context.config.streamingTimeoutSeconds * 1000,
        signal: call.signal,
        purpose: 'the realtime session request',
      })
      if (answer.status >= 500) throw new GatewayError(502, 'upstream_error', `The upstream answered HTTP ${answer.status}`, { retryable: true })
      if (answer.status < 400) services.health.recordSuccess(channel.id)
      return { status: answer.status, text: answer.text, channelId: channel.id, upstreamModel }
    } catch (thrown) {
      lastError = toGatewayError(thrown)
      await services.health.recordFailure(channel, key, { status: 0, message: lastError.message })
      if (!lastError.options.retryable && lastError.status !== 502) throw lastError
    }
  }
  throw lastError ?? new GatewayError(503, 'no_available_channel', `No available channel for model "${call.model}"`)
}

/** The usage row of a session request: its per-call charge when the price has one, else a zero row saying the session is not metered. */
function sessionRow(caller: Caller, call: { kind: RealtimeSessionKind; model: string; requestId: string; clientIp?: string; startedAt: number }) {
  return {
    type: 'consume' as const,
    userId: caller.user.id,
    username: caller.user.username,
    tokenId: caller.token?.id ?? null,
    tokenName: caller.token?.name ?? '',
    model: call.model,
    latencyMs: Date.now() - call.startedAt,
    isStream: false,
    requestId: call.requestId,
    ip: call.clientIp,
    group: caller.group,
    statusCode: 200,
    content: `realtime ${call.kind}: ephemeral key issued; the session's own usage is not visible to the gateway`,
    details: { realtime: { kind: call.kind, metered: false } },
    createdAt: new Date(),
    quota: 0,
  }
}

/** Mounts the three ephemeral-session routes. */
export function realtimeSessionRoutes(services: RelayServices) {
  const { context } = services
  const app = new Elysia({ name: 'realtime-session-routes' })
  for (const [path, kind] of Object.entries(SESSION_PATHS)) {
    app.post(
      path,
      async ({ request, server, set }) => {
        const requestId = requestIdOf(set)
        const startedAt = Date.now()
        const clientIp = clientIpOf(server, request, context.config.trustedProxies)
        let caller: Caller | undefined
        let model: string | undefined
        let hold: Reservation | undefined
        try {
          caller = await services.authenticator.authenticate(readRealtimeKey(request.headers), clientIp)
          const body = parseJsonObject(await readLimitedBody(request, context.config.maxRequestBodyMb * 1024 * 1024))
          model = sessionModel(kind, body)
          if (!model)
            throw new GatewayError(400, 'missing_required_parameter', `Missing required parameter: ${kind === 'client_secrets' ? 'session.model' : 'model'}.`, {
              param: 'model',
            })
          const candidates = routeModel(services, caller, model, kind === 'transcription_sessions')
          const price = resolvePrice(context, model)
          const groupRatio = context.options.get().groupRatios[caller.group] ?? 1
          // Only a per-call price can be charged: the tokens of the session are spent where the gateway cannot see them.
          const perCallUnits =
            price.perCall === undefined
              ? 0
              : priceUsage({ inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 }, price, groupRatio).units
          if (perCallUnits > 0) hold = await services.ledger.reserve(payerOf(caller), perCallUnits, perCallUnits)
          const answer = await relaySessionRequest(services, { kind, body, model, headers: request.headers, signal: request.signal }, candidates)
          const row = {
            ...sessionRow(caller, { kind, model, requestId, clientIp, startedAt }),
            channelId: answer.channelId,
            upstreamModel: answer.upstreamModel,
          }
          if (answer.status >= 400) {
            if (hold) await services.ledger.refund(hold)
            hold = undefined
          } else if (hold) {
            await services.ledger.settle(hold, perCallUnits, {
              ...row,
              quota: perCallUnits,
              details: { realtime: { kind, metered: false }, perCall: price.perCall },
            })
            hold = undefined
          } else context.logWriter.write(row)
          return new Response(answer.text, { status: answer.status, headers: { 'content-type': 'application/json' } })
        } catch (thrown) {
          if (hold) await services.ledger.refund(hold)
          const error = toGatewayError(thrown)
          if (caller && error.status !== 401) logRelayError(context, caller, { requestId, clientIp, model, stream: false, startedAt }, error)
          return relayRouteFailure(services, context.registry.dialect('openai.chat'), requestId, error)
        }
      },
      { parse: 'none', detail: { hide: true } },
    )
  }
  return app
}
