import type { Static, TObject, TSchema } from '@sinclair/typebox'
import type { GatewayError } from './errors.ts'
import type { HubChatRequest, HubEvent, HubResult, Usage } from './hub.ts'
import type { SseEvent } from './sse.ts'
import type { SpecVersion } from './spec-version.ts'
import type { MediaConversion, MediaSpec } from './media-contract.ts'
import type { RealtimeTransport } from './realtime-contract.ts'
import type { TaskPlatform } from './task-contract.ts'
import type { HubStreamDecoder } from './stream-decoder.ts'

/** A wire format a client can speak, e.g. `openai.chat`, `claude.messages`, `gemini.generate`. */
export type Dialect = string

/** What an endpoint does, used to pick the adapter and to answer 501 for what a provider lacks. */
export type EndpointKind = 'chat' | 'completions' | 'embeddings' | 'responses' | 'rerank' | 'image' | 'audio' | 'task'

/** What a model can do, shown in the dashboard and used to filter `/v1/models`. */
export type ModelCapability = 'chat' | 'completions' | 'embeddings' | 'vision' | 'tools' | 'reasoning' | 'audio' | 'image' | 'rerank' | 'realtime'

/** A price in USD; token prices are per one million tokens, `perCall` per request. */
export interface ModelPrice {
  /** USD per 1M uncached input tokens. */
  inputPerMTok?: number
  /** USD per 1M output tokens (reasoning included). */
  outputPerMTok?: number
  /** USD per 1M input tokens read from the provider's prompt cache. */
  cacheReadPerMTok?: number
  /** USD per 1M input tokens written into the provider's prompt cache (Anthropic's 5-minute tier). */
  cacheWritePerMTok?: number
  /**
   * USD per 1M input tokens written into a 1-hour prompt cache (Anthropic's `ttl: "1h"`, `Usage.cacheWrite1hTokens`);
   * unset means twice the input price. Since contract 1.2.
   */
  cacheWrite1hPerMTok?: number
  /** USD per call; when set it replaces token pricing. */
  perCall?: number
  /**
   * USD per unit of a non-token quantity the provider reports in `Usage.quantities` (e.g. `{ searchUnits: 0.002 }`),
   * charged on top of the token or per-call price; a quantity without a price here costs nothing.
   */
  perUnit?: Partial<Record<UsageQuantity, number>>
}

/**
 * A non-token quantity a provider bills by. The named ones are the common cases; a plugin may report
 * its own per-action counts under any other camelCase name, as long as its prices use the same name.
 */
export type UsageQuantity = 'searchUnits' | 'images' | 'seconds' | 'characters' | (string & {})

/**
 * How the gateway counts a model's tokens when it must estimate (the reservation before a call, and
 * usage when the provider reports none): one of the encodings the gateway ships, or the plugin's own
 * counter. Without one, models are counted with o200k (cl100k for the GPT-4/3.5 generation).
 */
export type TokenizerSpec =
  | { /** A BPE encoding the gateway ships. */ encoding: 'o200k_base' | 'cl100k_base' }
  | { /** Tokens in one text; synchronous, pure and cheap, since it runs on the relay's own thread. */ count(text: string): number }

/** A model a plugin knows, with what it can do. */
export interface ModelSpec {
  /** The model id clients send. */
  id: string
  /** What the model can do. */
  capabilities: ModelCapability[]
  /** Largest prompt the model accepts, for estimates and the dashboard. */
  contextWindow?: number
  /**
   * The only dialects the provider serves this model in, when fewer than its channel's transport speaks
   * (OpenAI's `o3-pro` answers on the Responses API only): calls in any other dialect are converted to one of these.
   */
  dialects?: string[]
}

/**
 * Gateway settings a plugin may read. The core parses and validates them from the environment at start
 * (core/config.ts), so plugins never read `process.env`, and tests set them like any other config.
 */
