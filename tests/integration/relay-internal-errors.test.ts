import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { startGateway, type TestGateway } from '../support/gateway.ts'
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.ts'
import type { HubClientCodec } from '@hanggent/plugin-sdk'

// When the gateway itself fails, the client reads a generic message naming the request id, in its own
// dialect, and never the exception's text; the process log has the detail under that request id. The failure
// is a real TypeError thrown inside the Claude encoder of a call converted from OpenAI, armed per test (this
// test once crafted an upstream answer the OpenAI converter threw on; the decoders now check each answer's
// shape and refuse such an answer as the upstream's fault, so the gateway's own failure is injected instead).

interface LogLine {
  level: string
  message: string
  fields: Record<string, unknown>
}

/** While set, the Claude encoder throws a TypeError (reading `index` of null) on its next answer or after its second stream event. */
const fault = { armed: false }

/** Reads a member of null: the TypeError a converter bug would throw. */
function crash(): never {
  const missing = null as unknown as { index: number }
  throw new Error(String(missing.index))
}

/** Wraps the Claude client's hub encoders so an armed test makes them fail mid-answer; returns the restore. */
function injectEncoderFault(hub: HubClientCodec): () => void {
  const { encodeResult, encodeStream } = hub
  hub.encodeResult = (result, env) => (fault.armed ? crash() : encodeResult.call(hub, result, env))
  hub.encodeStream = async function* (events, env) {
    let sent = 0
    for await (const event of encodeStream.call(hub, events, env)) {
      yield event
      sent += 1
      if (fault.armed && sent === 2) crash()
    }
  }
  return () => {
    hub.encodeResult = encodeResult
    hub.encodeStream = encodeStream
  }
}

const claudeCall = (stream: boolean) => ({ model: 'gpt-4o-mini', max_tokens: 64, stream, messages: [{ role: 'user', content: 'hi' }] })

describe('internal failures stay out of relay answers', () => {
  let gateway: TestGateway
  let fake: FakeOpenAI
  let key: string
  let restore: () => void = () => {}
  const lines: LogLine[] = []

  beforeAll(async () => {
    fake = await startFakeOpenAI()
    gateway = await startGateway()
    const log = gateway.context.logger.log.bind(gateway.context.logger)
    gateway.context.logger.log = (level, message, fields = {}) => {
      lines.push({ level, message, fields })
      log(level, message, fields)
    }
    await gateway.createChannel({ name: 'openai', type: 'openai', key: 'sk-up', baseUrl: fake.url, models: ['gpt-4o-mini'] })
    key = (await gateway.createToken({ name: 'internal', quota: 1_000_000 })).key
    const claudeHub = gateway.context.registry.dialect('claude.messages')?.hub
    if (!claudeHub) throw new Error('the Claude dialect has no hub')
    restore = injectEncoderFault(claudeHub)
  }, 60_000)
  afterAll(async () => {
    fault.armed = false
    restore()
    await gateway.stop()
    await fake.stop()
  })
  beforeEach(() => {
    fake.reset()
    lines.length = 0
    fault.armed = true
  })

  async function callClaude(stream: boolean): Promise<{ status: number; requestId: string; text: string }> {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify(claudeCall(stream)),
    })
    return { status: response.status, requestId: response.headers.get('x-request-id') ?? '', text: await response.text() }
  }

  /** The log lines that carry the detail of an internal error for this request. */
  const detailLogged = (requestId: string) =>
    lines.filter((line) => line.fields.requestId === requestId && String(line.fields.detail ?? '').includes('TypeError'))

  test('non-stream: a Claude-shaped 500 with the request id and no exception text; the log has the detail', async () => {
    const { status, requestId, text } = await callClaude(false)
    expect(status).toBe(500)
    expect(requestId).toMatch(/^req_/)
    const body = JSON.parse(text) as { type: string; error: { type: string; message: string } }
    expect(body).toMatchObject({ type: 'error', error: { type: 'api_error' } })
    expect(body.error.message).toContain(requestId)
    expect(text).not.toMatch(/TypeError|null is not an object|undefined is not|evaluating|choice\.index|Could not reach/)
    expect(detailLogged(requestId).length).toBe(1)
  })

  test('stream: the stream ends with a Claude error event naming the request id, without the exception text', async () => {
    const { status, requestId, text } = await callClaude(true)
    expect(status).toBe(200)
    const last = text.trim().split('\n\n').at(-1) ?? ''
    expect(last.startsWith('event: error\n')).toBe(true)
    const event = JSON.parse(last.split('\ndata: ')[1] ?? '{}') as { type: string; error: { type: string; message: string } }
    expect(event).toMatchObject({ type: 'error', error: { type: 'api_error' } })
    expect(event.error.message).toContain(requestId)
    expect(text).not.toMatch(/TypeError|null is not an object|undefined is not|evaluating|choice\.index/)
    expect(detailLogged(requestId).length).toBe(1)
  })

  test('the usage log row a user can read carries the generic message too', async () => {
    const { requestId } = await callClaude(false)
    const row = (await gateway.logs({ type: 'error' })).find((entry) => entry.requestId === requestId)
    expect(String(row?.content)).toContain(requestId)
    expect(String(row?.content)).not.toMatch(/TypeError|null is not an object|evaluating/)
  })
})
