import type { Server } from 'bun'
import { brokenBody, faultsOf, frameBody, readRequestBody, StreamTracker } from './fake-stream.ts'
import { loadChunks, loadFixture } from './fixtures.ts'

// A fake Anthropic Messages API on 127.0.0.1 replaying the recorded-shape fixtures in
// plugins/claude/__fixtures__, with fault switches, so gateway tests never need the real upstream.
// It checks what Anthropic checks first (x-api-key, anthropic-version, max_tokens, the thinking
// budget and temperature rules) so a converter that builds a body Anthropic would refuse fails here.
// see https://docs.claude.com/en/api/messages (request, response)
// see https://docs.claude.com/en/docs/build-with-claude/streaming (named events, usage in message_start and message_delta)
// see https://docs.claude.com/en/api/errors (error bodies and statuses, in-stream error events)
// see https://docs.claude.com/en/docs/build-with-claude/extended-thinking (budget and temperature rules)

type Json = Record<string, unknown>

/** Anthropic's usage counters as the fake reports them. */
export interface FakeAnthropicUsage {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens?: number
  cache_read_input_tokens?: number
  /** The writes split by cache lifetime, as Anthropic reports them with `ttl` breakpoints. */
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number }
}

/** How the fake answers one request. Scenarios that concern streams act like `fixture` on a non-stream request unless noted. */
export type FakeAnthropicScenario =
  /**
   * Answer from fixtures. Without `name`: tool-use fixture when the request has tools, thinking fixture when
   * `thinking.type === 'enabled'`, else text. With `name` (e.g. `claude-tool-use`): `<name>.json`, or `<name>.chunks.txt` when streaming.
   */
  | { kind: 'fixture'; name?: string }
  /** Answer with this HTTP status; `body` defaults to the recorded error for 400, 401, 429 and 529. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Wait, then answer from fixtures. */
  | { kind: 'slow'; delayMs: number }
  /** Never answer; the request stays open until the client gives up. */
  | { kind: 'hang' }
  /** Stream with a pause between events; `events` replaces the fixture with exactly these event objects. */
  | { kind: 'stream-gap'; gapMs: number; events?: Json[] }
  /** Send `afterChunks` events, then break the connection (a non-stream answer breaks halfway through the body). */
  | { kind: 'reset-mid-stream'; afterChunks: number }
  /** Send `afterChunks` events (default 1), then one whose data is not JSON (a non-stream answer is truncated JSON). */
  | { kind: 'malformed-chunk'; afterChunks?: number }
  /** Send `afterChunks` events (default 2), then an `event: error` (overloaded unless told) and end, as Anthropic does after a 200. */
  | { kind: 'stream-error'; afterChunks?: number; errorType?: string; message?: string }
  /** Answer from fixtures but report these usage numbers (in message_start and message_delta when streaming). */
  | { kind: 'usage'; usage: FakeAnthropicUsage }

/** A request the fake received. */
export interface RecordedAnthropicRequest {
  method: string
  /** Path without the query string, e.g. `/v1/messages`. */
  path: string
  /** Lower-cased header names. */
  headers: Record<string, string>
  rawBody: string
  /** The parsed JSON body; undefined when there is none or it is not JSON. */
  body: Json | undefined
}

/** Options of `startFakeAnthropic`. */
export interface FakeAnthropicOptions {
  /** API keys accepted in `x-api-key`; by default any non-empty key. */
  keys?: string[]
  /** The scenario used when `nextResponses` is empty (default `{ kind: 'fixture' }`). */
  scenario?: FakeAnthropicScenario
}

