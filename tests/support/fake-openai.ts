import type { Server } from 'bun'
import { brokenBody, faultsOf, frameBody, readRequestBody, StreamTracker } from './fake-stream.ts'
import { loadChunks, loadFixture } from './fixtures.ts'

// A fake OpenAI API on 127.0.0.1 replaying the recorded-shape fixtures in plugins/openai/__fixtures__,
// with fault switches, so gateway tests never need the real upstream.
// see https://platform.openai.com/docs/api-reference/chat/create (stream, stream_options.include_usage)
// see https://platform.openai.com/docs/api-reference/chat-streaming (chunk shape, usage chunk with choices: [])
// see https://platform.openai.com/docs/api-reference/embeddings/create (encoding_format base64 = float32 LE)
// see https://platform.openai.com/docs/guides/error-codes (401 / 429 / 500 bodies)
// see https://platform.openai.com/docs/api-reference/responses-streaming (named events, usage in response.completed)
// With `continuation`, it plays an OpenAI-compatible vendor that continues a prefilled assistant turn (see
// plugins/openai/openai-assistant-prefill.ts for each vendor's documented marker); without, a final assistant turn is
// answered anew, as OpenAI's own API does.

type Json = Record<string, unknown>

/** OpenAI's usage object as the fake reports it. */
export interface FakeUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number }
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number; accepted_prediction_tokens?: number; rejected_prediction_tokens?: number }
}

/** How the fake answers one request. Scenarios that concern streams act like `fixture` on a non-stream request unless noted. */
export type FakeScenario =
  /**
   * Answer from fixtures. Without `name`: tool-call fixture when the request has tools, n=2 fixture for n=2, else text
   * (on /v1/responses: function-call fixture when it has tools, reasoning fixture when it sets `reasoning`, else text).
   * With `name` (e.g. `openai-chat-tool-call`): `<name>.json`, or `<name>.chunks.txt` when streaming.
   */
  | { kind: 'fixture'; name?: string }
  /** Answer with this HTTP status; `body` defaults to the recorded error for 400, 401, 429 and 500. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Answer with exactly this text and content type, stream or not (a proxy's HTML page, an empty body). */
  | { kind: 'raw'; status: number; contentType: string; body: string }
  /** Wait, then answer from fixtures. */
  | { kind: 'slow'; delayMs: number }
  /** Never answer; the request stays open until the client gives up. */
  | { kind: 'hang' }
  /** Stream with a pause between chunks; `chunks` replaces the fixture with exactly these chunk objects. */
  | { kind: 'stream-gap'; gapMs: number; chunks?: Json[] }
  /** Send `afterChunks` chunks, then break the connection (a non-stream answer breaks halfway through the body). */
  | { kind: 'reset-mid-stream'; afterChunks: number }
  /** Send `afterChunks` chunks (default 1), then a line that is not JSON (a non-stream answer is truncated JSON). */
  | { kind: 'malformed-chunk'; afterChunks?: number }
  /** Stream without the usage chunk even when the request asked for it (on /v1/responses: `usage: null` in response.completed). */
  | { kind: 'no-usage' }
  /**
   * Answer with about `bytes` of assistant text: one chat completion, or a stream whose chunks carry `eventBytes` of it
   * each (all of it in one chunk when absent: a 50 MB event).
   */
  | { kind: 'huge'; bytes: number; eventBytes?: number }
  /** Send the fixture answer one byte every `intervalMs`, headers first (a slow drip); `afterFirstEvent` sends a stream's first event whole first. */
  | { kind: 'drip'; intervalMs: number; afterFirstEvent?: boolean }
  /** Answer from fixtures but report these usage numbers (in the usage chunk when streaming with include_usage; in Responses' own usage shape on /v1/responses). */
  | { kind: 'usage'; usage: FakeUsage }

/** A request the fake received. */
export interface RecordedRequest {
  method: string
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string
  /** Lower-cased header names. */
  headers: Record<string, string>
  rawBody: string
  /** The parsed JSON body; undefined when there is none or it is not JSON. */
  body: Json | undefined
}

