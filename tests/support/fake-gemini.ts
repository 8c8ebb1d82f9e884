import type { Server } from 'bun'
import { brokenBody, faultsOf, frameBody, readRequestBody, StreamTracker } from './fake-stream.ts'
import { loadChunks, loadFixture } from './fixtures.ts'

// A fake Gemini API (Generative Language API, v1beta) on 127.0.0.1 replaying the recorded-shape fixtures
// in plugins/gemini/__fixtures__, with the same fault switches as the fake OpenAI, so gateway tests
// never need the real upstream.
// see https://ai.google.dev/api/generate-content (generateContent, streamGenerateContent, `alt=sse`)
// see https://ai.google.dev/gemini-api/docs/api-key (`x-goog-api-key` header or `?key=`)
// see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes (400 / 403 / 429 / 500 / 503 bodies)
// see https://ai.google.dev/api/models#method:-models.list

type Json = Record<string, unknown>

/** Gemini's usage metadata as the fake reports it. */
export interface FakeGeminiUsage {
  promptTokenCount: number
  candidatesTokenCount?: number
  totalTokenCount: number
  cachedContentTokenCount?: number
  thoughtsTokenCount?: number
  toolUsePromptTokenCount?: number
}

/** How the fake answers one request. Scenarios that concern streams act like `fixture` on a non-stream request unless noted. */
export type FakeGeminiScenario =
  /**
   * Answer from fixtures. Without `name`: function-call fixture when the request declares functions,
   * thinking fixture when it sets `thinkingConfig.includeThoughts`, else text. With `name` (e.g.
   * `gemini-safety-blocked`): `<name>.json`, or `<name>.chunks.txt` when streaming (the JSON as one chunk when there is none).
   */
  | { kind: 'fixture'; name?: string }
  /** Answer with this HTTP status; `body` defaults to the recorded error for 400, 403, 429, 500 and 503. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
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
  /** Leave `usageMetadata` out of every chunk (and of a non-stream answer). */
  | { kind: 'no-usage' }
  /** Answer from fixtures but report this usage (on the last chunk when streaming). */
  | { kind: 'usage'; usage: FakeGeminiUsage }

/** A request the fake received. */
export interface RecordedGeminiRequest {
  method: string
  /** Path without the query string, e.g. `/v1beta/models/gemini-2.5-flash:generateContent`. */
  path: string
  /** Query parameters, e.g. `{ alt: 'sse' }`. */
  query: Record<string, string>
  /** The model named in the path, for generate calls. */
  model?: string
  /** The method named in the path (`generateContent`, `streamGenerateContent`), for generate calls. */
  action?: string
  /** Lower-cased header names. */
  headers: Record<string, string>
  rawBody: string
  /** The parsed JSON body; undefined when there is none or it is not JSON. */
  body: Json | undefined
}

/** Options of `startFakeGemini`. */
export interface FakeGeminiOptions {
  /** API keys accepted; by default any non-empty key. */
  keys?: string[]
  /** The scenario used when `nextResponses` is empty (default `{ kind: 'fixture' }`). */
  scenario?: FakeGeminiScenario
}

/** A running fake Gemini server. */
export interface FakeGemini {
  /** Base URL without `/v1beta` (`http://127.0.0.1:PORT`), as a channel's base URL. */
  readonly url: string
  /** Every request received, oldest first, including rejected ones. */
  readonly requests: RecordedGeminiRequest[]
  /** Scenarios used one per request, first in first out, before falling back to the default scenario. */
  readonly nextResponses: FakeGeminiScenario[]
  /** Streams currently being sent. */
  readonly openStreams: number
  /** Streams whose client went away before the end. */
  readonly abortedStreams: number
  /** Sets the scenario used when `nextResponses` is empty. */
  setScenario(scenario: FakeGeminiScenario): void
  /** Same as `setScenario`. */
  setDefault(scenario: FakeGeminiScenario): void
  /** Same as `nextResponses.push(...)`. */
  queue(...scenarios: FakeGeminiScenario[]): void
  /** Forgets requests, queued scenarios and the aborted-stream count, and restores the default scenario. */
  reset(): void
  /** Stops listening and closes open connections. */
  stop(): Promise<void>
}

const GENERATE_PATH = /^\/(v1beta|v1|v1alpha)\/models\/([^/]+)$/
const LIST_PATH = /^\/(v1beta|v1|v1alpha)\/models$/

const errorFixtures: Record<number, string> = {
  400: 'gemini-error-400.json',
  403: 'gemini-error-403.json',
  429: 'gemini-error-429.json',
  500: 'gemini-error-500.json',
  503: 'gemini-error-503.json',
}

const statusNames: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=UTF-8', ...headers } })
}