/** A running fake Anthropic server. */
export interface FakeAnthropic {
  /** Base URL without `/v1` (`http://127.0.0.1:PORT`), as a channel's base URL. */
  readonly url: string
  /** Every request received, oldest first, including rejected ones. */
  readonly requests: RecordedAnthropicRequest[]
  /** Scenarios used one per request, first in first out, before falling back to the default scenario. */
  readonly nextResponses: FakeAnthropicScenario[]
  /** Streams currently being sent. */
  readonly openStreams: number
  /** Streams whose client went away before the end. */
  readonly abortedStreams: number
  /** Sets the scenario used when `nextResponses` is empty. */
  setScenario(scenario: FakeAnthropicScenario): void
  /** Same as `setScenario`. */
  setDefault(scenario: FakeAnthropicScenario): void
  /** Same as `nextResponses.push(...)`. */
  queue(...scenarios: FakeAnthropicScenario[]): void
  /** Forgets requests, queued scenarios and the aborted-stream count, and restores the default scenario. */
  reset(): void
  /** Stops listening and closes open connections. */
  stop(): Promise<void>
}

const errorFixtures: Record<number, string> = {
  400: 'claude-error-400.json',
  401: 'claude-error-401.json',
  429: 'claude-error-429.json',
  529: 'claude-error-529-overloaded.json',
}

const errorTypeByStatus: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const requestId = () => `req_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`

function errorBody(type: string, message: string): Json {
  return { type: 'error', error: { type, message }, request_id: requestId() }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'request-id': requestId(), ...headers } })
}

function invalidRequest(message: string, status = 400): Response {
  return json(status, errorBody(errorTypeByStatus[status] ?? 'invalid_request_error', message))
}

