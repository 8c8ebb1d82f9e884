import type { AppContext } from '../app-context.ts'
import { GatewayError } from '../errors.ts'
import type { ChannelContext, UpstreamRequest } from '@hanggent/plugin-sdk'
import { pluginHostConfig } from '../plugin/host-config.ts'

// The one way the core talks to a channel's upstream: the relay, the channel test, the model listing and
// the balance readers all send through here, so the request context, the deadline, the abort when the
// asker goes away, the redirect policy and connection reuse are decided once. Connections are kept alive
// and pooled per host by Bun's fetch; nothing here opts out of that.

/** An upstream request as the core sends it: a plugin's, or one whose body the core streams (a multipart media form). */
export type OutgoingRequest = Omit<UpstreamRequest, 'body'> & { body?: UpstreamRequest['body'] | ReadableStream<Uint8Array> }

/** Why an upstream request was aborted, so errors say the right thing ('upstream': the gateway gave up on it). */
export type AbortReason = 'client' | 'timeout' | 'upstream'

/** How one request is sent. */
export interface SendOptions {
  /** Time the upstream has to answer: its headers, and its body until `stopTimer` (streams stop it once headers arrived). */
  timeoutMs: number
  /** Aborted when whoever asked is gone (the client disconnected, the admin closed the page, the job lost its lease). */
  signal?: AbortSignal
  /** What the request is, for messages: "the call", "the channel test", "the model list request". */
  purpose: string
  /** Headers added to the request's own (the relay's W3C `traceparent`); they win over the plugin's. */
  headers?: Record<string, string>
}

/** An upstream answer (never a redirect: see UpstreamRedirectError) and the controls of its request. */
export interface UpstreamExchange {
  response: Response
  /** Aborts the request; `abort.signal.reason` is an AbortReason. */
  abort: AbortController
  /** Reads the whole body within the deadline; a failed read is a GatewayError (see abortAware). */
  text(): Promise<string>
  /** What anything thrown while the exchange was in flight means for the asker (see abortAware). */
  failure(error: unknown): GatewayError
  /** Stops the deadline; streams call it once headers arrived and use idle timeouts instead. */
  stopTimer(): void
  /** Stops the deadline and detaches from the asker's signal, once the exchange is completely over. */
  release(): void
}

/** What a whole-body read answers: the upstream's status, headers and body text. */
export interface UpstreamText {
  status: number
  headers: Headers
  text: string
}

/** A channel an upstream request is built for: where it points (null: its type's default) and the key it sends. */
export interface ChannelTarget {
  /** Channel id, or 0 for a channel not saved yet. */
  id: number
  type: string
  baseUrl: string | null
  key: string
  settings: Record<string, unknown>
}

/**
 * An upstream that answered 3xx. Redirects are never followed, since the request carries the channel's
 * key, which must only reach the base URL; the answer is an upstream error naming where it pointed.
 */
export class UpstreamRedirectError extends GatewayError {
  constructor(
    /** The 3xx status the upstream answered. */
    readonly upstreamStatus: number,
    /** Where it pointed, resolved against the request URL; undefined when it named nowhere. */
    readonly location: string | undefined,
    purpose: string,
  ) {
    super(
      502,
      'upstream_error',
      `The upstream answered ${purpose} with a redirect (HTTP ${upstreamStatus}) redirecting to ${location ?? 'another URL'}, which is not followed so the channel's key stays with its base URL; set the base URL the upstream redirects to`,
    )
  }
}

/** Sends upstream requests for channels. */
export interface ChannelClient {
  /** The context plugins build a channel's requests from: base URL resolved (its own, else its type's default), key, settings, host config. */
  channel(target: ChannelTarget): ChannelContext
  /** Sends one request; throws a GatewayError for a redirect (UpstreamRedirectError), a timeout (504), an abort (499) or a network fault (502). */
  send(request: OutgoingRequest, options: SendOptions): Promise<UpstreamExchange>
  /** Sends one request and reads its whole body, releasing the exchange however it ends. */
  read(request: UpstreamRequest, options: SendOptions): Promise<UpstreamText>
}

const clients = new WeakMap<AppContext, ChannelClient>()

/** The client of a gateway, one per context. */
export function channelClient(context: AppContext): ChannelClient {
  let client = clients.get(context)
  if (!client) {
    client = {
      channel: (target) => ({
        id: target.id,
        type: target.type,
        key: target.key,
        settings: target.settings,
        config: pluginHostConfig(context.config),
        baseUrl: baseUrlOf(target.baseUrl, context.registry.channelType(target.type)?.spec.defaultBaseUrl),
      }),
      send: sendUpstream,
      read: readUpstream,
    }
    clients.set(context, client)
  }
  return client
}