/** Options of `startFakeOpenAI`. */
export interface FakeOpenAIOptions {
  /** API keys accepted; by default any non-empty bearer key. */
  keys?: string[]
  /** The scenario used when `nextResponses` is empty (default `{ kind: 'fixture' }`). */
  scenario?: FakeScenario
  /**
   * Models `/v1/completions` serves; any other model gets the 404 OpenAI answers a chat model there
   * ("This is a chat model and not supported in the v1/completions endpoint"). Default: every model.
   */
  completionModels?: string[]
  /**
   * The vendor whose prefill contract the fake honours: DeepSeek (`prefix: true` on the last message, on
   * `/beta/chat/completions` only), Mistral (`prefix: true`; the answer repeats the prefill first), Moonshot and Qwen
   * (`partial: true`), vLLM (`continue_final_message: true` with `add_generation_prompt: false`). A marked request is
   * continued: the scripted answer after the prefill when the prefill starts it, else FAKE_CONTINUATION, the prefill
   * counted as input. Default: none (OpenAI).
   */
  continuation?: PrefillVendor
}

/** A vendor whose prefill contract the fake can honour. */
export type PrefillVendor = 'deepseek' | 'mistral' | 'moonshot' | 'qwen' | 'vllm'

/** What the fake writes on after a prefill that is not the start of its scripted answer. */
export const FAKE_CONTINUATION = ' and that is the rest of the answer.'

/** The prefill as the fake counts it: one input token per 4 characters, rounded up. */
export const prefillTokens = (prefill: string) => Math.ceil(prefill.length / 4)

/** A request the fake continues: the prefill it was given, and whether the answer repeats it first. */
interface Continued {
  prefill: string
  echo: boolean
}

/** A running fake OpenAI server. */
export interface FakeOpenAI {
  /** Base URL without `/v1` (`http://127.0.0.1:PORT`), as a channel's base URL. */
  readonly url: string
  /** Every request received, oldest first, including rejected ones. */
  readonly requests: RecordedRequest[]
  /** Scenarios used one per request, first in first out, before falling back to the default scenario. */
  readonly nextResponses: FakeScenario[]
  /** Streams currently being sent. */
  readonly openStreams: number
  /** Streams whose client went away before the end. */
  readonly abortedStreams: number
  /** Sets the scenario used when `nextResponses` is empty. */
  setScenario(scenario: FakeScenario): void
  /** Same as `setScenario`. */
  setDefault(scenario: FakeScenario): void
  /** Same as `nextResponses.push(...)`. */
  queue(...scenarios: FakeScenario[]): void
  /** Forgets requests, queued scenarios and the aborted-stream count, and restores the default scenario. */
  reset(): void
  /** Stops listening and closes open connections. */
  stop(): Promise<void>
}

type Route = 'chat' | 'completions' | 'embeddings' | 'responses' | 'models'

const routes: Record<string, Route> = {
  'POST /v1/chat/completions': 'chat',
  'POST /v1/responses': 'responses',
  'POST /v1/completions': 'completions',
  'POST /v1/embeddings': 'embeddings',
  'GET /v1/models': 'models',
}

const errorFixtures: Record<number, string> = {
  400: 'openai-error-400-context.json',
  401: 'openai-error-401.json',
  429: 'openai-error-429.json',
  500: 'openai-error-500.json',
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
}

function invalidRequest(status: number, message: string): Response {
  return json(status, { error: { message, type: 'invalid_request_error', param: null, code: null } })
}

function hasTools(request: Json): boolean {
  return Array.isArray(request.tools) && request.tools.length > 0
}

/** The fixture's base name (no extension) for a fixture-style answer. */
function fixtureName(route: Route, request: Json, scenario: FakeScenario): string {
  if (scenario.kind === 'fixture' && scenario.name) return scenario.name.replace(/(\.chunks\.txt|\.json)$/, '')
  if (route === 'completions') return 'openai-completions'
  if (route === 'embeddings') return 'openai-embeddings'
  if (route === 'responses')
    return hasTools(request) ? 'openai-responses-function-call' : request.reasoning ? 'openai-responses-reasoning' : 'openai-responses-text'
  if (hasTools(request)) return 'openai-chat-tool-call'
  return request.n === 2 && request.stream !== true ? 'openai-chat-n2' : 'openai-chat-text'
}

/** Packs floats the way OpenAI does for `encoding_format: "base64"`: little-endian float32. */
function base64Floats(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64')
}