/** The first rule Anthropic would refuse this body for, or undefined. */
function bodyProblem(body: Json): string | undefined {
  if (typeof body.model !== 'string') return 'model: Field required'
  if (!Array.isArray(body.messages)) return 'messages: Field required'
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Field required'
  const prefill = prefillOf(body)
  if (prefill !== undefined && prefill !== prefill.trimEnd()) return 'messages: final assistant content cannot end with trailing whitespace'
  const thinking = body.thinking as Json | undefined
  if (thinking?.type !== 'enabled') return undefined
  const budget = thinking.budget_tokens
  if (typeof budget !== 'number' || budget < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024'
  if (budget >= body.max_tokens)
    return '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size'
  if (body.temperature !== undefined && body.temperature !== 1)
    return '`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility'
  if (body.top_k !== undefined)
    return '`top_k` must be unset when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility'
  // A text prefill with thinking on: the final assistant message would have to start with a thinking block.
  if (prefill !== undefined)
    return `messages.${(body.messages as Json[]).length - 1}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`text\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block. We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`
  return undefined
}

/** The text of a final assistant turn (Anthropic's prefill), or undefined when the last message is not the assistant's. */
function prefillOf(body: Json): string | undefined {
  const messages = body.messages as Json[]
  const last = messages[messages.length - 1]
  if (last?.role !== 'assistant') return undefined
  if (typeof last.content === 'string') return last.content
  if (!Array.isArray(last.content)) return ''
  return (last.content as Json[]).map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : '')).join('')
}

/** What the fake writes on after a prefill that is not the start of its scripted answer. */
export const FAKE_CONTINUATION = ' and that is the rest of the answer.'

/** The prefill as the fake counts it: one input token per 4 characters, rounded up. */
export const prefillTokens = (prefill: string) => Math.ceil(prefill.length / 4)

/**
 * The events of an answer that continues a prefill, as the real API does: the scripted answer's text minus the
 * prefill when the prefill starts it (else FAKE_CONTINUATION) in one text block; the prefill counted as input.
 */
function continuedEvents(events: Json[], prefill: string): Json[] {
  const deltas = events.filter((event) => event.type === 'content_block_delta' && (event.delta as Json).type === 'text_delta')
  const scripted = deltas.map((event) => String((event.delta as Json).text)).join('')
  const rest = prefill !== '' && scripted.startsWith(prefill) ? scripted.slice(prefill.length) : FAKE_CONTINUATION
  const addInput = (usage: Json) => ({ ...usage, input_tokens: Number(usage.input_tokens ?? 0) + prefillTokens(prefill) })
  const output = Math.max(1, Math.ceil(rest.length / 4))
  return events.flatMap((event): Json[] => {
    if (event.type === 'message_start') {
      const message = event.message as Json
      return [{ ...event, message: { ...message, usage: addInput(message.usage as Json) } }]
    }
    if (event.type === 'content_block_start') return [{ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }]
    if (event.type === 'content_block_delta')
      return event === deltas[0] ? [{ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: rest } }] : []
    if (event.type === 'content_block_stop') return event.index === 0 ? [{ type: 'content_block_stop', index: 0 }] : []
    if (event.type === 'message_delta') return [{ ...event, usage: { ...addInput(event.usage as Json), output_tokens: output } }]
    return [event]
  })
}

/** The fixture's base name (no extension) for a fixture-style answer. */
function fixtureName(request: Json, scenario: FakeAnthropicScenario): string {
  if (scenario.kind === 'fixture' && scenario.name) return scenario.name.replace(/(\.chunks\.txt|\.json)$/, '')
  if (Array.isArray(request.tools) && request.tools.length > 0) return 'claude-tool-use'
  return (request.thinking as Json | undefined)?.type === 'enabled' ? 'claude-thinking' : 'claude-text'
}

/** The JSON body of a non-stream answer. */
function completeAnswer(request: Json, scenario: FakeAnthropicScenario): Json {
  const fixture = loadFixture('claude', `${fixtureName(request, scenario)}.json`)
  const usage = scenario.kind === 'usage' ? { usage: { ...(fixture.usage as Json), ...scenario.usage } } : {}
  const answer = { ...fixture, model: request.model ?? fixture.model, ...usage }
  const prefill = prefillOf(request)
  if (prefill === undefined) return answer
  const scripted = (fixture.content as Json[]).map((block) => (block.type === 'text' ? String(block.text) : '')).join('')
  const rest = prefill !== '' && scripted.startsWith(prefill) ? scripted.slice(prefill.length) : FAKE_CONTINUATION
  const counted = answer.usage as Json
  return {
    ...answer,
    content: [{ type: 'text', text: rest }],
    usage: { ...counted, input_tokens: Number(counted.input_tokens) + prefillTokens(prefill), output_tokens: Math.max(1, Math.ceil(rest.length / 4)) },
  }
}

/** The events of a stream answer: the model echoed in message_start, usage per the scenario. */
function streamEvents(request: Json, scenario: FakeAnthropicScenario): Json[] {
  if (scenario.kind === 'stream-gap' && scenario.events) return scenario.events
  const prefill = prefillOf(request)
  const events = scriptedEvents(request, scenario)
  return prefill === undefined ? events : continuedEvents(events, prefill)
}

/** The recorded events of a stream answer, the model echoed and usage per the scenario. */
function scriptedEvents(request: Json, scenario: FakeAnthropicScenario): Json[] {
  return loadChunks('claude', `${fixtureName(request, scenario)}.chunks.txt`).map((recorded) => {
    if (recorded.type === 'message_start') {
      const message = recorded.message as Json
      const usage: Json = { ...(message.usage as Json) }
      // message_start reports the input side; output is counted as it streams.
      if (scenario.kind === 'usage') Object.assign(usage, scenario.usage, { output_tokens: usage.output_tokens })
      return { ...recorded, message: { ...message, model: request.model ?? message.model, usage } }
    }
    if (recorded.type === 'message_delta' && scenario.kind === 'usage') return { ...recorded, usage: { ...(recorded.usage as Json), ...scenario.usage } }
    return recorded
  })
}

/** The SSE frames of a stream answer: `event: <type>` and `data: <event>` each, plus the scenario's faults. */
function sseFrames(events: Json[], scenario: FakeAnthropicScenario): string[] {
  const frames = events.map((event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`)
  if (scenario.kind === 'malformed-chunk')
    frames.splice(
      scenario.afterChunks ?? 1,
      0,
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"oops"\n\n',
    )
  if (scenario.kind === 'stream-error') {
    const error = { type: 'error', error: { type: scenario.errorType ?? 'overloaded_error', message: scenario.message ?? 'Overloaded' } }
    frames.splice(scenario.afterChunks ?? 2, frames.length, `event: error\ndata: ${JSON.stringify(error)}\n\n`)
  }
  return frames
}

