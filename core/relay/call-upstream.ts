import type { AppContext } from '../app-context.ts'
import type { ClientDialect } from '@hanggent/plugin-sdk'
import { errorDetail, GatewayError, toGatewayError } from '../errors.ts'
import { planAttempts, resolveModelMapping } from '../routing/select-channel.ts'
import type { RuntimeChannel } from '../routing/channel-directory.ts'
import { channelSecrets, mapUpstreamFailure, redactSecrets, retryableStatuses } from './upstream-failure.ts'
import { hubFallbackAvailable, planDialogue, type Dialogue, type HubRequestSource } from './plan-dialogue.ts'
import type { KeyPicker } from '../routing/key-selection.ts'
import type { ChannelHealth } from '../routing/channel-health.ts'
import type { CallRecord } from './settle.ts'
import type { RelayProbe } from '../observe/relay-observer.ts'
import { baseUrlOf, channelClient, UpstreamRedirectError, type UpstreamExchange } from '../routing/channel-client.ts'
import { awaitFirstEvent, type FirstEventCheck } from './first-event.ts'
import { type ConversionEnv, type FormFile, type HubResult, isMalformedStreamEvent } from '@hanggent/plugin-sdk'
import { errorStatusOfOkAnswer } from './ok-error.ts'
import { looksLikeJsonObject } from './json-member.ts'
import { randomKey } from '../security/crypto.ts'
import { withMultipartBody } from '../media/multipart-form.ts'

/** A successful upstream response and what it took to get it. */
export interface UpstreamSuccess {
  response: Response
  channel: RuntimeChannel
  upstreamModel: string
  /** Passthrough or conversion, and the body that was sent. */
  dialogue: Dialogue
  /** The whole answer of a non-stream call, read inside the attempt so a broken body can fail over. */
  text?: string
  /** A stream call the upstream answered whole (it ignored `stream`): that answer, decoded, for the client to get as a stream. */
  whole?: HubResult
  /** The request's controls: abort (client gone, idle timeout), stop the answer timer, release. */
  exchange: UpstreamExchange
}

/** The inputs of one relayed call. */
export interface UpstreamPlan {
  codec: ClientDialect
  body: Record<string, unknown>
  /** The client's body as it arrived, for passthrough calls that can send it as it is. */
  clientBytes?: Uint8Array<ArrayBuffer>
  model: string
  stream: boolean
  candidates: RuntimeChannel[]
  maxAttempts: number
  /** Aborted when the client disconnects. */
  clientSignal: AbortSignal
  /** Time allowed for the upstream to answer (headers, or the whole body for non-streams). */
  timeoutMs: number
  /** The client's request in hub form, decoded on first need. */
  hubRequest: HubRequestSource
  /** The client's request headers, offered to transports on passthrough. */
  clientHeaders: Headers
  /** The call's record, told which channel is about to be tried so logs name it; its request id ties the process log to the call. */
  record?: Pick<CallRecord, 'attempting' | 'requestId'>
  /** Picks a key of multi-key channels. */
  keys: KeyPicker
  /** Takes failing keys and channels out of rotation. */
  health?: ChannelHealth
  /** Told of each attempt and how it ended (metrics, traces); its headers (traceparent) go upstream. */
  probe?: RelayProbe
  /** A multipart media call's files: the prepared body's fields and these go upstream as multipart/form-data (ClientDialect.media). */
  form?: readonly FormFile[]
  /** The answer is binary and relayed as it arrives (speech): never read whole inside the attempt. */
  binaryAnswer?: boolean
  /** Every attempt goes through the hub, even to a channel that speaks the client's dialect (a stream's continuation). */
  viaHub?: boolean
  /** The body (and URL) sent to one channel, changed: a continuation marks its prefill as the channel's vendor asks. */
  reshape?(channel: RuntimeChannel, body: Record<string, unknown>, dialect: string): { body: Record<string, unknown>; url?: string }
}

