import { describe, expect, test } from 'bun:test'
import { GatewayError } from '../errors.ts'
import { awaitFirstEvent } from './first-event.ts'

/** An upstream body that sends `parts` and then stays open without another byte (unless `close`). */
function upstream(parts: string[], close = false): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let index = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index < parts.length) controller.enqueue(encoder.encode(parts[index++]!))
      else if (close) controller.close()
      else return new Promise(() => {})
    },
  })
}

/** Resolves with the body once the first event is in, or with 'waiting' when it still waits after 200 ms. */
const settleWithin = (body: Promise<ReadableStream<Uint8Array>>) =>
  Promise.race([body, new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 200))])

describe('waiting for the first SSE event of a stream', () => {
  for (const [name, parts] of [
    ['LF line ends, the blank line in one read', ['data: {"a":1}\n\n']],
    ['LF split across reads', ['data: {"a":1}\n', '\n']],
    ['CRLF split across reads', ['data: {"a":1}\r\n\r', '\n']],
    ['CRLF split over three reads', ['data: {"a":1}\r', '\n', '\r', '\n']],
    ['CR line ends', ['data: {"a":1}\r\r']],
    ['multibyte text before the end', ['data: {"a":"héllo', ' 世界"}\n', '\n']],
  ] as const)
    test(`${name}: the event is seen and every byte is handed on`, async () => {
      const body = await settleWithin(awaitFirstEvent(upstream([...parts]), 'test'))
      expect(body).not.toBe('waiting')
      const reader = (body as ReadableStream<Uint8Array>).getReader()
      let text = ''
      for (let read = 0; read < parts.length; read++) text += new TextDecoder().decode((await reader.read()).value)
      expect(text).toBe(parts.join(''))
    })

  test('no blank line yet: still waiting (a drip is not an event)', async () => {
    expect(await settleWithin(awaitFirstEvent(upstream(['data: {"a":1}\n', 'data: more\r\n', 'data: and more\r']), 'test'))).toBe('waiting')
  })

  test('closed before any event: a retryable 502', async () => {
    const error = await awaitFirstEvent(upstream(['data: partial'], true), 'test').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(GatewayError)
    expect((error as GatewayError).status).toBe(502)
  })

  test('a comment is not an event: the wait goes on past it to the first event, which the check sees', async () => {
    const seen: string[] = []
    const check = (event: { data: string }) => {
      seen.push(event.data)
      return undefined
    }
    expect(await settleWithin(awaitFirstEvent(upstream([': keep-alive\n\n']), 'test', check))).toBe('waiting')
    const body = await settleWithin(awaitFirstEvent(upstream([': keep-alive\n\n', 'data: {"a":1}\n\ndata: {"b":2}\n\n']), 'test', check))
    expect(body).not.toBe('waiting')
    expect(seen).toEqual(['{"a":1}'])
  })

  test("the check's failure is thrown and the upstream's body is cancelled", async () => {
    let cancelled = false
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: {"a": tru\n\n'))
        return new Promise(() => {})
      },
      cancel() {
        cancelled = true
      },
    })
    const refusal = new GatewayError(502, 'bad_upstream_response', 'not the dialect', { retryable: true })
    const error = await awaitFirstEvent(source, 'test', (event) => (event.data.endsWith('tru') ? refusal : undefined)).catch((caught: unknown) => caught)
    expect(error).toBe(refusal)
    await Bun.sleep(0)
    expect(cancelled).toBe(true)
  })
})
