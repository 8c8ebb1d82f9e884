import type { Server } from 'bun'
import type { RealtimeTransport } from '@hanggent/plugin-sdk'
import type { AppContext } from '../app-context.ts'
import { GatewayError, toGatewayError } from '../errors.ts'
import { newRequestId } from '../request-id.ts'
import type { Reservation } from '../billing/ledger.ts'
import { modelAllowed, type Caller } from '../relay/authenticate.ts'
import { clientIpOf } from '../http/client-ip.ts'
import { knownCapabilities } from '../relay/endpoint-capability.ts'
import { applyRateLimits, resolvePrice, type RelayServices } from '../relay/pipeline.ts'
import { failOpen, warnLimitStoreDown } from '../limits/limit-checks.ts'
import { relayRouteFailure } from '../relay/routes.ts'
import { logRelayError } from '../relay/settle.ts'
import type { RuntimeChannel } from '../routing/channel-directory.ts'
import { channelClient } from '../routing/channel-client.ts'
import { planAttempts, resolveModelMapping } from '../routing/select-channel.ts'
import { openHold, RealtimeBooks } from './realtime-billing.ts'
import { answeredProtocol, isWebSocketUpgrade, readRealtimeKey, requestedBeta } from './realtime-handshake.ts'
import { responseFloorUnits } from './realtime-rules.ts'
import { createRealtimeSession, type SocketHandlers } from './realtime-session.ts'
import type { RealtimeSessions, SessionSlot } from './realtime-sessions.ts'

// GET /v1/realtime?model=…: everything that can refuse a session happens before the upgrade, so a refusal is
// an HTTP answer in OpenAI's error JSON (401 bad key, 404/400 model, 429 rate or session limit, 403 quota, 502 no
// upstream): authenticate, check the model, count the handshake against the rate limits, claim a session slot, hold the floor, and open the upstream socket
// with failover across the model's channels. Only then is the client upgraded and the session bridged.

/** The model a `?intent=transcription` session without `model` is routed and billed as: the channels serving it carry the session. */
export const REALTIME_TRANSCRIPTION_MODEL = 'gpt-4o-transcribe'

/** The route path. */
export const REALTIME_PATH = '/v1/realtime'

/** A Bun route handler that may upgrade the request (it then answers nothing). */
export type UpgradeHandler = (request: Request, server: Server<SocketHandlers>) => Promise<Response | undefined>

/** A channel that can serve the session, with its realtime transport. */
export interface RealtimeCandidate {
  channel: RuntimeChannel
  transport: RealtimeTransport
}

/** The channels serving the model to the caller's group whose type has a realtime transport. */
function realtimeCandidates(context: AppContext, channels: RuntimeChannel[]): RealtimeCandidate[] {
  const found: RealtimeCandidate[] = []
  for (const channel of channels) {
    const transport = context.registry.channelType(channel.type)?.spec.realtime
    if (transport) found.push({ channel, transport })
  }
  return found
}

/** The refusal for a model the caller cannot open a session on, or the channels that can serve it (`transcription`: a transcription model, not checked for the realtime capability). */
export function routeModel(services: RelayServices, caller: Caller, model: string, transcription = false): RealtimeCandidate[] {
  const { context, directory } = services
  if (caller.token && !modelAllowed(caller.token.models, model))
    throw new GatewayError(403, 'model_not_allowed', `This API key is not allowed to use model "${model}"`, { param: 'model' })
  const capabilities = knownCapabilities(context.registry, model)
  if (!transcription && capabilities && !capabilities.includes('realtime'))
    throw new GatewayError(
      400,
      'model_not_supported',
      `The model \`${model}\` is not a realtime model, so it cannot be used on /v1/realtime; use a realtime model such as gpt-realtime.`,
      { param: 'model' },
    )
  const channels = directory.candidates(caller.group, model)
  if (channels.length === 0) {
    if (!directory.knows(caller.group, model))
      throw new GatewayError(404, 'model_not_found', `The model \`${model}\` does not exist or you do not have access to it.`, { param: 'model' })
    throw new GatewayError(503, 'no_available_channel', `No available channel for model "${model}" in group "${caller.group}"`, { param: 'model' })
  }
  const candidates = realtimeCandidates(context, channels)
  if (candidates.length === 0)
    throw new GatewayError(
      400,
      'model_not_supported',
      `The model \`${model}\` is not served over realtime sessions here: none of its channels is of a type with realtime support (OpenAI, Azure OpenAI).`,
      { param: 'model' },
    )
  return candidates
}

