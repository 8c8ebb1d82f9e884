import type { AppContext } from '../app-context.ts'
import type { ConversionEnv, Converted, ClientDialect, InboundRequest, ModelPrice, PromptEstimateInput, StreamTapResult } from '@hanggent/plugin-sdk'
import type { HubChatRequest } from '@hanggent/plugin-sdk'
import type { HubRequestSource } from './plan-dialogue.ts'
import { checkUserModelLimits } from './rate-limits.ts'
import { checkIpLimit, failOpen, warnLimitStoreDown } from '../limits/limit-checks.ts'
import { GatewayError, toGatewayError } from '../errors.ts'
import { clientFacingError } from './client-facing-error.ts'
import type { QuotaLedger } from '../billing/ledger.ts'
import { priceEstimate } from '../billing/price-usage.ts'
import { lookupPrice } from '../billing/resolve-price.ts'
import type { ChannelDirectory } from '../routing/channel-directory.ts'
import type { KeyPicker } from '../routing/key-selection.ts'
import type { ChannelHealth } from '../routing/channel-health.ts'
import { modelAllowed, type Caller, type KeyAuthenticator } from './authenticate.ts'
import { parseJsonBody, readLimitedBody } from './read-body.ts'
import { deferrableSchema, deferredPrompt, type DeferredStrings } from './deferred-strings.ts'
import { readMediaRequest, withMeasuredQuantities, type MediaRequest } from '../media/media-request.ts'
import { binaryMediaAnswer, wholeMediaAnswer } from '../media/media-answer.ts'
import { validateBody } from './validate-body.ts'
import { callWithFailover, conversionEnv, type UpstreamPlan, type UpstreamSuccess } from './call-upstream.ts'
import { continuationFor, continuingCandidates } from './continue-stream.ts'
import type { StreamHooks } from './response-path.ts'
import { responseBody } from './relay-stream.ts'
import { CallRecord, expectedQuantities, logRelayError, type CallOutcome } from './settle.ts'
import type { InflightTracker } from './inflight.ts'
import { unservedEndpointError } from './endpoint-capability.ts'
import type { Observability } from '../observe/observability.ts'
import type { RelayProbe } from '../observe/relay-observer.ts'

/** The long-lived parts the relay uses on every request. */
export interface RelayServices {
  context: AppContext
  authenticator: KeyAuthenticator
  directory: ChannelDirectory
  ledger: QuotaLedger
  inflight: InflightTracker
  /** Picks keys of multi-key channels. */
  keys: KeyPicker
  /** Takes failing keys and channels out of rotation. */
  health: ChannelHealth
  /** Metrics and traces; `observability.observer` is undefined when both are off. */
  observability: Observability
}

/** One incoming relay request. */
export interface RelayRequest {
  request: Request
  params: Record<string, string>
  clientIp: string | undefined
  requestId: string
  /** The route pattern it arrived on, for metrics and traces (default: 'playground'). */
  route?: string
  /** The caller, for requests without a relay key (the dashboard playground, signed in as a user); default: the dialect's key. */
  authenticate?: () => Promise<Caller>
  /** Renders a failure when the dialect's own error shape is not wanted (the playground answers in the admin API's). */
  renderError?: (error: GatewayError) => Response
}

/** The model's price: the admin's USD override or ratios, else the plugin's list price, else free in self-use mode. */
export function resolvePrice(context: AppContext, model: string): ModelPrice {
  const found = lookupPrice(context.options.get(), context.registry.listPrice, model)
  if (found) return found.price
  throw new GatewayError(
    403,
    'model_price_not_configured',
    `Model "${model}" has no price configured. An administrator must set its price (or enable self-use mode) before it can be used.`,
  )
}

/** Renders an error in the codec's dialect; same-dialect upstream 4xx bodies pass through untouched. */
export function errorResponse(codec: ClientDialect, error: GatewayError): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...error.options.headers }
  if (error.options.upstreamBody !== undefined && error.status < 500) {
    try {
      JSON.parse(error.options.upstreamBody)
      return new Response(error.options.upstreamBody, { status: error.status, headers })
    } catch {
      // not JSON: render our own shape below
    }
  }
  const rendered = codec.renderError(error)
  return new Response(JSON.stringify(rendered.body), { status: rendered.status, headers })
}