/** The embeddings answer: one fixture vector per input, cycling through the recorded ones. */
function embeddingsAnswer(fixture: Json, request: Json): Json {
  const recorded = fixture.data as Array<{ embedding: number[] }>
  const input = request.input
  const count = Array.isArray(input) && input.length > 0 && typeof input[0] !== 'number' ? input.length : 1
  const base64 = request.encoding_format === 'base64'
  const data = Array.from({ length: count }, (_, index) => {
    const embedding = recorded[index % recorded.length]!.embedding
    return { object: 'embedding', index, embedding: base64 ? base64Floats(embedding) : embedding }
  })
  return { ...fixture, data }
}

/** A usage scenario's numbers in the Responses API's usage shape. */
function responsesUsage(usage: FakeUsage): Json {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  }
}

/** The JSON body of a non-stream answer. */
function completeAnswer(route: Route, request: Json, scenario: FakeScenario): Json {
  if (route === 'models') return loadFixture('openai', 'openai-models.json')
  const fixture = loadFixture('openai', `${fixtureName(route, request, scenario)}.json`)
  const answer = route === 'embeddings' ? embeddingsAnswer(fixture, request) : fixture
  const usage = scenario.kind === 'usage' ? { usage: route === 'responses' ? responsesUsage(scenario.usage) : scenario.usage } : {}
  return { ...answer, model: request.model ?? fixture.model, ...usage }
}

/** The events of a Responses stream: the model echoed in every response snapshot, usage per the scenario. */
function responsesStreamEvents(request: Json, scenario: FakeScenario): Json[] {
  if (scenario.kind === 'stream-gap' && scenario.chunks) return scenario.chunks
  return loadChunks('openai', `${fixtureName('responses', request, scenario)}.chunks.txt`).map((recorded) => {
    const response = recorded.response as Json | undefined
    if (!response) return recorded
    const echoed: Json = { ...response, model: request.model ?? response.model }
    if (recorded.type === 'response.completed' && scenario.kind === 'usage') echoed.usage = responsesUsage(scenario.usage)
    if (recorded.type === 'response.completed' && scenario.kind === 'no-usage') echoed.usage = null
    return { ...recorded, response: echoed }
  })
}

/** The chunk lines of a stream answer, shaped like OpenAI's for the request's include_usage setting. */
function streamLines(route: Route, request: Json, scenario: FakeScenario): string[] {
  if (scenario.kind === 'stream-gap' && scenario.chunks) return scenario.chunks.map((chunk) => JSON.stringify(chunk))
  const includeUsage = (request.stream_options as Json | undefined)?.include_usage === true && scenario.kind !== 'no-usage'
  const lines: string[] = []
  for (const recorded of loadChunks('openai', `${fixtureName(route, request, scenario)}.chunks.txt`)) {
    const chunk: Json = { ...recorded, model: request.model ?? recorded.model }
    const usageChunk = Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage
    if (usageChunk && !includeUsage) continue
    if (usageChunk && scenario.kind === 'usage') chunk.usage = scenario.usage
    // OpenAI sends `usage: null` on every other chunk only when include_usage is on.
    if (!includeUsage) delete chunk.usage
    lines.push(JSON.stringify(chunk))
  }
  return lines
}

const malformedFrame = 'data: {"id":"chatcmpl-broken","choices":[{"index":0,"delta":{"content":"oops"\n\n'
const malformedResponsesFrame = 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"oops"\n\n'

/** The SSE frames of a stream answer: `data: <chunk>\n\n` per line, then `data: [DONE]\n\n`. */
function sseFrames(lines: string[], scenario: FakeScenario): string[] {
  const frames = lines.map((line) => `data: ${line}\n\n`)
  if (scenario.kind === 'malformed-chunk') frames.splice(scenario.afterChunks ?? 1, 0, malformedFrame)
  frames.push('data: [DONE]\n\n')
  return frames
}