/** A channel's base URL: its own, else its type's default, without a trailing slash ('' when neither). */
export function baseUrlOf(own: string | null, typeDefault: string | undefined): string {
  return (own ?? typeDefault ?? '').replace(/\/+$/, '')
}

/** True for the statuses `fetch` would follow by default. */
function isRedirect(status: number): boolean {
  return status >= 300 && status < 400
}

/** A redirect's target as an absolute URL, when it names one. */
function redirectTarget(response: Response, requestUrl: string): string | undefined {
  const location = response.headers.get('location')
  if (location === null) return undefined
  try {
    return new URL(location, requestUrl).href
  } catch {
    return location
  }
}

/** Sends `request` with a deadline, the asker's abort, and no redirect followed (ChannelClient.send). */
export async function sendUpstream(request: OutgoingRequest, options: SendOptions): Promise<UpstreamExchange> {
  const abort = new AbortController()
  const { signal } = options
  const onAbort = () => abort.abort('client' satisfies AbortReason)
  if (signal?.aborted) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  const timer = setTimeout(() => abort.abort('timeout' satisfies AbortReason), options.timeoutMs)
  const stopTimer = () => clearTimeout(timer)
  const release = () => {
    stopTimer()
    signal?.removeEventListener('abort', onAbort)
  }
  const fail = (error: unknown) => abortAware(error, abort.signal, options)
  let response: Response
  try {
    const headers = options.headers ? { ...request.headers, ...options.headers } : request.headers
    response = await fetch(request.url, { method: request.method, headers, body: request.body, signal: abort.signal, redirect: 'manual' })
  } catch (error) {
    release()
    throw fail(error)
  }
  if (isRedirect(response.status)) {
    release()
    await response.body?.cancel().catch(() => undefined)
    throw new UpstreamRedirectError(response.status, redirectTarget(response, request.url), options.purpose)
  }
  return {
    response,
    abort,
    stopTimer,
    release,
    failure: fail,
    text: () => boundedText(response, UPSTREAM_ANSWER_MAX_BYTES, options.purpose).catch((error: unknown) => Promise.reject(fail(error))),
  }
}

/**
 * The largest whole (non-stream) upstream answer read into memory: 64 MB, above any chat or embeddings
 * answer and a batch of large base64 images, so an upstream that answers without end cannot exhaust the gateway.
 */
export const UPSTREAM_ANSWER_MAX_BYTES = 64 * 1024 * 1024

/** Reads a body as text, refusing one over `maxBytes` (declared or counted) with a retryable 502. */
export async function boundedText(response: Response, maxBytes: number, purpose: string): Promise<string> {
  const tooLarge = () =>
    new GatewayError(502, 'bad_upstream_response', `The upstream's answer to ${purpose} is larger than ${maxBytes / 1024 / 1024} MB; it was not read`, {
      retryable: true,
    })
  // A compressed answer's length says nothing of what it inflates to (fetch decompresses): count it.
  const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase()
  const declared = encoding === 'identity' || encoding === '' ? Number(response.headers.get('content-length') ?? Number.NaN) : Number.NaN
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw tooLarge()
  }
  // A declared length within the limit is what Bun reads, in one native call.
  if (Number.isFinite(declared) || !response.body) return response.text()
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge()
    }
    text += decoder.decode(value, { stream: true })
  }
}

/** Sends `request` and reads its whole body within the deadline (ChannelClient.read). */
export async function readUpstream(request: UpstreamRequest, options: SendOptions): Promise<UpstreamText> {
  const exchange = await sendUpstream(request, options)
  try {
    return { status: exchange.response.status, headers: exchange.response.headers, text: await exchange.text() }
  } finally {
    exchange.release()
  }
}

/**
 * Maps what a request threw to a GatewayError, telling the asker's abort (499) and the deadline (504)
 * apart from network faults (502). Timeouts and faults are retryable: another channel may well answer.
 */
export function abortAware(error: unknown, signal: AbortSignal, options: Pick<SendOptions, 'timeoutMs' | 'purpose'>): GatewayError {
  if (error instanceof GatewayError) return error
  if (signal.aborted && signal.reason === 'client') return new GatewayError(499, 'client_closed_request', 'Client closed the request')
  if (signal.aborted && signal.reason === 'timeout') {
    return new GatewayError(504, 'upstream_timeout', `The upstream did not answer ${options.purpose} within ${options.timeoutMs / 1000} s`, { retryable: true })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new GatewayError(502, 'upstream_unreachable', `Could not reach the upstream: ${message}`, { retryable: true })
}
