// A fake Cohere v2 chat API on 127.0.0.1, speaking its wire format: complete answers and named SSE
// events, with `usage.billed_units` (search units included) as Cohere bills them, and no model echoed.
// see https://docs.cohere.com/reference/chat and https://docs.cohere.com/reference/chat-stream

/** What the next answer contains. */
export interface FakeCohereAnswer {
  /** Text of the answer. */
  text: string
  /** Thinking before the text (reasoning models). */
  thinking?: string
  /** Cohere's usage member; `null` leaves it out of the answer entirely ("no usage"). */
  usage: Record<string, unknown> | null
}

/** A running fake. */
export interface FakeCohere {
  /** Base URL, as a channel's base URL. */
  readonly url: string
  /** Every request body received, oldest first. */
  readonly requests: Array<{ path: string; authorization: string | null; body: Record<string, unknown> }>
  /** Answers used one per request, first in first out; then the default. */
  queue(...answers: FakeCohereAnswer[]): void
  stop(): Promise<void>
}

const DEFAULT_ANSWER: FakeCohereAnswer = { text: 'Hello from Cohere.', usage: { billed_units: { input_tokens: 10, output_tokens: 4 }, tokens: { input_tokens: 80, output_tokens: 4 } } }

/** The complete answer body; note: no `model` member, as Cohere's v2 answers have none. */
function completeBody(answer: FakeCohereAnswer): Record<string, unknown> {
  const content = [...(answer.thinking ? [{ type: 'thinking', thinking: answer.thinking }] : []), { type: 'text', text: answer.text }]
  return { id: 'c0ffee00-0000-4000-8000-000000000001', finish_reason: 'COMPLETE', message: { role: 'assistant', content }, ...(answer.usage === null ? {} : { usage: answer.usage }) }
}

/** The SSE frames of a streamed answer, each with its `event:` name as Cohere sends them. */
function streamFrames(answer: FakeCohereAnswer): string[] {
  const events: Array<Record<string, unknown>> = [{ type: 'message-start', id: 'c0ffee00-0000-4000-8000-000000000002', delta: { message: { role: 'assistant' } } }]
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
  return events.map((event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`)
}

/** Starts the fake on a free port. */
export function startFakeCohere(): FakeCohere {
  const requests: FakeCohere['requests'] = []
  const pending: FakeCohereAnswer[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname
      if (request.method !== 'POST' || path !== '/v2/chat') return Response.json({ message: 'not found' }, { status: 404 })
      const body = (await request.json()) as Record<string, unknown>
      requests.push({ path, authorization: request.headers.get('authorization'), body })
      const answer = pending.shift() ?? DEFAULT_ANSWER
      if (body.stream !== true) return Response.json(completeBody(answer))
      return new Response(streamFrames(answer).join(''), { headers: { 'content-type': 'text/event-stream' } })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    queue: (...answers) => void pending.push(...answers),
    stop: () => server.stop(true),
  }
}