/** The SSE frames of a Responses stream: `event: <type>` + `data: <event>` each, and no `[DONE]` (the API sends none). */
function responsesSseFrames(events: Json[], scenario: FakeScenario): string[] {
  const frames = events.map((event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`)
  if (scenario.kind === 'malformed-chunk') frames.splice(scenario.afterChunks ?? 1, 0, malformedResponsesFrame)
  return frames
}

/** The bearer key of a request, or '' when there is none. */
function bearerKey(request: Request): string {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? ''
}

async function record(request: Request, url: URL): Promise<RecordedRequest> {
  const { rawBody, body } = await readRequestBody(request)
  return { method: request.method, path: url.pathname, headers: Object.fromEntries(request.headers), rawBody, body }
}

/** Huge answers built ahead of time (prepareHugeAnswers), by stream flag, size and model. */
const preparedHugeAnswers = new Map<string, Blob>()
const hugeAnswerKey = (model: unknown, bytes: number, stream: boolean) => `${stream}|${bytes}|${String(model)}`

/**
 * Builds these huge answers now, so a request for one is answered at once: building 65 MB takes ~0.2 s on
 * an idle machine and over a second on a loaded one, which a test with a 1 s upstream timeout would read
 * as a slow upstream. Held until forgetHugeAnswers().
 */
export function prepareHugeAnswers(models: string[], bytes: number, stream: boolean): void {
  for (const model of models) preparedHugeAnswers.set(hugeAnswerKey(model, bytes, stream), hugeAnswerBody(model, bytes, stream))
}

/** Drops the answers prepareHugeAnswers built. */
export function forgetHugeAnswers(): void {
  preparedHugeAnswers.clear()
}

/** A huge answer as a response: the prepared body when there is one, else built now. */
function hugeAnswer(model: unknown, bytes: number, stream: boolean, headers: Record<string, string>): Response {
  // A Blob's size is its Content-Length (Bun sends streamed bodies chunked whatever the header says).
  const body = preparedHugeAnswers.get(hugeAnswerKey(model, bytes, stream)) ?? hugeAnswerBody(model, bytes, stream)
  const type = stream ? 'text/event-stream; charset=utf-8' : 'application/json'
  return new Response(body, { headers: { 'content-type': type, ...headers } })
}

/**
 * A chat answer (or one stream chunk) whose assistant text is `bytes` long, assembled from 1 MB pieces with its
 * exact Content-Length, so the fake answers at once however large it is.
 */
function hugeAnswerBody(model: unknown, bytes: number, stream: boolean): Blob {
  const marker = '\u0000CONTENT\u0000'
  const usage = { prompt_tokens: 8, completion_tokens: Math.ceil(bytes / 8), total_tokens: 8 + Math.ceil(bytes / 8) }
  const shell = stream
    ? `data: ${JSON.stringify({ id: 'chatcmpl-huge', object: 'chat.completion.chunk', created: 1_748_736_000, model, choices: [{ index: 0, delta: { role: 'assistant', content: marker }, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`
    : JSON.stringify({
        id: 'chatcmpl-huge',
        object: 'chat.completion',
        created: 1_748_736_000,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: marker, refusal: null }, finish_reason: 'stop' }],
        usage,
      })
  const [head, tail] = shell.split(JSON.stringify(marker).slice(1, -1)) as [string, string]
  const encoder = new TextEncoder()
  const piece = encoder.encode('a'.repeat(1024 * 1024))
  const parts = [
    encoder.encode(head),
    ...Array.from({ length: Math.floor(bytes / piece.length) }, () => piece),
    piece.subarray(0, bytes % piece.length),
    encoder.encode(tail),
  ]
  return new Blob(parts)
}

/** A stream of `bytes` of assistant text in chunks of `eventBytes` each (no usage chunk), all sent at once. */
function hugeStreamInEvents(model: unknown, bytes: number, eventBytes: number, headers: Record<string, string>): Response {
  const chunk = (delta: Record<string, string>, finishReason: string | null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-huge', object: 'chat.completion.chunk', created: 1_748_736_000, model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`
  const parts: string[] = []
  for (let sent = 0; sent < bytes; sent += eventBytes) {
    const content = 'a'.repeat(Math.min(eventBytes, bytes - sent))
    parts.push(chunk(sent === 0 ? { role: 'assistant', content } : { content }, null))
  }
  parts.push(chunk({}, 'stop'), 'data: [DONE]\n\n')
  return new Response(new Blob(parts), { headers: { 'content-type': 'text/event-stream; charset=utf-8', ...headers } })
}

/** A body sent one byte every `intervalMs` (after its first `burst` bytes at once) until the client leaves. */
function dripBody(text: string, intervalMs: number, signal: AbortSignal, burst = 0): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  let index = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index > 0) await sleep(intervalMs)
      if (signal.aborted || index >= bytes.length) return controller.close()
      const end = index === 0 && burst > 0 ? burst : index + 1
      controller.enqueue(bytes.subarray(index, end))
      index = end
    },
  })
}

/** The prefill of a chat request carrying `vendor`'s marker (DeepSeek's only on its beta path), else undefined. */
function continuedPrefill(vendor: PrefillVendor | undefined, path: string, body: Json): Continued | undefined {
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : []
  const last = messages.at(-1)
  if (!vendor || last?.role !== 'assistant' || typeof last.content !== 'string') return undefined
  const marked =
    vendor === 'vllm'
      ? body.continue_final_message === true && body.add_generation_prompt === false
      : vendor === 'moonshot' || vendor === 'qwen'
        ? last.partial === true
        : last.prefix === true && (vendor !== 'deepseek' || path === '/beta/chat/completions')
  return marked ? { prefill: last.content, echo: vendor === 'mistral' } : undefined
}

/** The text a continued request is answered with: the scripted text after the prefill (else FAKE_CONTINUATION), behind the prefill when the vendor repeats it. */
function continuedText(scripted: string, continued: Continued): string {
  const { prefill } = continued
  const rest = prefill !== '' && scripted.startsWith(prefill) ? scripted.slice(prefill.length) : FAKE_CONTINUATION
  return continued.echo ? prefill + rest : rest
}

/** A usage object with the prefill counted as input and `text` as output. */
function continuedUsage(usage: FakeUsage, continued: Continued, text: string): FakeUsage {
  const prompt = usage.prompt_tokens + prefillTokens(continued.prefill)
  const completion = Math.max(1, Math.ceil(text.length / 4))
  return { ...usage, prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}

/** The chunk lines of a continued stream: the scripted stream's role, finish and usage chunks around the continued text, a word per chunk. */
function continuedLines(lines: string[], continued: Continued): string[] {
  const chunks = lines.map((line) => JSON.parse(line) as Json)
  type Choice = { delta?: { content?: string; role?: string } }
  const content = (chunk: Json) => (chunk.choices as Choice[] | undefined)?.[0]?.delta?.content
  const text = continuedText(chunks.map((chunk) => content(chunk) ?? '').join(''), continued)
  const template = chunks.find((chunk) => content(chunk))
  const words = text.split(/(?= )/).map((word) => ({ ...template, choices: [{ index: 0, delta: { content: word }, logprobs: null, finish_reason: null }] }))
  const roleAt = chunks.findIndex((chunk) => (chunk.choices as Choice[] | undefined)?.[0]?.delta?.role !== undefined)
  const kept = chunks.filter((chunk) => !content(chunk))
  const withUsage = kept.map((chunk) => (chunk.usage ? { ...chunk, usage: continuedUsage(chunk.usage as FakeUsage, continued, text) } : chunk))
  withUsage.splice(roleAt + 1, 0, ...words)
  return withUsage.map((chunk) => JSON.stringify(chunk))
}

/** A non-stream answer continued: the message's content is the continued text, the usage moved the same way. */
function continuedAnswer(answer: Json, continued: Continued): Json {
  type Choice = { message: { content: string } }
  const choice = (answer.choices as Choice[])[0]!
  const text = continuedText(choice.message.content, continued)
  return {
    ...answer,
    choices: [{ ...choice, message: { ...choice.message, content: text } }],
    usage: continuedUsage(answer.usage as FakeUsage, continued, text),
  }
}

/** Answers an authenticated, routed request according to the scenario (`continued`: a marked prefill the fake's vendor continues). */
async function answer(route: Route, request: Request, body: Json, scenario: FakeScenario, tracker: StreamTracker, continued?: Continued): Promise<Response> {
  if (scenario.kind === 'raw') return new Response(scenario.body, { status: scenario.status, headers: { 'content-type': scenario.contentType } })
  if (scenario.kind === 'status') {
    const fixture = errorFixtures[scenario.status]
    const errorBody =
      scenario.body ??
      (fixture ? loadFixture('openai', fixture) : { error: { message: `HTTP ${scenario.status}`, type: 'server_error', param: null, code: null } })
    return json(scenario.status, errorBody, scenario.headers)
  }
  if (scenario.kind === 'hang') {
    await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }))
    return new Response(null, { status: 499 })
  }
  if (scenario.kind === 'slow') await sleep(scenario.delayMs)
  const headers = { 'x-request-id': `req_${crypto.randomUUID().replaceAll('-', '')}` }
  const streaming = body.stream === true
  if (scenario.kind === 'huge')
    return streaming && scenario.eventBytes !== undefined && scenario.eventBytes < scenario.bytes
      ? hugeStreamInEvents(body.model, scenario.bytes, scenario.eventBytes, headers)
      : hugeAnswer(body.model, scenario.bytes, streaming, headers)
  if (scenario.kind === 'drip') {
    const text = streaming ? sseFrames(streamLines(route, body, scenario), scenario).join('') : JSON.stringify(completeAnswer(route, body, scenario))
    const type = streaming ? 'text/event-stream; charset=utf-8' : 'application/json'
    const burst = streaming && scenario.afterFirstEvent ? text.indexOf('\n\n') + 2 : 0
    return new Response(dripBody(text, scenario.intervalMs, request.signal, burst), { headers: { 'content-type': type, ...headers } })
  }
  if (body.stream === true && (route === 'chat' || route === 'completions' || route === 'responses')) {
    const lines = route === 'responses' ? [] : continued ? continuedLines(streamLines(route, body, scenario), continued) : streamLines(route, body, scenario)
    const frames = route === 'responses' ? responsesSseFrames(responsesStreamEvents(body, scenario), scenario) : sseFrames(lines, scenario)
    const stream = frameBody(frames, faultsOf(scenario), request.signal, tracker)
    return new Response(stream, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers } })
  }
  const complete = completeAnswer(route, body, scenario)
  const text = JSON.stringify(continued ? continuedAnswer(complete, continued) : complete)
  if (scenario.kind === 'reset-mid-stream' || scenario.kind === 'malformed-chunk') {
    return new Response(brokenBody(text, scenario.kind === 'reset-mid-stream'), { headers: { 'content-type': 'application/json', ...headers } })
  }
  return new Response(text, { headers: { 'content-type': 'application/json', ...headers } })
}