/** Tries channels in priority order until one answers 2xx or a non-retryable failure ends the call. */
export async function callWithFailover(context: AppContext, plan: UpstreamPlan): Promise<UpstreamSuccess> {
  const attempts = planAttempts(plan.candidates, plan.maxAttempts)
  let lastError: GatewayError | undefined
  for (const channel of attempts) {
    if (plan.clientSignal.aborted) throw new GatewayError(499, 'client_closed_request', 'Client closed the request')
    const tried = plan.probe?.attempt({ id: channel.id, type: channel.type, upstreamModel: resolveModelMapping(channel.modelMapping, plan.model) })
    try {
      const success = await attempt(context, plan, channel, plan.viaHub === true, tried?.headers)
      tried?.end({ status: success.response.status, ok: true })
      return success
    } catch (error) {
      lastError = toGatewayError(error)
      tried?.end({ status: lastError.status, ok: false, code: lastError.code })
      // The admin's record of the attempt: which channel, and what the client was not told (the error's cause).
      context.logger.log('warn', 'upstream attempt failed', {
        requestId: plan.record?.requestId,
        channelId: channel.id,
        channelName: channel.name,
        status: lastError.status,
        code: lastError.code,
        message: lastError.message,
        ...(lastError.options.cause === undefined ? {} : { detail: errorDetail(lastError) }),
      })
      if (!lastError.options.retryable) throw lastError
    }
  }
  throw lastError ?? new GatewayError(503, 'no_available_channel', `No available channel for model "${plan.model}"`)
}

/** The status the gateway acts on: the channel's statusCodeMapping may turn e.g. a 400 into a retryable 500. */
export function mappedStatus(mapping: Record<string, string>, status: number): number {
  const mapped = Number(mapping[String(status)])
  return Number.isInteger(mapped) && mapped >= 100 && mapped <= 599 ? mapped : status
}