export interface PluginHostConfig {
  /** AZURE_DEFAULT_API_VERSION: the Azure OpenAI API version for channels that name none. */
  azureDefaultApiVersion: string
}

/** The parts of a channel an upstream transport needs; the key is already decrypted. */
export interface ChannelContext {
  /** Channel id, for logs. */
  id: number
  /** Channel type id, e.g. `openai`. */
  type: string
  /** Base URL without trailing slash: the channel's own, else the type's default. */
  baseUrl: string
  /** The one key chosen for this call. */
  key: string
  /** Type-specific settings validated against the channel type's schema. */
  settings: Record<string, unknown>
  /** Gateway-wide settings, the same for every channel. */
  config: PluginHostConfig
}

/** An HTTP request to send upstream, built without doing I/O. */
export interface UpstreamRequest {
  /** Absolute URL. */
  url: string
  /** HTTP method. */
  method: 'GET' | 'POST'
  /** Headers to send, auth included. */
  headers: Record<string, string>
  /** Serialized body, when there is one. */
  body?: string | Uint8Array<ArrayBuffer>
}

/** The input of a transport: a body already in the upstream's own dialect. */
export interface UpstreamCall {
  /** Channel the call goes to. */
  channel: ChannelContext
  /** Dialect of `body`; the transport only receives dialects it listed as native. */
  dialect: Dialect
  /** What the endpoint does. */
  endpoint: EndpointKind
  /** Upstream model name after mapping. */
  model: string
  /** Whether the client asked for a stream. */
  stream: boolean
  /** The JSON body to send. */
  body: Record<string, unknown>
  /** `body` already serialised (the client's own bytes on passthrough), when the core has it: send it as it is. */
  rawBody?: Uint8Array<ArrayBuffer>
  /**
   * Headers the client sent, present only on passthrough calls (same dialect), so a transport may
   * forward the few its vendor defines for clients (e.g. `anthropic-beta`). Never forward auth.
   */
  clientHeaders?: Headers
}

/** How a channel type reaches its upstream: URL, headers, auth. Body mapping lives in dialect codecs. */
export interface ChannelTransport {
  /** Dialects this upstream accepts unchanged; calls in these dialects pass through. */
  nativeDialects: Dialect[]
  /** Builds the upstream HTTP request; pure. */
  buildRequest(call: UpstreamCall): UpstreamRequest
  /**
   * For one channel of this type: how its upstream continues a request in `dialect` whose last message is a
   * prefilled assistant turn (text only), or undefined when it answers such a request anew (OpenAI's own chat API).
   * For vendors whose prefill contract depends on the channel (its host, an operator's setting), where a dialect-wide
   * `HubUpstreamCodec.continuesAssistantPrefill` cannot say. Pure. Since contract 1.6 (unreleased).
   */
  assistantPrefill?(channel: Pick<ChannelContext, 'type' | 'baseUrl' | 'settings'>, dialect: Dialect): AssistantPrefill | undefined
}

/**
 * How a channel's upstream is asked to continue a prefilled assistant turn (ChannelTransport.assistantPrefill), as
 * data the gateway applies to the request body the hub encoded (a chat-completions body: `messages`, last one the
 * assistant's). Since contract 1.6 (unreleased).
 */
export interface AssistantPrefill {
  /** Members set on the final (assistant) message: `{ prefix: true }` (DeepSeek, Mistral), `{ partial: true }` (Moonshot, Qwen). */
  messageMembers?: Record<string, unknown>
  /** Members set on the request body: `{ continue_final_message: true, add_generation_prompt: false }` (vLLM). */
  bodyMembers?: Record<string, unknown>
  /** The absolute URL the request goes to instead of the usual one (DeepSeek's beta endpoint). */
  url?: string
  /** The upstream's answer starts with the prefill again (Mistral); the gateway drops that echo. */
  echoesPrefill?: true
}

/** One page of an upstream's model list. */
export interface UpstreamModelPage {
  /** Model ids as clients send them (vendor prefixes such as Gemini's `models/` removed). */
  models: string[]
  /** What to pass back for the next page; absent on the last page. */
  nextCursor?: string
}