/** What codecs may read of the request; the URL is parsed only if one asks for it (most never do). */
function inboundOf(relay: RelayRequest): InboundRequest {
  let url: URL | undefined
  return {
    headers: relay.request.headers,
    params: relay.params,
    get url() {
      url ??= new URL(relay.request.url)
      return url
    },
  }
}

/** Authenticate → parse → route → price → reserve → call → relay → settle → log, for one request. */
export async function handleRelay(services: RelayServices, codec: ClientDialect, relay: RelayRequest): Promise<Response> {
  const probe = services.observability.observer?.begin({ route: relay.route ?? 'playground', dialect: codec.dialect, headers: relay.request.headers })
  const finished = services.inflight.begin()
  const done = probe ? () => (finished(), probe.closed()) : finished
  const startedAt = Date.now()
  let caller: Caller | undefined
  let model: string | undefined
  let stream = false
  const render = relay.renderError ?? ((error: GatewayError) => errorResponse(codec, error))
  try {
    const inbound = inboundOf(relay)
    caller = relay.authenticate ? await relay.authenticate() : await services.authenticator.authenticate(codec.readKey(inbound), relay.clientIp)
    probe?.authenticated()
    const { context } = services
    const bytes = await readLimitedBody(relay.request, context.config.maxRequestBodyMb * 1024 * 1024)
    // A media dialect's body is a multipart form (files checked, audio measured) or JSON; every other dialect's is JSON.
    const media = codec.media
      ? await readMediaRequest(codec.media, bytes, relay.request.headers.get('content-type'), context.config.maxAudioSeconds)
      : undefined
    // A JSON body's long strings stay in its bytes until something reads them (deferred-strings.ts).
    const parsed = media ? { body: media.body } : parseJsonBody(bytes, deferrableSchema(codec.requestSchema))
    const { body } = parsed
    // The route's own check first (Gemini's method lives in the URL: an unserved one is a 501, not a body error),
    // then the body's schema, so the codec's typed reads only ever see a body that passed it.
    codec.checkRoute?.(inbound)
    validateBody(codec.requestSchema, body)
    const prompt = estimatedPrompt(codec, body, parsed.deferred, media)
    model = codec.readModel(body, inbound)
    stream = codec.readStream(body, inbound)
    const countSuccess = await applyRateLimits(context, caller, model, relay.clientIp)
    const record = await admit(services, codec, { caller, body, prompt, model, stream, relay, startedAt, probe, media })
    probe?.admitted(model, stream)
    const response = await execute({ services, codec, record, body, clientBytes: bytes, inbound, signal: relay.request.signal, done, render, probe, media })
    probe?.responded(response.status)
    if (response.status < 400) await failOpen(countSuccess, undefined, warnLimitStoreDown(context.logger))
    return response
  } catch (thrown) {
    const error = clientFacingError(services.context.logger, relay.requestId, toGatewayError(thrown))
    if (caller && error.status !== 401)
      logRelayError(services.context, caller, { requestId: relay.requestId, clientIp: relay.clientIp, model, stream, startedAt }, error)
    if (error.status >= 500)
      services.context.logger.log(error.status === 500 ? 'error' : 'warn', 'relay failed', {
        requestId: relay.requestId,
        status: error.status,
        code: error.code,
        message: error.message,
      })
    probe?.responded(error.status, error.code)
    done()
    return render(error)
  }
}

const countNothing = async () => {}

/** Per-IP and per-user-and-model limits (429 when used up); returns how to count the call as a success. Also run on realtime connects. */
export async function applyRateLimits(context: AppContext, caller: Caller, model: string, clientIp: string | undefined): Promise<() => Promise<void>> {
  const limits = context.options.get().rateLimits
  // Limits are off by default: then there is nothing to ask the limit store on every call.
  if (limits.relayPerIpPerMinute <= 0 && limits.userModelTotal <= 0 && limits.userModelSuccess <= 0 && Object.keys(limits.groupOverrides).length === 0)
    return countNothing
  const warn = (error: unknown) => context.logger.log('warn', 'rate limit store unavailable; request let through', { error: String(error) })
  await failOpen(() => checkIpLimit(context.limiter, 'relay', clientIp, limits.relayPerIpPerMinute), undefined, warn)
  return failOpen(
    () => checkUserModelLimits(context.limiter, limits, { userId: caller.user.id, group: caller.group, model }),
    async () => {},
    warn,
  )
}