/**
 * A page of `GET /v1/models`: the recorded first page, or the recorded second one for the first
 * page's `last_id` as `after_id` (the list is two pages long); any other cursor is past the end.
 * see https://docs.claude.com/en/api/models-list
 */
function modelPage(afterId: string | null): Json {
  const first = loadFixture('claude', 'claude-models.json')
  if (afterId === null) return first
  if (afterId === first.last_id) return loadFixture('claude', 'claude-models-page-2.json')
  return { data: [], has_more: false, first_id: null, last_id: null }
}

async function record(request: Request, url: URL): Promise<RecordedAnthropicRequest> {
  const { rawBody, body } = await readRequestBody(request)
  return { method: request.method, path: url.pathname, headers: Object.fromEntries(request.headers), rawBody, body }
}

/** Answers an authenticated, valid request according to the scenario. */
async function answer(request: Request, body: Json, scenario: FakeAnthropicScenario, tracker: StreamTracker): Promise<Response> {
  if (scenario.kind === 'status') {
    const fixture = errorFixtures[scenario.status]
    const failure =
      scenario.body ??
      (fixture ? loadFixture('claude', fixture) : errorBody(scenario.status >= 500 ? 'api_error' : 'invalid_request_error', `HTTP ${scenario.status}`))
    return json(scenario.status, failure, scenario.headers)
  }
  if (scenario.kind === 'hang') {
    await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }))
    return new Response(null, { status: 499 })
  }
  if (scenario.kind === 'slow') await sleep(scenario.delayMs)
  const headers = { 'request-id': requestId() }
  if (body.stream === true) {
    const stream = frameBody(sseFrames(streamEvents(body, scenario), scenario), faultsOf(scenario), request.signal, tracker)
    return new Response(stream, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers } })
  }
  const text = JSON.stringify(completeAnswer(body, scenario))
  if (scenario.kind === 'reset-mid-stream' || scenario.kind === 'malformed-chunk') {
    return new Response(brokenBody(text, scenario.kind === 'reset-mid-stream'), { headers: { 'content-type': 'application/json', ...headers } })
  }
  return new Response(text, { headers: { 'content-type': 'application/json', ...headers } })
}

/** Starts the fake on a random loopback port. */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const initial: FakeAnthropicScenario = options.scenario ?? { kind: 'fixture' }
  const requests: RecordedAnthropicRequest[] = []
  const nextResponses: FakeAnthropicScenario[] = []
  const tracker = new StreamTracker()
  let fallback = initial

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const recorded = await record(request, url)
    requests.push(recorded)
    const key = request.headers.get('x-api-key') ?? ''
    if (!key || (options.keys && !options.keys.includes(key))) return json(401, loadFixture('claude', 'claude-error-401.json'))
    if (!request.headers.get('anthropic-version')) return invalidRequest('anthropic-version: header is required')
    if (request.method === 'GET' && url.pathname === '/v1/models') return json(200, modelPage(url.searchParams.get('after_id')))
    if (request.method !== 'POST' || url.pathname !== '/v1/messages') return invalidRequest('Not Found', 404)
    if (!recorded.body) return invalidRequest('There was an error parsing the body of your request as JSON.')
    const problem = bodyProblem(recorded.body)
    if (problem) return invalidRequest(problem)
    const scenario = nextResponses.shift() ?? fallback
    return answer(request, recorded.body, scenario, tracker)
  }

  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    fetch: handle,
    error: (error) => json(500, errorBody('api_error', `fake upstream failed: ${error.message}`)),
  })
  const setScenario = (scenario: FakeAnthropicScenario) => {
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