/**
 * How a channel type lists the models its upstream account offers (the dashboard fills a channel's
 * model list from it). Pure like the transport: the plugin builds each page's request and reads each
 * page's body; the core sends the requests, follows the cursor and reports failures.
 */
export interface UpstreamModelListing {
  /** The request for one page; `cursor` is undefined for the first page, else the previous page's `nextCursor`. */
  buildRequest(channel: ChannelContext, cursor: string | undefined): UpstreamRequest
  /** The models on one page from its parsed JSON body; throws when the body is not a model list. */
  parsePage(body: unknown): UpstreamModelPage
}

/** What the core's sender answers for one upstream request (never a redirect: those are refused). */
export interface UpstreamReply {
  /** HTTP status. */
  status: number
  /** The body as text. */
  text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown
}

/**
 * Sends one request for a reader. The core owns it: `redirect: 'manual'` (a redirect is an error, so the
 * key never follows it to another host), a timeout, and errors worded for the dashboard.
 */
export type SendUpstream = (request: UpstreamRequest) => Promise<UpstreamReply>

/** An upstream account's balance, as a balance reader read it. */
export interface UpstreamBalance {
  /** What the account can still spend, in `currency`; negative means debt. */
  amount: number
  /** ISO 4217 code of `amount`, e.g. `USD`, `CNY`. */
  currency: string
  /** False when the vendor says the account cannot serve calls whatever the amount (e.g. DeepSeek's `is_available`). */
  available?: boolean
  /** The vendor's breakdown (granted vs. topped-up, vouchers, …), shown beside the amount; numbers in `currency`. */
  details?: Record<string, number | string | boolean>
}

/** Raised by a balance reader for an answer it cannot use; the message is shown to admins as is. */
export class BalanceReadError extends Error {
  override name = 'BalanceReadError'
}

/**
 * How one vendor's account balance is read (OpenRouter credits, DeepSeek balance, …). Pure apart from
 * `send`: the reader builds its requests from the channel (base URL, key, settings), sends them through
 * the core's `send` and turns the answers into an UpstreamBalance; it throws BalanceReadError (or any
 * Error) with a message an admin can act on. The key goes only into the requests' headers.
 */
export interface BalanceReader {
  /** Stable id a channel names in its `balanceSource` setting, e.g. `openrouter`; unique within a channel type. */
  id: string
  /** Human name for the dashboard, e.g. `OpenRouter credits`. */
  label: string
  /** Hosts whose channels use this reader when they name none (exact host, or any subdomain of it). */
  hosts?: string[]
  /** Reads the balance of the account behind `channel.key`. */
  read(channel: ChannelContext, send: SendUpstream): Promise<UpstreamBalance>
}

/**
 * Translations of a settings property's label and help, by dashboard language tag (`fr`, `ja`, `zh-CN`,
 * `zh-TW`; `zh` serves both Chinese variants): `Type.String({ title: 'Region', 'x-i18n': { fr: { title: 'Région' } } })`.
 * A language without an entry sees `title` and `description` as written.
 */
export type SettingsTranslations = Record<
  string,
  { /** The label in that language. */ title?: string /** The help text in that language. */; description?: string }
>

/** A channel type a plugin serves, with the settings form the dashboard renders. */
export interface ChannelTypeSpec {
  /** Short lowercase id automation relies on, e.g. `openai`, `openai-compatible`. */
  id: string
  /** Human name for the dashboard. */
  label: string
  /** Base URL used when the channel sets none; absent means the channel must set one. */
  defaultBaseUrl?: string
  /**
   * Schema of type-specific settings (rendered as a form by the dashboard). A property's `title` and
   * `description` may be translated with an `x-i18n` annotation (see SettingsTranslations), which the
   * dashboard shows in the reader's language.
   */
  settings: TObject
  /** How requests reach this upstream. */
  transport: ChannelTransport
  /** Listing the upstream's models; absent when the upstream has no list endpoint (the admin API answers 501). */
  modelListing?: UpstreamModelListing
  /**
   * Ways to read the upstream account's balance. A channel picks one by id (`balanceSource`), or gets the
   * one whose `hosts` match its base URL; absent or empty means balances cannot be read for this type.
   */
  balanceReaders?: BalanceReader[]
  /** Realtime sessions over WebSocket (`GET /v1/realtime`); absent when the type cannot serve them. Since contract 1.2. */
  realtime?: RealtimeTransport
}