/** An error in Google's shape for a status without a recorded fixture. */
function googleError(status: number, message: string): Json {
  return { error: { code: status, message, status: statusNames[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION') } }
}

function declaresFunctions(request: Json): boolean {
  const tools = Array.isArray(request.tools) ? (request.tools as Json[]) : []
  return tools.some((tool) => Array.isArray(tool.functionDeclarations) && tool.functionDeclarations.length > 0)
}

function includesThoughts(request: Json): boolean {
  const config = request.generationConfig as { thinkingConfig?: { includeThoughts?: unknown } } | undefined
  return config?.thinkingConfig?.includeThoughts === true
}

/** The fixture's base name (no extension) for a fixture-style answer. */
function fixtureName(request: Json, scenario: FakeGeminiScenario): string {
  if (scenario.kind === 'fixture' && scenario.name) return scenario.name.replace(/(\.chunks\.txt|\.json)$/, '')
  if (declaresFunctions(request)) return 'gemini-function-call'
  return includesThoughts(request) ? 'gemini-thinking' : 'gemini-text'
}

/** A response with the requested model echoed and usage as the scenario says. */
function shaped(response: Json, model: string, scenario: FakeGeminiScenario, last: boolean): Json {
  const answer: Json = { ...response }
  if ('modelVersion' in answer) answer.modelVersion = model
  if (scenario.kind === 'no-usage') delete answer.usageMetadata
  if (scenario.kind === 'usage' && last) answer.usageMetadata = scenario.usage
  return answer
}

/** The JSON body of a non-stream answer. */
function completeAnswer(model: string, request: Json, scenario: FakeGeminiScenario): Json {
  return shaped(loadFixture('gemini', `${fixtureName(request, scenario)}.json`), model, scenario, true)
}

/** The chunks of a stream answer; a named fixture without a chunk file streams its JSON as one chunk. */
function streamChunks(model: string, request: Json, scenario: FakeGeminiScenario): Json[] {
  if (scenario.kind === 'stream-gap' && scenario.chunks) return scenario.chunks
  const name = fixtureName(request, scenario)
  let recorded: Json[]
  try {
    recorded = loadChunks('gemini', `${name}.chunks.txt`)
  } catch {
    recorded = [loadFixture('gemini', `${name}.json`)]
  }
  return recorded.map((chunk, index) => shaped(chunk, model, scenario, index === recorded.length - 1))
}

const malformedChunk = '{"candidates": [{"content": {"parts": [{"text": "oops"'

/**
 * The frames of a stream answer. With `alt=sse`, `data: <chunk>\r\n\r\n` per chunk as Google frames
 * them, and no end marker; without it, Google's JSON-array form: `[` chunk `,\r\n` chunk … `]`.
 */
function streamFrames(chunks: Json[], scenario: FakeGeminiScenario, sse: boolean): string[] {
  const lines = chunks.map((chunk) => JSON.stringify(chunk))
  if (scenario.kind === 'malformed-chunk') lines.splice(scenario.afterChunks ?? 1, 0, malformedChunk)
  if (sse) return lines.map((line) => `data: ${line}\r\n\r\n`)
  return lines.map((line, index) => `${index === 0 ? '[' : ',\r\n'}${line}${index === lines.length - 1 ? ']' : ''}`)
}

/** The API key of a request: `x-goog-api-key`, else `?key=`; '' when there is none. */
function apiKey(request: Request, url: URL): string {
  return request.headers.get('x-goog-api-key')?.trim() || url.searchParams.get('key')?.trim() || ''
}

async function record(request: Request, url: URL): Promise<RecordedGeminiRequest> {
  const { rawBody, body } = await readRequestBody(request)
  const recorded: RecordedGeminiRequest = {
    method: request.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(request.headers),
    rawBody,
    body,
  }
  const segment = GENERATE_PATH.exec(url.pathname)?.[2]
  if (segment) {
    const decoded = decodeURIComponent(segment)
    const colon = decoded.lastIndexOf(':')
    recorded.model = colon === -1 ? decoded : decoded.slice(0, colon)
    recorded.action = colon === -1 ? '' : decoded.slice(colon + 1)
  }
  return recorded
}

/** Answers an authenticated generate call according to the scenario. */
async function answer(request: Request, recorded: RecordedGeminiRequest, scenario: FakeGeminiScenario, tracker: StreamTracker): Promise<Response> {
  if (scenario.kind === 'status') {
    const fixture = errorFixtures[scenario.status]
    const errorBody = scenario.body ?? (fixture ? loadFixture('gemini', fixture) : googleError(scenario.status, `HTTP ${scenario.status}`))
    return json(scenario.status, errorBody, scenario.headers)
  }
  if (scenario.kind === 'hang') {
    await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }))
    return new Response(null, { status: 499 })
  }
  if (scenario.kind === 'slow') await sleep(scenario.delayMs)
  const model = recorded.model ?? ''
  const body = recorded.body ?? {}
  if (recorded.action === 'streamGenerateContent') {
    const sse = recorded.query.alt === 'sse'
    const frames = streamFrames(streamChunks(model, body, scenario), scenario, sse)
    const contentType = sse ? 'text/event-stream' : 'application/json; charset=UTF-8'
    return new Response(frameBody(frames, faultsOf(scenario), request.signal, tracker), { headers: { 'content-type': contentType } })
  }
  const text = JSON.stringify(completeAnswer(model, body, scenario))
  if (scenario.kind === 'reset-mid-stream' || scenario.kind === 'malformed-chunk') {
    return new Response(brokenBody(text, scenario.kind === 'reset-mid-stream'), { headers: { 'content-type': 'application/json; charset=UTF-8' } })
  }
  return new Response(text, { headers: { 'content-type': 'application/json; charset=UTF-8' } })
}