/** One call to one channel; `viaHub` is the retry of a passthrough the upstream answered 404 (see hubFallbackAvailable); `traceHeaders` go upstream as well. */
async function attempt(
  context: AppContext,
  plan: UpstreamPlan,
  channel: RuntimeChannel,
  viaHub = false,
  traceHeaders?: Record<string, string>,
): Promise<UpstreamSuccess> {
  const registered = context.registry.channelType(channel.type)
  if (!registered)
    throw new GatewayError(500, 'internal_error', `Channel "${channel.name}" has type "${channel.type}", which no loaded plugin serves`, { retryable: true })
  const { transport, defaultBaseUrl } = registered.spec
  if (baseUrlOf(channel.baseUrl, defaultBaseUrl) === '')
    throw new GatewayError(500, 'internal_error', `Channel "${channel.name}" has no base URL`, { retryable: true })
  const upstreamModel = resolveModelMapping(channel.modelMapping, plan.model)
  plan.record?.attempting(channel.id, upstreamModel)
  const dialogue = planDialogue({
    registry: context.registry,
    clientCodec: plan.codec,
    transport,
    channelType: channel.type,
    body: plan.body,
    hubRequest: plan.hubRequest,
    upstreamModel,
    stream: plan.stream,
    thinkingToContent: channel.thinkingToContent,
    clientBytes: plan.clientBytes,
    viaHub,
  })
  const key = plan.keys.pick(channel)
  const client = channelClient(context)
  const reshaped = plan.reshape?.(channel, dialogue.body, dialogue.upstreamCodec.dialect)
  const built = transport.buildRequest({
    channel: client.channel({ id: channel.id, type: channel.type, baseUrl: channel.baseUrl, key, settings: channel.settings }),
    dialect: dialogue.upstreamCodec.dialect,
    endpoint: dialogue.upstreamCodec.endpoint,
    model: dialogue.model,
    stream: plan.stream,
    body: reshaped?.body ?? dialogue.body,
    rawBody: reshaped ? undefined : dialogue.rawBody,
    clientHeaders: dialogue.converted ? undefined : plan.clientHeaders,
  })
  const request = plan.form ? withMultipartBody(built, dialogue.body, plan.form) : reshaped?.url ? { ...built, url: reshaped.url } : built
  let exchange: UpstreamExchange
  try {
    exchange = await client.send(request, { timeoutMs: plan.timeoutMs, signal: plan.clientSignal, purpose: 'the call', headers: traceHeaders })
  } catch (error) {
    const failure = toGatewayError(error)
    if (error instanceof UpstreamRedirectError) {
      await plan.health?.recordFailure(channel, key, { status: error.upstreamStatus, message: error.message })
      throw mapUpstreamFailure(
        mappedStatus(channel.statusCodeMapping, error.upstreamStatus),
        { message: redactSecrets(error.message, channelSecrets(key, request.url)) },
        '',
        channel.name,
        retryableStatuses(context.options.get().retryableStatuses),
      )
    }
    if (failure.status !== 499) await plan.health?.recordFailure(channel, key, { status: 0, message: failure.message })
    throw withRedactedMessage(failure, channelSecrets(key, request.url))
  }
  const { response } = exchange
  // The upstream's words reach the client and its logs: never with the channel's key or address in them.
  const secrets = channelSecrets(key, baseUrlOf(channel.baseUrl, defaultBaseUrl))
  /** The failure an error answer stands for (its body redacted), with the channel's health told. */
  const refusal = async (status: number, text: string): Promise<GatewayError> => {
    const upstreamError = dialogue.upstreamCodec.readUpstreamError(status, text)
    const described = upstreamError.code ? `${upstreamError.message} (${upstreamError.code})` : upstreamError.message
    await plan.health?.recordFailure(channel, key, { status, message: described })
    const failure = mapUpstreamFailure(
      mappedStatus(channel.statusCodeMapping, status),
      upstreamError,
      text,
      channel.name,
      retryableStatuses(context.options.get().retryableStatuses),
      response.headers.get('retry-after'),
    )
    // An upstream error body is only meaningful to the client when it speaks the same dialect.
    if (dialogue.upstreamCodec.dialect !== plan.codec.dialect) delete failure.options.upstreamBody
    return failure
  }
  let recorded = false
  try {
    if (!response.ok) {
      const text = redactSecrets(await exchange.text(), secrets)
      recorded = true
      if (response.status === 404 && !dialogue.converted && hubFallbackAvailable(context.registry, transport, plan.codec)) {
        // The channel speaks the dialect but its upstream has no such route for this model: the same channel, through the hub.
        exchange.release()
        context.logger.log('info', 'upstream has no route for this dialect; retrying through the hub', {
          channelId: channel.id,
          dialect: plan.codec.dialect,
          model: upstreamModel,
        })
        return await attempt(context, plan, channel, true, traceHeaders)
      }
      throw await refusal(response.status, text)
    }
    // A stream call the upstream answered with JSON (an error, or a whole answer: it ignored `stream`) is read whole, like a non-stream one.
    const answeredWhole = plan.stream && !plan.binaryAnswer && !plan.codec.media && answeredWithJson(response.headers, dialogue)
    // Nothing has reached the client yet: a non-stream body that breaks off still fails over.
    const text = plan.binaryAnswer || (plan.stream && !answeredWhole) ? undefined : await exchange.text()
    if (text !== undefined && cutShortJson(response.headers, text)) {
      throw new GatewayError(502, 'bad_upstream_response', "The upstream's JSON answer was cut short", {
        retryable: true,
        cause: `channel "${channel.name}" cut its JSON answer short`,
      })
    }
    // Every answer of a chat-path dialect is a JSON object: anything else (an HTML page a proxy sent with 200, nothing) is the channel's failure.
    if (text !== undefined && !plan.codec.media && !looksLikeJsonObject(text)) {
      throw new GatewayError(502, 'bad_upstream_response', 'Upstream answered with a body that is not JSON', {
        retryable: true,
        cause: `channel "${channel.name}" answered 200 with a body that is not a JSON object: ${redactSecrets(text.slice(0, 200), secrets)}`,
      })
    }
    // An error answered with 200 is the error it says, with the status it names (ok-error.ts).
    const okErrorStatus = text === undefined ? undefined : errorStatusOfOkAnswer(text)
    if (text !== undefined && okErrorStatus !== undefined) {
      recorded = true
      throw await refusal(okErrorStatus, redactSecrets(text, secrets))
    }
    if (answeredWhole) {
      const whole = wholeAnswerOfStreamCall(
        plan,
        dialogue,
        channel,
        text ?? '',
        conversionEnv(() => context.now().getTime(), plan.model, dialogue.model, channel),
      )
      plan.health?.recordSuccess(channel.id)
      return { response, channel, upstreamModel, dialogue, whole, exchange }
    }
    // A stream fails over until its first event is in hand and reads as the dialect's: nothing has reached the client before that.
    // Any chat stream but a dialect's own framing is SSE, whatever its content type says (an HTML page has no event: it fails over);
    // a media answer (relayed by media-answer.ts) keeps the old rule: waited for only when it says it is SSE.
    const sse = plan.codec.media ? isEventStream(response.headers) : !dialogue.upstreamCodec.hub?.frameStream
    const answered =
      plan.stream && !plan.binaryAnswer && response.body && sse
        ? withBody(response, await awaitFirstEvent(response.body, channel.name, firstEventCheck(context, plan, channel, dialogue, secrets)))
        : response
    plan.health?.recordSuccess(channel.id)
    return { response: answered, channel, upstreamModel, dialogue, text, exchange }
  } catch (error) {
    exchange.release()
    const failure = exchange.failure(error)
    if (!recorded && failure.status !== 499) {
      await plan.health?.recordFailure(channel, key, { status: 0, message: failure.message })
    }
    throw failure
  }
}

/**
 * True for a JSON answer that cannot be whole: a JSON object or array ends with `}` or `]`. Checked before
 * the attempt returns, so a body the upstream broke off fails over instead of reaching the client as a 502.
 */
