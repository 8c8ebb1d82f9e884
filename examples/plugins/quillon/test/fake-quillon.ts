import { quillonChunks, quillonFixture } from './fixtures.ts'

// A fake Quillon Inference on 127.0.0.1 replaying the recorded fixtures: chat answers (complete or
// streamed) keyed by what the request asks for, the paginated catalog, and Quillon's `{detail}` errors.
// Streams are sent one SSE frame at a time, each split in two in the middle of its bytes, so the
// gateway's parser meets chunk boundaries inside lines and inside UTF-8 characters (the em dash, °).

/** One request the fake received. */
export interface FakeQuillonRequest {
  /** HTTP method. */
  method: string
  /** URL path, e.g. `/v1/chat/completions`. */
  path: string
  /** Query parameters (the catalog's `page_token`). */
  query: Record<string, string>
  /** The `X-Api-Key` header. */
  apiKey: string | null
  /** The `Authorization` header, which Quillon does not use (it must stay empty). */
  authorization: string | null
  /** The `X-Quillon-Project` header. */
  project: string | null
  /** The JSON body of a POST. */
  body: Record<string, unknown> | undefined
}

/** A running fake. */
export interface FakeQuillon {
  /** Base URL, as a channel's base URL. */
  readonly url: string
  /** Every request received, oldest first. */
  readonly requests: FakeQuillonRequest[]
  /** Stops the server. */
  stop(): Promise<void>
}

/** Which recorded answer a chat body gets: after a tool result the final answer, with tools a tool call, else text. */
export function quillonAnswerName(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<{ role?: unknown }>) : []
  if (messages.at(-1)?.role === 'tool') return 'quillon-chat-tool-result'
  return Array.isArray(body.tools) && body.tools.length > 0 ? 'quillon-chat-tool-call' : 'quillon-chat-text'
}

/** The SSE body of a stream fixture, each frame cut in two halves by bytes. */
function streamBody(name: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const pieces = quillonChunks(`${name}.chunks.txt`).flatMap((data) => {
    const frame = encoder.encode(`data: ${data}\n\n`)
    const middle = Math.floor(frame.length / 2)
    return [frame.slice(0, middle), frame.slice(middle)]
  })
  return new ReadableStream({
    pull(controller) {
      const piece = pieces.shift()
      if (piece) controller.enqueue(piece)
      else controller.close()
    },
  })
}

/** Starts the fake on a free port; only `keys` are accepted in `X-Api-Key`. */
export function startFakeQuillon(options: { keys: string[] }): FakeQuillon {
  const requests: FakeQuillonRequest[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const body = request.method === 'POST' ? ((await request.json()) as Record<string, unknown>) : undefined
      const headers = request.headers
      requests.push({
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
        apiKey: headers.get('x-api-key'),
        authorization: headers.get('authorization'),
        project: headers.get('x-quillon-project'),
      })
      if (!options.keys.includes(headers.get('x-api-key') ?? '')) return Response.json(quillonFixture('quillon-error-401.json'), { status: 401 })
      if (request.method === 'GET' && url.pathname === '/v1/catalog') {
        return Response.json(quillonFixture(url.searchParams.get('page_token') ? 'quillon-catalog-page-2.json' : 'quillon-catalog-page-1.json'))
      }
      if (request.method !== 'POST' || url.pathname !== '/v1/chat/completions' || !body) return Response.json({ detail: 'Not Found' }, { status: 404 })
      const name = quillonAnswerName(body)
      if (body.stream !== true) return Response.json(quillonFixture(`${name}.json`))
      return new Response(streamBody(name), { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } })
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) }
}