/** Checks the model against the key, finds channels, prices the call and reserves its cost. */
async function admit(
  services: RelayServices,
  codec: ClientDialect,
  call: {
    caller: Caller
    body: Record<string, unknown>
    /** The prompt's estimate, and an upper bound on its texts' UTF-8 bytes when known without reading them. */
    prompt: EstimatedPrompt
    model: string
    stream: boolean
    relay: RelayRequest
    startedAt: number
    probe: RelayProbe | undefined
    /** A media call's files and measurements (ClientDialect.media). */
    media?: MediaRequest
  },
): Promise<CallRecord> {
  const { context, directory, ledger } = services
  const { caller, body, model } = call
  if (caller.token && !modelAllowed(caller.token.models, model))
    throw new GatewayError(403, 'model_not_allowed', `This API key is not allowed to use model "${model}"`, { param: 'model' })
  // A model the plugins know to lack this endpoint (a rerank model called for chat) is refused before it is routed or billed.
  const unserved = unservedEndpointError(context.registry, model, codec)
  if (unserved) throw unserved
  if (directory.candidates(caller.group, model).length === 0) {
    // As OpenAI answers for a model it does not have (or the caller may not use); a known model whose channels are all down is another matter.
    if (!directory.knows(caller.group, model))
      throw new GatewayError(404, 'model_not_found', `The model \`${model}\` does not exist or you do not have access to it.`, { param: 'model' })
    throw new GatewayError(
      503,
      'no_available_channel',
      `No available channel for model "${model}" in group "${caller.group}": every channel serving it is disabled or out of keys`,
      { param: 'model' },
    )
  }
  const price = resolvePrice(context, model)
  const groupRatio = context.options.get().groupRatios[caller.group] ?? 1
  const { prompt } = call.prompt
  const maxOutput = codec.readMaxOutputTokens(body) ?? context.options.get().defaultOutputReservationTokens
  const payer = { userId: caller.user.id, tokenId: caller.token?.id ?? null, unlimited: caller.token?.unlimited ?? false }
  // A payer whose balance dwarfs the call is held the prompt's byte count (never fewer than its tokens)
  // without tokenizing it; near the end of a balance the prompt is counted exactly, so admission stays exact.
  const quantities = expectedQuantities(prompt)
  const ceiling = priceEstimate(prompt.fixedTokens + (call.prompt.byteBound ?? promptByteCeiling(prompt.texts)), maxOutput, price, groupRatio, quantities)
  // Known balances answer at once; a payer seen for the first time is loaded here rather than in reserve.
  const spendable = ledger.spendableHint(payer) ?? (await ledger.spendable(payer))
  const rich = spendable !== undefined && spendable >= ceiling.total * RICH_MULTIPLE
  const promptEstimate = rich ? undefined : prompt.fixedTokens + (await context.tokenCounter.count(model, prompt.texts))
  const estimate = promptEstimate === undefined ? ceiling : priceEstimate(promptEstimate, maxOutput, price, groupRatio, quantities)
  const reserving = ledger.reserve(payer, estimate.total, estimate.promptOnly)
  // With Redis (replicas) a hold is a round trip on the call's path. For a payer whose balance dwarfs the call
  // the upstream call starts meanwhile: nothing of its answer reaches the client, and nothing is settled, until
  // the hold is confirmed; a refused hold aborts the upstream call and the client gets the usual refusal (execute).
  const reservation = rich && context.config.redisUrl !== undefined ? reserving : await reserving
  return new CallRecord(
    { context, ledger, probe: call.probe },
    {
      caller,
      requestId: call.relay.requestId,
      clientIp: call.relay.clientIp,
      model,
      stream: call.stream,
      startedAt: call.startedAt,
      prompt,
      promptEstimate,
      price,
      groupRatio,
      reservation,
    },
  )
}

/** A prompt's estimate; `byteBound` bounds the UTF-8 bytes of its texts when they are still in the request's bytes. */
interface EstimatedPrompt {
  prompt: PromptEstimateInput
  byteBound?: number
}

/**
 * Estimates the prompt of a validated body, then reveals its deferred strings: the estimate's texts that are
 * whole deferred strings are bounded by their bytes and read only if counted. A text with a deferred string
 * inside (a stringified tool list) is estimated again from the revealed body.
 */