/** Text to count for a prompt estimate, plus fixed token costs (per-message overhead, images). */
export interface PromptEstimateInput {
  /** Text pieces whose tokens are counted by the tokenizer pool. */
  texts: string[]
  /** Tokens added on top of the counted texts. */
  fixedTokens: number
  /**
   * Non-token quantities the call is expected to bill (e.g. `{ searchUnits: 1 }` for a rerank query), priced by
   * `ModelPrice.perUnit`: reserved before the call, and billed when the upstream reports no usage. Since contract 1.2.
   */
  quantities?: Partial<Record<UsageQuantity, number>>
}

/** What a stream tap learned from a streamed answer once it ended. */
export interface StreamTapResult {
  /** Usage reported by the upstream, when it reported any. */
  usage?: Usage
  /** Output text seen, for counting when the upstream reports no usage. */
  outputText: string
  /** Tool calls seen, each costing a few tokens when counting. */
  toolCalls: number
  /** True once the dialect's own end marker (e.g. `[DONE]`) was seen. */
  completed: boolean
  /** An error the upstream sent inside the stream. */
  error?: { message: string; code?: string }
}

/** Watches a passthrough stream on the side, without changing a byte of it. */
export interface StreamTap {
  /** Observes one upstream SSE event; false means it is malformed and must not reach the client. */
  onEvent(event: SseEvent): boolean
  /** Summarises what was seen. */
  result(): StreamTapResult
}

/** The upstream body plus what the gateway must hide from the client because it asked for it itself. */
export interface PreparedUpstreamBody {
  /** The body to send upstream. */
  body: Record<string, unknown>
  /**
   * Stream events the client did not ask for (e.g. the usage chunk of a forced `include_usage`);
   * when present, the stream is re-framed event by event and these are dropped.
   */
  hideEvent?: (event: SseEvent) => boolean
  /**
   * Set when `body` is the client's own JSON, at most with one member added in front (`firstMember`,
   * e.g. `"stream_options":{"include_usage":true}`): a passthrough call then sends the client's bytes
   * instead of serialising `body` again, which matters for 100 KB prompts.
   */
  clientBytes?: { firstMember?: string }
}

/** An HTTP route a dialect answers on. */
export interface DialectRoute {
  /** HTTP method. */
  method: 'GET' | 'POST'
  /** Path in Elysia syntax, e.g. `/v1/chat/completions`. */
  path: string
}

/** The client-visible parts of an incoming relay request that a codec may read. */
export interface InboundRequest {
  /** Request headers. */
  headers: Headers
  /** Parsed request URL. */
  url: URL
  /** Path parameters of the matched route. */
  params: Record<string, string>
}

/** Clock and id source handed to converters, so converters stay pure and replay identically in tests. */
export interface ConversionEnv {
  /** Current time in milliseconds since the epoch. */
  now(): number
  /** A fresh id with the vendor's prefix, e.g. `chatcmpl-`, `msg_`, `call_`. */
  newId(prefix: string): string
  /** The model the call named upstream: decoders fall back to it when the answer names none (Gemini may omit `modelVersion`). */
  model?: string
  /** The call this conversion serves, on relayed calls (absent in a bare codec test): models and the channel's settings. */
  call?: ConversionCallContext
}

