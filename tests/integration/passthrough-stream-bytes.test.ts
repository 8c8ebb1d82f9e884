import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Server } from 'bun'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { sseEventsOf } from '../support/sse-text.ts'

// A same-dialect stream goes to the client as the upstream wrote it: each read whose events the client
// gets whole is sent on as its own bytes (the upstream's spacing and ids kept), a forced usage chunk the
// client did not ask for is cut out of it, and `data: [DONE]` is held until the charge is durable. A stream
// that fails before any of its events reached the client is a failed call: refunded, logged as an error. A read
// that splits an event (or a character), uses CR line ends or carries comments is re-framed instead; the
// client must see every event once, in order, whichever way each read went.

const MODEL = 'gpt-4o-mini'
const created = 1_748_736_000
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  JSON.stringify({ id: 'chatcmpl-bytes', object: 'chat.completion.chunk', created, model: MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })
const usageChunk = JSON.stringify({
  id: 'chatcmpl-bytes',
  object: 'chat.completion.chunk',
  created,
  model: MODEL,
  choices: [],
  usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
})

/** Each scripted stream: the writes the upstream makes, with a pause between them so each is a read of its own. */
const scripts: Record<string, string[]> = {
  // Whole events per write, unusual spacing and an `id:` field: all of it must reach the client byte for byte.
  whole: [
    `data:${chunk({ role: 'assistant', content: '' })}\n\ndata: ${chunk({ content: 'Hel' })}\n\n`,
    `id: 7\ndata:  ${chunk({ content: 'lo' })}\n\n`,
    `data: ${chunk({}, 'stop')}\n\ndata: ${usageChunk}\n\ndata: [DONE]\n\n`,
  ],
  // Reads that cannot go as they are: an event and a character split across writes, CRLF line ends, a
  // comment between events, an event without data.
  awkward: [
    `data: ${chunk({ role: 'assistant', content: '' })}\n\ndata: ${chunk({ content: 'caf\u00e9' }).slice(0, 60)}`,
    `${chunk({ content: 'caf\u00e9' }).slice(60)}\n\n: keep-alive\n\n`,
    `data: ${chunk({ content: ' cr\u00e8me' })}\r\n\r\n`,
    `event: ping\n\ndata: ${chunk({ content: ' br\u00fbl\u00e9e' })}\n\n`,
    `data: ${chunk({}, 'stop')}\n\n`,
    `data: ${usageChunk}\n\ndata: [DONE]\n\n`,
  ],
  // A usage chunk first (the gateway asked for it and cuts it out), then an event that is not a chat chunk: the first
  // event was well formed, so the call no longer fails over, yet nothing reached the client before the error event.
  malformed: [`data: ${usageChunk}\n\n`, 'data: {"unexpected": tru\n\n'],
}

/** The bytes of a split UTF-8 character: the second write starts inside "é" when sent as bytes. */
function writesOf(name: string): Uint8Array[] {
  const writes = scripts[name]!.map((text) => new TextEncoder().encode(text))
  if (name !== 'awkward') return writes
  // Move the first byte of "é" (0xC3) to the end of the first write, leaving 0xA9 to open the next: a character split across reads.
  const joined = new Uint8Array([...writes[0]!, ...writes[1]!])
  const at = joined.indexOf(0xc3)
  return [joined.subarray(0, at + 1), joined.subarray(at + 1), ...writes.slice(2)]
}

describe('passthrough streams keep the upstream bytes', () => {
  let gateway: TestGateway
  let upstream: Server<undefined>
  let key: string
  let tokenId: number

  beforeAll(async () => {
    upstream = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      async fetch(request) {
        const body = (await request.json()) as { messages: Array<{ content: string }> }
        const writes = writesOf(body.messages[0]!.content)
        return new Response(
          new ReadableStream({
            async pull(controller) {
              const next = writes.shift()
              if (!next) return controller.close()
              controller.enqueue(next)
              await Bun.sleep(25)
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        )
      },
    })
    gateway = await startGateway()
    await gateway.createChannel({ name: 'bytes', type: 'openai', key: 'sk-upstream', baseUrl: `http://127.0.0.1:${upstream.port}`, models: [MODEL] })
    const token = await gateway.createToken({ name: 'bytes', quota: 10_000_000 })
    key = token.key
    tokenId = token.id
  }, 60_000)
  afterAll(async () => {
    await gateway.stop()
    await upstream.stop(true)
  })

  async function streamText(script: string, includeUsage = false, as = key): Promise<string> {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: script }],
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      }),
    })
    expect(response.status).toBe(200)
    return response.text()
  }

  test('whole events reach the client byte for byte; the usage chunk it did not ask for is cut out; the call is billed', async () => {
    const text = await streamText('whole')
    const [first, second, third] = scripts.whole!
    expect(text).toBe(`${first}${second}data: ${chunk({}, 'stop')}\n\ndata: [DONE]\n\n`)
    const rows = await gateway.logs({ type: 'consume', tokenId })
    expect(rows.at(-1)).toMatchObject({ promptTokens: 9, completionTokens: 4 })
    expect(third).toContain('[DONE]')
  })

  test('with include_usage the usage chunk goes through as written too', async () => {
    const text = await streamText('whole', true)
    expect(text).toBe(scripts.whole!.join(''))
  })

  test('reads that split events or characters, CR line ends and comments: every event once, in order, text intact', async () => {
    const text = await streamText('awkward')
    const events = sseEventsOf(text)
    expect(events.map((event) => event.data).at(-1)).toBe('[DONE]')
    const contents = events
      .slice(0, -1)
      .map((event) => (JSON.parse(event.data) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '')
    expect(contents.join('')).toBe('caf\u00e9 cr\u00e8me br\u00fbl\u00e9e')
    expect(events.some((event) => event.data.includes('"usage"'))).toBe(false)
    expect(events).toHaveLength(6)
    expect(text).not.toContain('\ufffd')
  })

  test('a stream that fails before any of its events reached the client ends in an error event, costs nothing and is logged as an error', async () => {
    const fresh = await gateway.createToken({ name: 'malformed', quota: 1_000_000 })
    const text = await streamText('malformed', false, fresh.key)
    const events = sseEventsOf(text)
    expect(events).toHaveLength(1)
    expect(JSON.parse(events[0]!.data)).toMatchObject({ error: { code: 'bad_upstream_response' } })
    await gateway.services.inflight.drain(5000)
    expect((await gateway.tokenBalance(fresh.id)).usedQuota).toBe(0)
    const rows = await gateway.logs({ tokenId: fresh.id })
    expect(rows.filter((row) => row.type === 'consume')).toEqual([])
    const failure = rows.find((row) => row.type === 'error')
    expect(failure).toMatchObject({ statusCode: 502, quota: 0 })
    expect(failure?.firstTokenMs ?? null).toBeNull()
  })
})