function estimatedPrompt(
  codec: ClientDialect,
  body: Record<string, unknown>,
  deferred: DeferredStrings | undefined,
  media: MediaRequest | undefined,
): EstimatedPrompt {
  const estimate = withMeasuredQuantities(codec.estimatePrompt(body), media)
  if (!deferred) return { prompt: estimate }
  const lazy = deferredPrompt(estimate, deferred)
  deferred.reveal()
  return lazy ?? { prompt: withMeasuredQuantities(codec.estimatePrompt(body), media) }
}

/** A payer is rich for a call when its balance covers this many of it at the byte-count ceiling. */
const RICH_MULTIPLE = 100

/** An upper bound on the tokens of some texts: a token is at least one UTF-8 byte. */
function promptByteCeiling(texts: string[]): number {
  let bytes = 0
  for (const text of texts) bytes += Buffer.byteLength(text, 'utf8')
  return bytes
}

/** Clock and ids for converters, from the context so tests can pin them, and the call they convert (models, channel settings). */
function callEnv(context: AppContext, record: CallRecord, upstream: UpstreamSuccess): ConversionEnv {
  return conversionEnv(() => context.now().getTime(), record.call.model, upstream.dialogue.model, upstream.channel)
}

/** Decodes the client's request into the hub at most once, whatever the number of attempts. */
function hubRequestSource(codec: ClientDialect, body: Record<string, unknown>, inbound: InboundRequest): HubRequestSource {
  let decoded: Converted<HubChatRequest> | undefined
  return () => {
    if (!codec.hub) throw new GatewayError(501, 'not_implemented', `${codec.dialect} requests cannot be converted for this channel`)
    decoded ??= codec.hub.decodeRequest(body, inbound)
    return decoded
  }
}

/** An admitted call on its way upstream: what execute and the response path need. */
interface AdmittedRequest {
  services: RelayServices
  /** The client's dialect. */
  codec: ClientDialect
  record: CallRecord
  body: Record<string, unknown>
  /** The client's body as it arrived, for passthrough calls that can send it as it is. */
  clientBytes: Uint8Array<ArrayBuffer>
  inbound: InboundRequest
  /** Aborted when the client disconnects. */
  signal: AbortSignal
  /** Marks the request done for the inflight tracker (streams: once settled). */
  done: () => void
  render: (error: GatewayError) => Response
  /** Told of each upstream attempt (metrics, traces); undefined when both are off. */
  probe: RelayProbe | undefined
  /** A media call's files and measurements (ClientDialect.media). */
  media?: MediaRequest
}

/** A controller that aborts with `signal` (and its reason) as well as on its own: what AbortSignal.any does, for a fraction of its cost per call. */
function following(signal: AbortSignal): AbortController {
  const controller = new AbortController()
  if (signal.aborted) controller.abort(signal.reason)
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true })
  return controller
}

