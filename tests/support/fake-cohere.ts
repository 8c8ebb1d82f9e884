import { cohereChunks, cohereFixture, cohereFrame } from '../../plugins/cohere/test/fixtures.ts'
import { answerRerank, type RerankFault } from './fake-rerank.ts'

// The one fake Cohere v2 API (chat and rerank) of the test suite, on 127.0.0.1 speaking its wire format.
// By default chat replays the built-in cohere plugin's recorded fixtures, picked by what the request asks
// for (a tool result → the final answer, tools → a tool call, else text); a test may queue answers of its
// own (text, thinking, any `usage` member). Streams are named SSE events, each frame cut in two in the
// middle of its bytes so the gateway meets chunk boundaries inside lines and UTF-8 characters. Answers
// never name the model, as Cohere's do not. Rerank answers are computed from the request in Cohere's
// shape (see fake-rerank.ts).
// see https://docs.cohere.com/reference/chat and https://docs.cohere.com/reference/chat-stream

/** An answer a test queues. */
export interface FakeCohereAnswer {
  /** Text of the answer. */
  text: string
  /** Thinking before the text (reasoning models). */
  thinking?: string
  /** Cohere's usage member; `null` leaves it out of the answer entirely ("no usage"). */
  usage: Record<string, unknown> | null
}

/** One request the fake received. */
export interface FakeCohereRequest {
  /** URL path (`/v2/chat`). */
  path: string
  /** The `Authorization` header (Cohere takes `Bearer <key>`). */
  authorization: string | null
  /** The JSON body. */
  body: Record<string, unknown>
}

/** A running fake. */
export interface FakeCohere {
  /** Base URL, as a channel's base URL. */
  readonly url: string
  /** Every request received, oldest first. */
  readonly requests: FakeCohereRequest[]
  /** Answers used one per request, first in first out; then the recorded fixtures. */
  queue(...answers: FakeCohereAnswer[]): void
  /** Rerank faults or raw answers used one per rerank request, first in first out; then computed answers. */
  queueRerank(...faults: RerankFault[]): void
  /** Stops the server. */
  stop(): Promise<void>
}

/** Which recorded answer a chat body gets. */
export function cohereAnswerName(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<{ role?: unknown }>) : []
  if (messages.at(-1)?.role === 'tool') return 'cohere-chat-tool-result'
  return Array.isArray(body.tools) && body.tools.length > 0 ? 'cohere-chat-tool-call' : 'cohere-chat-text'
}

/** A queued answer as a complete body. */
function completeBody(answer: FakeCohereAnswer): Record<string, unknown> {
  const content = [...(answer.thinking ? [{ type: 'thinking', thinking: answer.thinking }] : []), { type: 'text', text: answer.text }]
  return {
    id: 'c0ffee00-0000-4000-8000-000000000003',
    finish_reason: 'COMPLETE',
    message: { role: 'assistant', content },
    ...(answer.usage === null ? {} : { usage: answer.usage }),
  }
}

/** A queued answer as stream event payloads, in Cohere's order. */
function streamPayloads(answer: FakeCohereAnswer): string[] {
  const events: Array<Record<string, unknown>> = [
    { id: 'c0ffee00-0000-4000-8000-000000000004', type: 'message-start', delta: { message: { role: 'assistant' } } },
  ]
  let index = 0
  if (answer.thinking) {
    events.push({ type: 'content-start', index, delta: { message: { content: { type: 'thinking', thinking: '' } } } })
    events.push({ type: 'content-delta', index, delta: { message: { content: { thinking: answer.thinking } } } })
    events.push({ type: 'content-end', index })
    index += 1
  }
  events.push({ type: 'content-start', index, delta: { message: { content: { type: 'text', text: '' } } } })
  for (const word of answer.text.split(/(?<= )/)) events.push({ type: 'content-delta', index, delta: { message: { content: { text: word } } } })
  events.push({ type: 'content-end', index })
  events.push({ type: 'message-end', delta: { finish_reason: 'COMPLETE', ...(answer.usage === null ? {} : { usage: answer.usage }) } })
  return events.map((event) => JSON.stringify(event))
}

/** The SSE body of these payloads, each frame cut in two halves by bytes. */
function streamBody(payloads: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const pieces = payloads.flatMap((data) => {
    const frame = encoder.encode(cohereFrame(data))
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

/** Starts the fake on a free port; with `keys`, any other bearer key gets Cohere's 401. */
export function startFakeCohere(options: { keys?: string[] } = {}): FakeCohere {
  const requests: FakeCohereRequest[] = []
  const pending: FakeCohereAnswer[] = []
  const rerankPending: RerankFault[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname
      if (request.method !== 'POST' || (path !== '/v2/chat' && path !== '/v2/rerank')) return Response.json({ message: 'not found' }, { status: 404 })
      const body = (await request.json()) as Record<string, unknown>
      const authorization = request.headers.get('authorization')
      requests.push({ path, authorization, body })
      if (options.keys && !options.keys.some((key) => authorization === `Bearer ${key}`))
        return Response.json(cohereFixture('cohere-error-401.json'), { status: 401 })
      if (path === '/v2/rerank') return answerRerank('cohere', body, rerankPending.shift())
      const queued = pending.shift()
      const name = cohereAnswerName(body)
      if (body.stream !== true) return Response.json(queued ? completeBody(queued) : cohereFixture(`${name}.json`))
      const payloads = queued ? streamPayloads(queued) : cohereChunks(`${name}.chunks.txt`)
      return new Response(streamBody(payloads), { headers: { 'content-type': 'text/event-stream' } })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    queue: (...answers) => void pending.push(...answers),
    queueRerank: (...faults) => void rerankPending.push(...faults),
    stop: () => server.stop(true),
  }
}