/**
 * A page of `GET /v1beta/models`: the recorded first page, or the recorded second (last) one for the
 * first page's `nextPageToken`; any other token is refused as Google refuses it.
 */
function modelPage(pageToken: string | null): Response {
  const first = loadFixture('gemini', 'gemini-models.json')
  if (!pageToken) return json(200, first)
  if (pageToken === first.nextPageToken) return json(200, loadFixture('gemini', 'gemini-models-page-2.json'))
  return json(400, googleError(400, 'Invalid page token.'))
}

/** Routes one request: key check (Google's 403 without a key, 400 API_KEY_INVALID for a wrong one), then the method. */
async function route(
  request: Request,
  recorded: RecordedGeminiRequest,
  url: URL,
  options: FakeGeminiOptions,
  next: () => FakeGeminiScenario,
  tracker: StreamTracker,
): Promise<Response> {
  const key = apiKey(request, url)
  if (!key) return json(403, loadFixture('gemini', 'gemini-error-403.json'))
  if (options.keys && !options.keys.includes(key)) return json(400, loadFixture('gemini', 'gemini-error-400-api-key.json'))
  if (request.method === 'GET' && LIST_PATH.test(url.pathname)) return modelPage(url.searchParams.get('pageToken'))
  const action = recorded.action
  if (request.method === 'POST' && (action === 'embedContent' || action === 'batchEmbedContents')) return embeddingAnswer(action, recorded.body)
  if (request.method !== 'POST' || (action !== 'generateContent' && action !== 'streamGenerateContent')) {
    return json(
      404,
      googleError(
        404,
        `models/${recorded.model ?? '?'} is not found for API version v1beta, or is not supported for ${action || request.method}. Call ListModels to see the list of available models and their supported methods.`,
      ),
    )
  }
  if (!recorded.body) return json(400, googleError(400, 'Invalid JSON payload received. Unexpected end of string.'))
  if (!Array.isArray(recorded.body.contents) || recorded.body.contents.length === 0) return json(400, loadFixture('gemini', 'gemini-error-400.json'))
  return answer(request, recorded, next(), tracker)
}

/** Four numbers standing for a text's embedding: the same text always gets the same vector. */
function fakeEmbedding(content: unknown): { values: number[] } {
  const parts = (content as { parts?: Array<{ text?: string }> } | undefined)?.parts ?? []
  const text = parts.map((part) => part.text ?? '').join('')
  return { values: [text.length / 100, (text.charCodeAt(0) || 0) / 1000, 0.5, -0.25] }
}

/**
 * `:embedContent` (`{embedding: {values}}`) and `:batchEmbedContents` (`{embeddings: [...]}`, one per request);
 * see https://ai.google.dev/api/embeddings. Google reports no usage for embeddings.
 */
function embeddingAnswer(action: string, body: Record<string, unknown> | undefined): Response {
  if (action === 'embedContent') {
    if (!body?.content) return json(400, googleError(400, '* EmbedContentRequest.content: content is required.'))
    return json(200, { embedding: fakeEmbedding(body.content) })
  }
  const requests = Array.isArray(body?.requests) ? (body.requests as Array<{ content?: unknown }>) : []
  if (requests.length === 0) return json(400, googleError(400, '* BatchEmbedContentsRequest.requests: requests is required.'))
  return json(200, { embeddings: requests.map((request) => fakeEmbedding(request.content)) })
}

/** Starts the fake on a random loopback port. */
export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const initial: FakeGeminiScenario = options.scenario ?? { kind: 'fixture' }
  const requests: RecordedGeminiRequest[] = []
  const nextResponses: FakeGeminiScenario[] = []
  const tracker = new StreamTracker()
  let fallback = initial

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const recorded = await record(request, url)
    requests.push(recorded)
    return route(request, recorded, url, options, () => nextResponses.shift() ?? fallback, tracker)
  }

  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    fetch: handle,
    error: (error) => json(500, googleError(500, `fake upstream failed: ${error.message}`)),
  })
  const setScenario = (scenario: FakeGeminiScenario) => {
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