/** What a converter may know about the call it converts, so a provider whose answers omit things can still fill them. */
export interface ConversionCallContext {
  /** The model the client asked for (before the channel's model mapping). */
  clientModel: string
  /** The model named upstream: mapped, reasoning suffix removed. */
  upstreamModel: string
  /** The channel the call went to. */
  channel: {
    /** Channel id, for logs. */ id: number /** Channel type id. */
    type: string /** Type-specific settings validated against the type's schema. */
    settings: Record<string, unknown>
  }
}

/** A request converted into another dialect, with what could not be carried over. */
export interface Converted<T> {
  /** The converted value. */
  value: T
  /** Human-readable notes on parameters or parts that were dropped or approximated (logged, never silent). */
  warnings: string[]
}

/**
 * Conversion between a chat dialect and the hub, in both directions. The client side decodes the
 * client's request and encodes the answer; the upstream side encodes the request for a provider
 * and decodes its answer. Pure functions: no I/O, clock and ids come from `env`.
 */
export interface ChatHubCodec<Body = Record<string, unknown>> extends HubClientCodec<Body>, HubUpstreamCodec {}

/**
 * The client side of hub conversion: all a dialect clients speak but the gateway never sends upstream must bring
 * (decode the client's request into the hub, encode the answer back). Pure functions. Since contract 1.5.
 */
export interface HubClientCodec<Body = Record<string, unknown>> {
  /** Client side: the client's request body, already validated against the dialect's `requestSchema`, in hub form. */
  decodeRequest(body: Body, request: InboundRequest): Converted<HubChatRequest>
  /** Client side: a complete hub result as this dialect's response body. */
  encodeResult(result: HubResult, env: ConversionEnv): unknown
  /** Client side: hub events as this dialect's SSE events, emitted as soon as each is known. */
  encodeStream(events: AsyncIterable<HubEvent>, env: ConversionEnv): AsyncIterable<SseEvent>
}

/** The upstream side of hub conversion: all a dialect the gateway only sends upstream must bring. Pure functions. */
export interface HubUpstreamCodec {
  /** Upstream side: a hub request as this dialect's request body. */
  encodeRequest(request: HubChatRequest): Converted<Record<string, unknown>>
  /** Upstream side: this dialect's complete response body as a hub result. */
  decodeResult(body: unknown, env: ConversionEnv): HubResult
  /** Upstream side: this dialect's SSE events as hub events; a malformed event becomes an `error` event. */
  decodeStream(events: AsyncIterable<SseEvent>, env: ConversionEnv): AsyncIterable<HubEvent>
  /**
   * Upstream side: the same decoding, pushed one event at a time (build `decodeStream` from it with
   * `decodeStreamWith`). With it, a passthrough stream feeds each upstream event to this decoder for its
   * usage, output, end and errors while the raw bytes go to the client, so the dialect needs no
   * `createStreamTap`. Since contract 1.3.
   */
  createStreamDecoder?(env: ConversionEnv): HubStreamDecoder
  /**
   * Upstream side, for a provider whose stream is not Server-Sent Events (newline-delimited JSON, a
   * binary event stream): the response body's bytes, as they arrive, split into messages, each as an
   * SseEvent whose `data` is one message; `decodeStream` then reads those. Without it the core parses
   * the body as SSE. Bytes arrive in arbitrary chunks: a line or a UTF-8 character may be split across
   * two of them (the conformance kit checks every split). Since contract 1.1; used on converted calls,
   * so only on dialects that declare no routes (clients always speak SSE).
   */
  frameStream?(body: AsyncIterable<Uint8Array>): AsyncIterable<SseEvent>
  /**
   * Upstream side: true when a hub request whose last message is an assistant turn (text only) is continued by the
   * upstream model, which writes on from that text, rather than answered anew (Anthropic's "prefill"). The gateway
   * then continues a stream another channel cut after some of it reached the client on a channel of this dialect.
   * Since contract 1.6 (unreleased).
   */
  continuesAssistantPrefill?: true
}