/** An open upstream socket, with the frames it sent so far, kept until the session takes over (`handOver`). */
interface OpenedSocket {
  socket: WebSocket
  early: Array<string | ArrayBuffer>
  /** Stops keeping frames; called in the same turn as the session starts listening, so none is lost or doubled. */
  handOver(): void
}

/** Bun's WebSocket client, whose constructor takes headers (the DOM typing it is declared with does not say so). */
const HeaderedWebSocket = WebSocket as unknown as new (url: string, options: Bun.WebSocketOptions) => WebSocket

/** Opens a WebSocket and waits for it to open; rejects with what went wrong, or after `timeoutMs`. */
function openSocket(url: string, headers: Record<string, string>, timeoutMs: number): Promise<OpenedSocket> {
  return new Promise((resolve, reject) => {
    const socket = new HeaderedWebSocket(url, { headers })
    socket.binaryType = 'arraybuffer'
    // session.created may arrive in the same tick as open: keep frames until the session takes over.
    const early: Array<string | ArrayBuffer> = []
    const keep = (event: MessageEvent<string | ArrayBuffer>) => early.push(event.data)
    socket.addEventListener('message', keep)
    const timer = setTimeout(() => {
      socket.close()
      reject(new GatewayError(504, 'upstream_timeout', `The upstream realtime socket did not open within ${Math.round(timeoutMs / 1000)} s`))
    }, timeoutMs)
    const fail = (detail: string) => {
      clearTimeout(timer)
      reject(new GatewayError(502, 'upstream_error', `The upstream refused the realtime connection (${detail})`, { retryable: true }))
    }
    socket.addEventListener('open', () => {
      clearTimeout(timer)
      resolve({ socket, early, handOver: () => socket.removeEventListener('message', keep) })
    })
    socket.addEventListener('error', () => fail('connection error'))
    socket.addEventListener('close', (event) => fail(`closed with code ${event.code}${event.reason ? `: ${event.reason}` : ''}`))
  })
}

/** Opens the upstream socket on the first channel that accepts it, in priority order with failover. */
async function connectUpstream(
  services: RelayServices,
  request: Request,
  model: string,
  candidates: RealtimeCandidate[],
  transcription: boolean,
): Promise<OpenedSocket & { candidate: RealtimeCandidate; upstreamModel: string }> {
  const { context } = services
  const clientHeaders = new Headers()
  const beta = requestedBeta(request.headers)
  if (beta) clientHeaders.set('openai-beta', beta)
  const byChannel = new Map(candidates.map((candidate) => [candidate.channel, candidate]))
  const attempts = planAttempts(
    candidates.map((candidate) => candidate.channel),
    1 + context.options.get().retryTimes,
  )
  let lastError: GatewayError | undefined
  for (const channel of attempts) {
    const candidate = byChannel.get(channel) as RealtimeCandidate
    const upstreamModel = resolveModelMapping(channel.modelMapping, model)
    const key = services.keys.pick(channel)
    const target = channelClient(context).channel({ id: channel.id, type: channel.type, baseUrl: channel.baseUrl, key, settings: channel.settings })
    try {
      const upstream = candidate.transport.connect({
        channel: target,
        model: upstreamModel,
        clientHeaders,
        ...(transcription ? { intent: 'transcription' as const } : {}),
      })
      const opened = await openSocket(upstream.url, upstream.headers, context.config.streamingTimeoutSeconds * 1000)
      services.health.recordSuccess(channel.id)
      return { ...opened, candidate, upstreamModel }
    } catch (thrown) {
      lastError = toGatewayError(thrown)
      context.logger.log('warn', 'upstream realtime connect failed', { channelId: channel.id, status: lastError.status, message: lastError.message })
      await services.health.recordFailure(channel, key, { status: 0, message: lastError.message })
    }
  }
  throw lastError ?? new GatewayError(503, 'no_available_channel', `No available channel for model "${model}"`)
}

