import type { Server } from 'bun'
import { loadChunks, loadFixture } from './fixtures.ts'

// A fake OpenAI API on 127.0.0.1 replaying recorded-shape fixtures, with fault switches.
// Wire facts: https://platform.openai.com/docs/api-reference/chat/create (streaming, include_usage)

/** OpenAI's usage object as the fake reports it. */
export interface FakeUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details?: { cached_tokens?: number }
  completion_tokens_details?: { reasoning_tokens?: number }
}

/** How the fake answers one request. */
export type FakeScenario =
  /** Answer from fixtures: tool-call fixture when the request has tools, n=2 fixture for n=2, else text. */
  | { kind: 'fixture' }
  /** Answer with this HTTP status and JSON body. */
  | { kind: 'status'; status: number; body: unknown }
  /** Wait, then answer from fixtures. */
  | { kind: 'slow'; delayMs: number }
  /** Never answer (until the client gives up). */
  | { kind: 'hang' }
  /** Stream the fixture with a pause between chunks. */
  | { kind: 'stream-gap'; gapMs: number }
  /** Send some chunks, then break the connection. */
  | { kind: 'reset-mid-stream'; afterChunks: number }
  /** Send some chunks, then a line that is not JSON. */
  | { kind: 'malformed-chunk'; afterChunks: number }
  /** Stream without a usage chunk even when asked for one. */
  | { kind: 'no-usage' }
  /** Answer from fixtures but report these usage numbers. */
  | { kind: 'usage'; usage: FakeUsage }

/** A request the fake received. */
export interface RecordedRequest {
  method: string
  path: string
  headers: Record<string, string>
  rawBody: string
  body: Record<string, unknown> | undefined
}

/** A running fake OpenAI server. */
export interface FakeOpenAI {
  /** Base URL without `/v1`, as a channel's base URL. */
  url: string
  /** Every request received, oldest first. */
  requests: RecordedRequest[]
  /** Streams whose client went away before the end. */
  abortedStreams: number
  /** Scenarios used one per request before falling back to the default. */
  queue(...scenarios: FakeScenario[]): void
  /** The scenario used when the queue is empty. */
  setDefault(scenario: FakeScenario): void
  /** Forgets requests, queued scenarios and counters. */
  reset(): void
  stop(): Promise<void>
}

type Json = Record<string, unknown>

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const encoder = new TextEncoder()

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

function withUsage<T extends Json>(body: T, usage: FakeUsage | undefined): T {
  return usage ? { ...body, usage } : body
}

/** Picks and adapts the fixture for a non-stream request. */
function completeAnswer(path: string, request: Json, usage: FakeUsage | undefined): Json {
  if (path.endsWith('/embeddings')) {
    const fixture = loadFixture('openai', 'openai-embeddings.json')
    const inputs = Array.isArray(request.input) ? request.input.length : 1
    const data = (fixture.data as Json[]).slice(0, Math.max(1, Math.min(inputs, 2)))
    return withUsage({ ...fixture, data, model: request.model }, usage)
  }
  if (path.endsWith('/completions') && !path.endsWith('/chat/completions')) return withUsage({ ...loadFixture('openai', 'openai-completions.json'), model: request.model }, usage)
  const name = Array.isArray(request.tools) && request.tools.length > 0 ? 'openai-chat-tool-call.json' : request.n === 2 ? 'openai-chat-n2.json' : 'openai-chat-text.json'
  return withUsage({ ...loadFixture('openai', name), model: request.model }, usage)
}

/** The chunk lines of a stream answer, shaped like OpenAI's for the request's include_usage setting. */
function streamChunks(path: string, request: Json, scenario: FakeScenario): string[] {
  const chat = path.endsWith('/chat/completions')
  const name = !chat ? 'openai-completions.chunks.txt' : Array.isArray(request.tools) && request.tools.length > 0 ? 'openai-chat-tool-call.chunks.txt' : 'openai-chat-text.chunks.txt'
  const includeUsage = (request.stream_options as Json | undefined)?.include_usage === true && scenario.kind !== 'no-usage'
  const chunks: Json[] = loadChunks<Json>('openai', name).map((chunk) => ({ ...chunk, model: request.model }))
  const lines: string[] = []
  for (const chunk of chunks) {
    const usageChunk = Array.isArray(chunk.choices) && chunk.choices.length === 0
    if (usageChunk && !includeUsage) continue
    if (usageChunk && scenario.kind === 'usage') chunk.usage = scenario.usage
    if (!includeUsage) delete chunk.usage
    lines.push(JSON.stringify(chunk))
  }
  return lines
}