/**
 * The upstream role of a dialect: what the core needs to send a call in it and read the answer (encode the
 * request, decode the result, the stream or a push decoder, frame a non-SSE stream, read the error and the
 * usage). Every dialect a transport lists as native has it. Since contract 1.4 (it was `UpstreamSide`).
 */
export interface UpstreamDialect {
  /** Dialect id, e.g. `cohere.chat`; a transport lists it in `nativeDialects`. */
  dialect: Dialect
  /** What the endpoint does (`chat` or `responses` for a hub target). */
  endpoint: EndpointKind
  /** The upstream's error message from a non-2xx body (or a 200 body that is an error, with the status it names), for logs and clear client errors. */
  readUpstreamError(status: number, bodyText: string): { message: string; code?: string }
  /** Hub conversion towards the upstream (encode request; decode result, stream, push decoder; frameStream). */
  hub?: HubUpstreamCodec
  /**
   * The top-level member of a complete answer that holds its usage (e.g. `usage`): a passthrough answer is billed
   * from that member alone, through `decodeUsage`, without parsing the whole body (a 100 KB answer stays unparsed).
   */
  usageMember?: string
  /**
   * The value of `usageMember` (an object) as hub usage, or undefined when it holds none: the same usage
   * converter the dialect's `hub.decodeResult` uses, so an answer's usage is read by one function. A passthrough
   * answer without that member is parsed and read through `hub.decodeResult` (usage, else output to count).
   * Since contract 1.5.
   */
  decodeUsage?(usage: Record<string, unknown>): Usage | undefined
  /**
   * Usage from a complete JSON answer (given `{ [usageMember]: value }` when `usageMember` is set). Deprecated
   * since contract 1.5: bring `usageMember` with `decodeUsage`, or let `hub.decodeResult` read the whole answer;
   * still read, when given, from plugins written for 1.0-1.4.
   */
  readUsage?(responseBody: unknown): Usage | undefined
}

/**
 * A provider's own wire format that no client speaks: a dialect entry with the upstream role only. The gateway
 * only sends it upstream, converting every call through the hub; it declares no `routes` and the core mounts
 * nothing for it.
 */
export interface UpstreamDialectCodec extends UpstreamDialect {
  /** Hub conversion towards the upstream: how calls in any client dialect reach this one. */
  hub: HubUpstreamCodec
}

/**
 * A dialect entry with the client role only: clients speak it (its routes are mounted) but the gateway never sends
 * it upstream as it is. Every call in it is decoded into the hub and sent in a dialect the channel speaks, so no
 * transport may list it in `nativeDialects` (the gateway refuses such a plugin set at load) and it is never passed
 * through. `role: 'client'` is what tells it apart at load from a `DialectCodec`. Since contract 1.5.
 */
export interface ClientDialectCodec<Body = Record<string, unknown>> extends ClientDialect<Body> {
  /** Marks the entry as client-only. */
  role: 'client'
  /** The client side of hub conversion: how its calls reach whatever the channel speaks. */
  hub: HubClientCodec<Body>
}

/** @deprecated since contract 1.4: the upstream role is `UpstreamDialect`. */
export type UpstreamSide = UpstreamDialect

/**
 * The client role of a dialect: what the core needs to serve clients that speak it (routes, key reading, the
 * request schema and the typed reads of a validated body, error rendering, the final event, encoding results
 * and streams through `hub`, the model list, media). `Body` is the type those reads get; see `DialectCodec`.
 * Since contract 1.4.
 */
