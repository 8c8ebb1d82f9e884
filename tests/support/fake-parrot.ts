// A fake Parrot upstream on 127.0.0.1, speaking the example plugin's own wire format exactly as
// examples/plugins/parrot/parrot-wire.ts describes it, and recording what it was sent.

/** One request the fake received. */
export interface ParrotCall {
  /** Request path. */
  path: string
  /** The `x-parrot-key` header. */
  key: string | null
  /** The parsed JSON body. */
  body: { model?: string; turns?: Array<{ speaker: string; text: string }>; max_words?: number; stream?: boolean }
}

/** A running fake Parrot. */
export interface FakeParrot {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string
  /** Every request received, oldest first. */
  calls: ParrotCall[]
  stop(): void
}

/** Starts the fake: it answers "Polly says: <last user turn>" with a meter of 7 words heard and 4 said. */
export function startFakeParrot(): FakeParrot {
  const calls: ParrotCall[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const url = new URL(request.url)
      if (request.method === 'GET' && url.pathname === '/v1/account') {
        calls.push({ path: url.pathname, key: request.headers.get('x-parrot-key'), body: {} })
        if (request.headers.get('x-parrot-key') !== 'parrot-secret') return Response.json({ problem: 'bad key' }, { status: 401 })
        return Response.json({ credit: { amount: 42.5, currency: 'EUR' } })
      }
      const body = (await request.json()) as ParrotCall['body']
      calls.push({ path: url.pathname, key: request.headers.get('x-parrot-key'), body })
      if (url.pathname !== '/v1/generate') return Response.json({ problem: `no route ${url.pathname}` }, { status: 404 })
      if (request.headers.get('x-parrot-key') !== 'parrot-secret') return Response.json({ problem: 'bad key' }, { status: 401 })
      const heard = body.turns?.filter((turn) => turn.speaker === 'user').at(-1)?.text ?? ''
      const words = ['Polly', 'says:', ...heard.split(/\s+/).filter(Boolean)]
      const meter = { heard: 7, said: 4 }
      if (!body.stream) return Response.json({ id: 'parrot-answer-1', reply: { text: words.join(' ') }, stop: 'done', meter })
      const events = [
        ...words.map((word, index) => `event: chunk\ndata: ${JSON.stringify({ text: index === 0 ? word : ` ${word}` })}\n\n`),
        `event: end\ndata: ${JSON.stringify({ stop: 'done', meter })}\n\n`,
      ]
      return new Response(events.join(''), { headers: { 'content-type': 'text/event-stream' } })
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, calls, stop: () => void server.stop(true) }
}