/** The handler of GET /v1/realtime; refusals answer in OpenAI's error JSON before any upgrade. */
export function realtimeHandler(services: RelayServices, sessions: RealtimeSessions): UpgradeHandler {
  const { context } = services
  return async (request, server) => {
    const requestId = newRequestId()
    const startedAt = Date.now()
    const clientIp = clientIpOf(server, request, context.config.trustedProxies)
    let caller: Caller | undefined
    let model: string | undefined
    let slot: SessionSlot | undefined
    let hold: Reservation | undefined
    try {
      caller = await services.authenticator.authenticate(readRealtimeKey(request.headers), clientIp)
      if (!isWebSocketUpgrade(request))
        throw new GatewayError(400, 'invalid_request', 'GET /v1/realtime is a WebSocket endpoint: send an Upgrade: websocket request.')
      const query = new URL(request.url).searchParams
      // ?intent=transcription (OpenAI's transcription sessions) names no model: it goes to the transcription model.
      const transcription = query.get('intent') === 'transcription'
      model = query.get('model') ?? (transcription ? REALTIME_TRANSCRIPTION_MODEL : undefined)
      if (!model) throw new GatewayError(400, 'missing_required_parameter', 'Missing required parameter: model (GET /v1/realtime?model=…).', { param: 'model' })
      const candidates = routeModel(services, caller, model, transcription)
      // The handshake is one relay request for the per-IP and per-user-and-model rate limits; an admitted session is its success.
      const countSuccess = await applyRateLimits(context, caller, model, clientIp)
      const max = context.config.realtimeMaxSessionsPerUser
      slot = await sessions.claim(caller.user.id, max)
      if (!slot) throw new GatewayError(429, 'rate_limited', `Too many realtime sessions: this account may hold ${max} open at once. Close one and retry.`)
      const price = resolvePrice(context, model)
      const groupRatio = context.options.get().groupRatios[caller.group] ?? 1
      const floorUnits = responseFloorUnits(price, groupRatio, context.config.realtimeMinResponseTokens)
      hold = await openHold(services.ledger, caller, floorUnits)
      const upstream = await connectUpstream(services, request, model, candidates, transcription)
      const sessionId = `rt_${requestId}`
      const books = new RealtimeBooks(
        { context, ledger: services.ledger },
        { caller, sessionId, model, price, groupRatio, floorUnits, clientIp, startedAt },
        hold,
      )
      books.connectedTo(upstream.candidate.channel.id, upstream.upstreamModel)
      hold = undefined
      const session = createRealtimeSession({
        context,
        books,
        upstream: upstream.socket,
        early: upstream.early,
        transport: upstream.candidate.transport,
        transcription,
        limits: { maxBufferBytes: context.config.realtimeMaxBufferKb * 1024, idleTimeoutMs: context.config.realtimeIdleTimeoutSeconds * 1000 },
      })
      upstream.handOver()
      slot.attach(session.tracked)
      const protocol = answeredProtocol(request.headers)
      const headers: Record<string, string> = { 'x-request-id': requestId, 'x-realtime-session-id': sessionId }
      if (protocol) headers['sec-websocket-protocol'] = protocol
      if (!server.upgrade(request, { data: session.handlers, headers })) {
        await session.tracked.close(1011, 'upgrade failed')
        throw new GatewayError(400, 'invalid_request', 'The WebSocket upgrade failed.')
      }
      await failOpen(countSuccess, undefined, warnLimitStoreDown(context.logger))
      return undefined
    } catch (thrown) {
      slot?.release()
      if (hold) await services.ledger.refund(hold)
      const error = toGatewayError(thrown)
      if (caller && error.status !== 401) logRelayError(context, caller, { requestId, clientIp, model, stream: true, startedAt }, error)
      const response = relayRouteFailure(services, context.registry.dialect('openai.chat'), requestId, error)
      response.headers.set('x-request-id', requestId)
      return response
    }
  }
}