/** Starts the fake on a random loopback port. */
export async function startFakeOpenAI(options: { keys?: string[] } = {}): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = []
  let queued: FakeScenario[] = []
  let fallback: FakeScenario = { kind: 'fixture' }
  const state = { abortedStreams: 0 }

  function streamResponse(lines: string[], scenario: FakeScenario, signal: AbortSignal): Response {
    let index = 0
    let finished = false
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (scenario.kind === 'stream-gap' && index > 0) await sleep(scenario.gapMs)
        if (signal.aborted) return
        if (scenario.kind === 'reset-mid-stream' && index === scenario.afterChunks) {
          finished = true
          controller.error(new Error('connection reset by fake upstream'))
          return
        }
        if (scenario.kind === 'malformed-chunk' && index === scenario.afterChunks) {
          controller.enqueue(encoder.encode('data: {"id":"chatcmpl-broken","choices":[{"index":0,"delta":{"content":"oops"\n\n'))
          index += 1
          return
        }
        const line = lines[index]
        index += 1
        if (line === undefined) {
          controller.enqueue(encoder.encode('data: [DONE]\n\n'))
          finished = true
          controller.close()
          return
        }
        controller.enqueue(encoder.encode(`data: ${line}\n\n`))
      },
      cancel() {
        if (!finished) state.abortedStreams += 1
      },
    })
    signal.addEventListener('abort', () => {
      if (!finished) {
        finished = true
        state.abortedStreams += 1
      }
    })
    return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } })
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const rawBody = request.method === 'POST' ? await request.text() : ''
    let body: Json | undefined
    try {
      body = rawBody ? (JSON.parse(rawBody) as Json) : undefined
    } catch {
      body = undefined
    }
    requests.push({ method: request.method, path: url.pathname, headers: Object.fromEntries(request.headers), rawBody, body })
    const key = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? ''
    if (!key || (options.keys && !options.keys.includes(key))) return json(401, loadFixture('openai', 'openai-error-401.json'))
    if (request.method === 'GET' && url.pathname === '/v1/models') return json(200, loadFixture('openai', 'openai-models.json'))
    if (request.method !== 'POST' || !['/v1/chat/completions', '/v1/completions', '/v1/embeddings'].includes(url.pathname)) {
      return json(404, { error: { message: `Invalid URL (${request.method} ${url.pathname})`, type: 'invalid_request_error', param: null, code: null } })
    }
    if (!body) return json(400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } })
    const scenario = queued.shift() ?? fallback
    if (scenario.kind === 'status') return json(scenario.status, scenario.body)
    if (scenario.kind === 'hang') {
      await new Promise((resolve) => request.signal.addEventListener('abort', resolve))
      return json(499, {})
    }
    if (scenario.kind === 'slow') await sleep(scenario.delayMs)
    if (body.stream === true) return streamResponse(streamChunks(url.pathname, body, scenario), scenario, request.signal)
    return json(200, completeAnswer(url.pathname, body, scenario.kind === 'usage' ? scenario.usage : undefined))
  }

  const server: Server<undefined> = Bun.serve({ hostname: '127.0.0.1', port: 0, idleTimeout: 0, fetch: handle })
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    get abortedStreams() {
      return state.abortedStreams
    },
    queue: (...scenarios) => {
      queued.push(...scenarios)
    },
    setDefault: (scenario) => {
      fallback = scenario
    },
    reset() {
      requests.length = 0
      queued = []
      fallback = { kind: 'fixture' }
      state.abortedStreams = 0
    },
    async stop() {
      await server.stop(true)
    },
  }
}