export function cutShortJson(headers: Headers, text: string): boolean {
  if (!headers.get('content-type')?.toLowerCase().includes('json')) return false
  const end = text.trimEnd()
  return end !== '' && !end.endsWith('}') && !end.endsWith(']')
}

/**
 * How the first event of a stream from `channel` is judged, by the push decoder of the dialect that answers
 * (whichever path the answer then takes): an event it cannot read is a retryable 502, an error the upstream
 * reports in it is mapped as the same error in an HTTP status would be. Undefined for a dialect without a
 * push decoder or whose stream is not SSE: its first complete event lets the stream through, as before.
 */
function firstEventCheck(context: AppContext, plan: UpstreamPlan, channel: RuntimeChannel, dialogue: Dialogue, secrets: string[]): FirstEventCheck | undefined {
  const codec = dialogue.upstreamCodec
  const hub = codec.hub
  if (!hub?.createStreamDecoder || hub.frameStream) return undefined
  const createDecoder = hub.createStreamDecoder.bind(hub)
  return (event) => {
    const decoder = createDecoder(conversionEnv(() => context.now().getTime(), plan.model, dialogue.model, channel))
    // A passthrough stream's watcher lets an event the decoder may defer through undecoded (hub-tap.ts): judged the same here.
    if (!dialogue.converted && decoder.canDefer?.(event)) return undefined
    const reported = decoder.push(event).find((decoded) => decoded.type === 'error')
    if (!reported) return undefined
    // The upstream's words reach the client and its logs: never with the channel's key or address in them.
    const data = redactSecrets(event.data, secrets)
    if (isMalformedStreamEvent(reported)) {
      return new GatewayError(502, 'bad_upstream_response', "The upstream's first stream event could not be read", {
        retryable: true,
        cause: `channel "${channel.name}" sent a malformed first stream event: ${data.slice(0, 200)}`,
      })
    }
    const failure = mapUpstreamFailure(
      mappedStatus(channel.statusCodeMapping, reported.status),
      { message: redactSecrets(reported.message, secrets), code: reported.code },
      data,
      channel.name,
      retryableStatuses(context.options.get().retryableStatuses),
    )
    // As for an error in an HTTP status: the upstream's body means something to the client only in its own dialect.
    if (codec.dialect !== plan.codec.dialect) delete failure.options.upstreamBody
    return failure
  }
}

/** The ConversionEnv of a call to `channel`: decoders and encoders of its answer see the models and the channel's settings. */
export function conversionEnv(now: () => number, clientModel: string, upstreamModel: string, channel: RuntimeChannel): ConversionEnv {
  return {
    now,
    newId: (prefix) => `${prefix}${randomKey(24)}`,
    model: upstreamModel,
    call: { clientModel, upstreamModel, channel: { id: channel.id, type: channel.type, settings: channel.settings } },
  }
}

/** True for an SSE answer by its content type. */
function isEventStream(headers: Headers): boolean {
  return headers.get('content-type')?.toLowerCase().includes('text/event-stream') === true
}

/** True when a stream call's answer is JSON rather than a stream: not SSE, and not the framed stream of a dialect that frames its own (NDJSON). */
function answeredWithJson(headers: Headers, dialogue: Dialogue): boolean {
  return headers.get('content-type')?.toLowerCase().includes('json') === true && !dialogue.upstreamCodec.hub?.frameStream
}

/**
 * The whole answer a stream call got, decoded by the answering dialect, when the client's dialect can render it as
 * a stream; else a retryable 502, so another channel may stream it.
 */
function wholeAnswerOfStreamCall(plan: UpstreamPlan, dialogue: Dialogue, channel: RuntimeChannel, text: string, env: ConversionEnv): HubResult {
  const decoder = dialogue.upstreamCodec.hub
  const refused = (why: string) =>
    new GatewayError(502, 'bad_upstream_response', `The upstream answered a stream request with ${why}`, {
      retryable: true,
      cause: `channel "${channel.name}" answered a stream request with ${why}`,
    })
  if (!decoder || !plan.codec.hub) throw refused('a whole answer, which this dialect cannot relay as a stream')
  try {
    return decoder.decodeResult(JSON.parse(text), env)
  } catch {
    throw refused('a JSON body that is neither a stream nor an answer')
  }
}

/** The same answer (status, headers) over another body. */
function withBody(response: Response, body: ReadableStream<Uint8Array>): Response {
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
}

/** The error with the channel's secrets taken out of its message (network errors may name the address). */
function withRedactedMessage(error: GatewayError, secrets: string[]): GatewayError {
  const message = redactSecrets(error.message, secrets)
  return message === error.message ? error : new GatewayError(error.status, error.code, message, error.options)
}