/** Starts the fake on a random loopback port. */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const initial: FakeScenario = options.scenario ?? { kind: 'fixture' }
  const requests: RecordedRequest[] = []
  const nextResponses: FakeScenario[] = []
  const tracker = new StreamTracker()
  let fallback = initial

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const recorded = await record(request, url)
    requests.push(recorded)
    const key = bearerKey(request)
    if (!key || (options.keys && !options.keys.includes(key))) return json(401, loadFixture('openai', 'openai-error-401.json'))
    const route = options.continuation === 'deepseek' && url.pathname === '/beta/chat/completions' ? 'chat' : routes[`${request.method} ${url.pathname}`]
    if (!route) return invalidRequest(404, `Invalid URL (${request.method} ${url.pathname})`)
    if (route !== 'models' && !recorded.body) return invalidRequest(400, 'We could not parse the JSON body of your request.')
    if (route === 'completions' && options.completionModels && !options.completionModels.includes(String(recorded.body?.model))) {
      return json(404, {
        error: {
          message: 'This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?',
          type: 'invalid_request_error',
          param: 'model',
          code: null,
        },
      })
    }
    const scenario = nextResponses.shift() ?? fallback
    const continued = route === 'chat' ? continuedPrefill(options.continuation, url.pathname, recorded.body ?? {}) : undefined
    return answer(route, request, recorded.body ?? {}, scenario, tracker, continued)
  }

  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    fetch: handle,
    error: (error) => json(500, { error: { message: `fake upstream failed: ${error.message}`, type: 'server_error', param: null, code: null } }),
  })
  const setScenario = (scenario: FakeScenario) => {
    fallback = scenario
  }
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    nextResponses,
    get openStreams() {
      return tracker.open
    },
    get abortedStreams() {
      return tracker.aborted
    },
    setScenario,
    setDefault: setScenario,
    queue: (...scenarios) => {
      nextResponses.push(...scenarios)
    },
    reset() {
      requests.length = 0
      nextResponses.length = 0
      tracker.aborted = 0
      fallback = initial
    },
    async stop() {
      await server.stop(true)
    },
  }
}