export interface ClientDialect<Body = Record<string, unknown>> {
  /** Dialect id, e.g. `openai.chat`. */
  dialect: Dialect
  /** What the endpoint does. */
  endpoint: EndpointKind
  /**
   * Routes the core mounts for this dialect. A route another plugin also declares stops start-up unless
   * the operator names its owner in PLUGIN_ROUTE_OWNERS (see docs/plugins.md).
   */
  routes: DialectRoute[]
  /** Request body schema; validated before the body is read, so errors can name the field and the reads need no checks. */
  requestSchema: TSchema
  /**
   * A check of the route itself that needs no body, run before the body's schema (Gemini's method lives in the
   * URL: an unserved method is a 501 whatever the body holds); throws a GatewayError. Since contract 1.4.
   */
  checkRoute?(request: InboundRequest): void
  /** The API key the client sent, from this dialect's usual header or query parameter. */
  readKey(request: InboundRequest): string | undefined
  /** The model the client asked for. */
  readModel(body: Body, request: InboundRequest): string
  /** Whether the client asked for a stream. */
  readStream(body: Body, request: InboundRequest): boolean
  /** The output-token ceiling the client set, for the reservation. */
  readMaxOutputTokens(body: Body): number | undefined
  /** A copy of the body ready for the upstream: model replaced, usage forced on streams. */
  prepareUpstreamBody(body: Body, model: string, stream: boolean): PreparedUpstreamBody
  /** The prompt to count for the pre-charge estimate. */
  estimatePrompt(body: Body): PromptEstimateInput
  /**
   * Output text of a complete response, counted when the upstream reports no usage. Deprecated since
   * contract 1.3: a dialect with a `hub` is counted through its `decodeResult` (text, reasoning, tool calls)
   * and needs none; it is read only for dialects without one, or an answer the decoder refuses.
   */
  readOutputText?(responseBody: unknown): string
  /**
   * A complete passthrough answer with what the upstream left out filled in from the client's own request
   * (e.g. the rerank dialect adds `document.text` to each result when the client asked for documents and
   * Cohere v2, which has no such option, returned none); pure, returns the body to send. Without it the
   * upstream's bytes reach the client unchanged. Since contract 1.2.
   */
  completeAnswer?(responseBody: unknown, requestBody: Body): unknown
  /**
   * A fresh tap for one streamed response. Deprecated since contract 1.3: a dialect whose `hub` has
   * `createStreamDecoder` is watched through that decoder and need not bring a tap; a dialect that never
   * streams needs neither. Still used, when given, by dialects without a push decoder (1.x plugins).
   */
  createStreamTap?(): StreamTap
  /** Renders a gateway error in this dialect's error shape. */
  renderError(error: GatewayError): { status: number; body: unknown }
  /** Renders a stream-level error as the final SSE event(s) of a stream already under way. */
  renderStreamError(error: GatewayError): SseEvent[]
  /**
   * True for the event that tells this dialect's clients the answer is complete (e.g. `[DONE]`): the
   * relay holds it, and anything after it, until the call's charge is durable. When absent, the end of
   * the stream is the only signal (it is held the same way).
   */
  isFinalEvent?(event: SseEvent): boolean
  /** Hub conversion, for chat dialects that can reach (or be reached from) other dialects: its client side decodes the request and encodes the answer. */
  hub?: HubClientCodec<Body>
  /** The model list in this dialect's shape, for SDKs that list models their own way. */
  modelList?: ModelListCodec
  /** Media endpoints (audio, images): multipart requests, binary answers and usage read knowing the request (MediaSpec). Since contract 1.2. */
  media?: MediaSpec
}

/**
 * A dialect with both roles, client and upstream (clients speak it, and a channel that lists it as native gets
 * it unchanged on passthrough; a dialect with the client role alone is a `ClientDialectCodec`): everything the core needs to serve and understand one wire format. `Body` is what the client-side reads
 * (`readModel`, `readStream`, `readMaxOutputTokens`, `prepareUpstreamBody`, `estimatePrompt`, `completeAnswer`,
 * `hub.decodeRequest`) get: the core validates the body against `requestSchema` before any of them runs, so a
 * codec declared as `TypedDialectCodec<typeof MyRequest>` reads `Static<typeof MyRequest>` without casts. An
 * untyped `DialectCodec`, as 1.x plugins wrote them, reads a plain JSON object. (Typed by the body rather than
 * the schema so a typed codec stays assignable to `DialectCodec`: the reads are methods, compared bivariantly.)
 */