/** Calls upstream with failover and answers the client through the answering attempt's plan; settles when the answer is complete, refunds on failure. */
async function execute(request: AdmittedRequest): Promise<Response> {
  const { services, codec, record, body } = request
  const { context } = services
  let upstream: UpstreamSuccess | undefined
  // A hold still under way (see admit): its refusal stops the upstream call as a client's leaving would.
  const holding = record.call.reservation instanceof Promise ? following(request.signal) : undefined
  if (holding) void record.refusal().then((refusal) => refusal !== undefined && holding.abort())
  try {
    const plan: UpstreamPlan = {
      codec,
      body,
      clientBytes: request.clientBytes,
      model: record.call.model,
      stream: record.call.stream,
      clientSignal: holding ? holding.signal : request.signal,
      hubRequest: hubRequestSource(codec, body, request.inbound),
      keys: services.keys,
      health: services.health,
      clientHeaders: request.inbound.headers,
      candidates: services.directory.candidates(record.call.caller.group, record.call.model),
      maxAttempts: 1 + context.options.get().retryTimes,
      timeoutMs: context.config.streamingTimeoutSeconds * 1000,
      record,
      probe: request.probe,
      form: request.media && codec.media?.request === 'multipart' ? request.media.files : undefined,
      binaryAnswer: codec.media?.response === 'binary',
    }
    upstream = await callWithFailover(context, plan)
    if (holding) await record.reserved()
    const { dialogue } = upstream
    record.dropped(dialogue.warnings)
    if (dialogue.warnings.length > 0)
      context.logger.log('warn', 'conversion dropped or approximated parts of the request', { requestId: record.requestId, warnings: dialogue.warnings })
    const env = callEnv(context, record, upstream)
    if (codec.media && request.media) {
      const call = { context, media: codec.media, request: request.media, record, upstream, done: request.done }
      return codec.media.response === 'binary' ? binaryMediaAnswer(call, context.config.streamingTimeoutSeconds * 1000) : await wholeMediaAnswer(call)
    }
    if (record.call.stream) return streamResponse(request, upstream, env, plan)
    upstream.exchange.release()
    const answer = dialogue.respond.answer({ text: upstream.text ?? '', response: upstream.response }, env)
    await record.settle({ usage: answer.usage, observed: answer.observed, outcome: 'completed' })
    request.done()
    return answer.response
  } catch (thrown) {
    // A refused hold is the call's answer whatever the upstream did meanwhile; its stream, if any, is cut.
    const refusal = holding ? await record.refusal() : undefined
    // Once the upstream has answered, only an abort is the upstream's story; anything else thrown is the gateway's fault.
    const error = clientFacingError(
      context.logger,
      record.requestId,
      refusal !== undefined ? toGatewayError(refusal) : upstream?.exchange.abort.signal.aborted ? upstream.exchange.failure(thrown) : toGatewayError(thrown),
    )
    if (refusal !== undefined) upstream?.exchange.abort.abort('client')
    upstream?.exchange.release()
    await record.fail(error).catch((refundError) => context.logger.log('error', 'refund failed', { requestId: record.requestId, error: String(refundError) }))
    if (error.status >= 500)
      context.logger.log('warn', 'relay failed', { requestId: record.requestId, status: error.status, code: error.code, message: error.message })
    request.done()
    return request.render(error)
  }
}

/** Relays the answering attempt's stream through its plan; the call settles when the stream ends, however it ends. */
function streamResponse(request: AdmittedRequest, upstream: UpstreamSuccess, env: ConversionEnv, plan: UpstreamPlan): Response {
  const {
    services: { context },
    record,
  } = request
  const maxBufferBytes = context.config.streamScannerMaxBufferMb * 1024 * 1024
  upstream.exchange.stopTimer()
  const hooks: StreamHooks = {
    codec: request.codec,
    abort: upstream.exchange.abort,
    idleTimeoutMs: context.config.streamingTimeoutSeconds * 1000,
    maxBufferBytes,
    continueAfterCut: continuationHook(context, plan, upstream, record, maxBufferBytes),
    onFirstEvent: () => record.firstToken(),
    internalError: (error: unknown) => clientFacingError(context.logger, record.requestId, toGatewayError(error)),
    onEnd(result: StreamTapResult, outcome: CallOutcome, failure?: GatewayError) {
      upstream.exchange.release()
      if (failure) {
        // Nothing of the answer reached the client, only the gateway's error event: a failed call, refunded like one.
        const failed = record
          .fail(failure)
          .catch((error) => context.logger.log('error', 'refund failed', { requestId: record.requestId, error: String(error) }))
        void failed.finally(request.done)
        return
      }
      const settled = record.settle({ usage: result.usage, observed: result, outcome })
      void settled
        .catch((error) => context.logger.log('error', 'stream settlement failed', { requestId: record.requestId, error: String(error) }))
        .finally(request.done)
      return settled.then(() => undefined)
    },
  }
  const { respond } = upstream.dialogue
  const body = upstream.whole ? respond.streamWhole(upstream.whole, hooks, env) : respond.stream(responseBody(upstream.response), hooks, env)
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' },
  })
}

/**
 * How a cut stream of this call may be continued (STREAM_CONTINUATION), or undefined when no other candidate's
 * dialect continues a prefilled assistant turn: the stream then ends with the cut's error, as it always did.
 */
function continuationHook(context: AppContext, plan: UpstreamPlan, upstream: UpstreamSuccess, record: CallRecord, maxBufferBytes: number) {
  if (!context.config.streamContinuation || plan.candidates.length < 2) return undefined
  const candidates = continuingCandidates(context, plan, upstream.channel.id)
  if (candidates.length === 0) return undefined
  return continuationFor(
    {
      context,
      plan,
      record,
      cut: { channel: upstream.channel, upstreamModel: upstream.upstreamModel },
      envFor: (continued) => callEnv(context, record, continued),
      maxBufferBytes,
    },
    candidates,
  )
}
