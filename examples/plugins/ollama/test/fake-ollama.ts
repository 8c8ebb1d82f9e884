import { ollamaFixture, ollamaStreamBytes } from './fixtures.ts'

// A fake Ollama server on 127.0.0.1 replaying the recorded fixtures: `POST /api/chat` answers (whole or
// streamed as newline-delimited JSON) keyed by what the request asks for, `GET /api/tags`, and Ollama's
// `{error}` bodies. Each stream line is sent cut in two by bytes, so the plugin's framing meets chunk
// boundaries inside lines and inside UTF-8 characters (the em dash, °).

/** One request the fake received. */
export interface FakeOllamaRequest {
  /** HTTP method. */
  method: string
  /** URL path, e.g. `/api/chat`. */
  path: string
  /** The `Authorization` header (only a proxied Ollama wants one). */
  authorization: string | null
  /** The `Accept` header. */
  accept: string | null
  /** The JSON body of a POST. */
  body: Record<string, unknown> | undefined
}

/** A running fake. */
export interface FakeOllama {
  /** Base URL, as a channel's base URL. */
  readonly url: string
  /** Every request received, oldest first. */
  readonly requests: FakeOllamaRequest[]
  /** Stops the server. */
  stop(): Promise<void>
}

/** The models the fake has "pulled"; any other gets Ollama's 404. */
const PULLED = new Set(['qwen3:8b', 'llama3.2:3b'])

/** Which recorded answer a chat body gets: after a tool result the final answer, with tools a tool call, with think the thinking answer, else text. */
export function ollamaAnswerName(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<{ role?: unknown }>) : []
  if (messages.at(-1)?.role === 'tool') return 'ollama-chat-tool-result'
  if (Array.isArray(body.tools) && body.tools.length > 0) return 'ollama-chat-tool-call'
  return body.think === true ? 'ollama-chat-thinking' : 'ollama-chat-text'
}

/** The NDJSON body of a stream fixture, each line cut in two halves by bytes. */
function streamBody(name: string): ReadableStream<Uint8Array> {
  const bytes = ollamaStreamBytes(`${name}.ndjson`)
  const pieces: Uint8Array[] = []
  let start = 0
  for (let end = bytes.indexOf(10); end !== -1; end = bytes.indexOf(10, start)) {
    const middle = start + Math.floor((end + 1 - start) / 2)
    pieces.push(bytes.slice(start, middle), bytes.slice(middle, end + 1))
    start = end + 1
  }
  return new ReadableStream({
    pull(controller) {
      const piece = pieces.shift()
      if (piece) controller.enqueue(piece)
      else controller.close()
    },
  })
}

/** Starts the fake on a free port; with `bearer`, only that key is accepted (a proxied Ollama), else no key is needed. */
export function startFakeOllama(options: { bearer?: string } = {}): FakeOllama {
  const requests: FakeOllamaRequest[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const body = request.method === 'POST' ? ((await request.json()) as Record<string, unknown>) : undefined
      const authorization = request.headers.get('authorization')
      requests.push({ method: request.method, path: url.pathname, authorization, accept: request.headers.get('accept'), body })
      if (options.bearer !== undefined && authorization !== `Bearer ${options.bearer}`) return Response.json({ error: 'unauthorized' }, { status: 401 })
      if (request.method === 'GET' && url.pathname === '/api/tags') return Response.json(ollamaFixture('ollama-tags.json'))
      if (request.method !== 'POST' || url.pathname !== '/api/chat' || !body) return new Response('404 page not found', { status: 404 })
      if (!PULLED.has(String(body.model))) return Response.json({ error: `model "${String(body.model)}" not found, try pulling it first` }, { status: 404 })
      const name = ollamaAnswerName(body)
      if (body.stream === false) return Response.json(ollamaFixture(`${name}.json`))
      return new Response(streamBody(name), { headers: { 'content-type': 'application/x-ndjson' } })
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) }
}