export interface DialectCodec<Body = Record<string, unknown>> extends ClientDialect<Body>, UpstreamDialect {
  /** Hub conversion: the client side (decode request, encode result and stream) and the upstream side. */
  hub?: ChatHubCodec<Body>
}

/**
 * A dialect codec typed by its request schema: the schema the core validates with is `S`, and the client-side
 * reads get `Static<S>`. Since contract 1.4.
 */
export interface TypedDialectCodec<S extends TSchema> extends DialectCodec<Static<S>> {
  /** The schema the body is validated with; its static type is what the reads get. */
  requestSchema: S
}

/** How a dialect lists models: which requests want its shape, and the shape itself. */
export interface ModelListCodec {
  /** True when a `GET /v1/models` request comes from this dialect's clients (by its headers). */
  matches(request: InboundRequest): boolean
  /** The list body for these model ids. */
  render(models: string[]): unknown
  /** Further list routes of the dialect's own, e.g. Gemini's `GET /v1beta/models`. */
  routes?: string[]
  /**
   * The endpoint kinds whose models this list shows (default: the dialect's own endpoint): a model the
   * plugins know is listed only when its capabilities serve one of them; unknown models are always listed.
   */
  endpoints?: EndpointKind[]
}

/** A provider plugin: a default export of `definePlugin({...})`. */
export interface PluginDefinition {
  /** Unique lowercase id, e.g. `openai`. */
  id: string
  /**
   * Contract version the plugin was written against, "major.minor" (PLUGIN_SPEC_VERSION of the SDK it was
   * built with); the gateway accepts the same major with a minor up to its own. A bare `1` means "1.0".
   */
  specVersion: SpecVersion
  /**
   * The hub version (HUB_VERSION) the plugin's converters were written against; required when a dialect
   * brings a `hub` codec, and must equal the gateway's, so a plugin built for another hub is refused at load.
   */
  hubVersion?: number
  /** Human name. */
  name: string
  /**
   * The plugin's own release (e.g. '1.2.0'), shown in the dashboard's plugin list when the plugin was not
   * loaded from an npm package (a package's package.json version wins); optional, informational only.
   */
  version?: string
  /** Channel types served. */
  channelTypes: ChannelTypeSpec[]
  /** Models the plugin knows. */
  models: ModelSpec[]
  /** List prices by model id; a key ending in `*` matches by prefix. */
  pricing: Record<string, ModelPrice>
  /**
   * Dialect codecs the plugin contributes, each with the roles it declares: both (`DialectCodec`, with routes), the
   * client role only (`ClientDialectCodec`, `role: 'client'`, since 1.5) or the upstream role only (`UpstreamDialectCodec`, no routes).
   */
  dialects: Array<DialectCodec | ClientDialectCodec | UpstreamDialectCodec>
  /** How to count tokens of the plugin's models for estimates, keyed like `pricing` (a key ending in `*` matches by prefix). */
  tokenizers?: Record<string, TokenizerSpec>
  /** Asynchronous task platforms the plugin serves (Midjourney-Proxy, Suno, video); since contract 1.2, see task-contract.ts. */
  tasks?: TaskPlatform[]
  /** Conversions from client media dialects to this plugin's upstream media dialects (Imagen for OpenAI image generations); since contract 1.2, see media-contract.ts. */
  mediaConversions?: MediaConversion[]
}

/** True for a dialect entry with the client role only (`role: 'client'`, since contract 1.5): it has no upstream role. */
export function isClientOnlyDialect(entry: DialectCodec | ClientDialectCodec | UpstreamDialectCodec): entry is ClientDialectCodec {
  return 'role' in entry && entry.role === 'client'
}

/** Declares a plugin; identity at runtime, it exists so plugin files are type-checked against the contract. */
export function definePlugin(definition: PluginDefinition): PluginDefinition {
  return definition
}
