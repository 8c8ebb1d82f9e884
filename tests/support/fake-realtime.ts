import type { Server, ServerWebSocket } from 'bun'

// A fake OpenAI Realtime upstream on 127.0.0.1, OpenAI's and Azure's socket paths, speaking the event protocol:
// session.created on open, session.update → session.updated, conversation.item.create → conversation.item.created,
// response.create → response.created, response.output_item.added, text deltas, audio deltas (base64) with their
// transcript deltas, response.done with usage; an `error` event for an unknown event. It records every upgrade
// and every frame it received and sent (bytes, text or binary), so tests can compare them with the client's.
// Binary frames are echoed back as they came.
// see https://platform.openai.com/docs/api-reference/realtime-server-events
// see https://platform.openai.com/docs/api-reference/realtime-sessions (ephemeral sessions, client secrets)

type Json = Record<string, unknown>

/** One frame as it crossed the socket. */
export interface RecordedFrame {
  binary: boolean
  bytes: Uint8Array
}

/** The usage a transcription session's finished transcription reports (OpenAI's token form). */
export const TRANSCRIPTION_USAGE = {
  type: 'tokens',
  total_tokens: 1240,
  input_tokens: 1200,
  input_token_details: { text_tokens: 0, audio_tokens: 1200 },
  output_tokens: 40,
}

/** One upstream session the fake served. */
export interface FakeRealtimeSession {
  path: string
  query: Record<string, string>
  /** Lower-cased header names. */
  headers: Record<string, string>
  received: RecordedFrame[]
  sent: RecordedFrame[]
  closed?: { code: number; reason: string }
  /** True once a flood (FakeRealtimeBehaviour.floodBytes) was sent in full. */
  flooded?: boolean
}

/** How the fake behaves for new sessions. */
export interface FakeRealtimeBehaviour {
  /** The usage each response.done reports, in turn (the last one repeats). */
  usages: Json[]
  /** Close the socket abruptly (no close frame) on the nth response.create (1-based). */
  dropOnResponse?: number
  /** After open, send about this many bytes of response.audio.delta frames, as fast as the gateway takes them. */
  floodBytes?: number
  /** Refuse upgrades with this HTTP status. */
  refuseStatus?: number
}

/** A recorded ephemeral-session HTTP call. */
export interface FakeRealtimeHttpCall {
  path: string
  query: Record<string, string>
  headers: Record<string, string>
  body: unknown
}

/** The running fake. */
export interface FakeRealtime {
  /** `http://127.0.0.1:<port>`. */
  url: string
  sessions: FakeRealtimeSession[]
  httpCalls: FakeRealtimeHttpCall[]
  behaviour: FakeRealtimeBehaviour
  /** Clears recordings and restores the default behaviour. */
  reset(): void
  stop(): Promise<void>
}

/** A realistic response.done usage: text and audio in, some of it cached, text and audio out. */
export const REALTIME_USAGE: Json = {
  total_tokens: 1290,
  input_tokens: 1000,
  output_tokens: 290,
  input_token_details: {
    text_tokens: 400,
    audio_tokens: 600,
    image_tokens: 0,
    cached_tokens: 320,
    cached_tokens_details: { text_tokens: 256, audio_tokens: 64 },
  },
  output_token_details: { text_tokens: 50, audio_tokens: 240 },
}

interface SocketData {
  session: FakeRealtimeSession
  responses: number
  model: string
}

const encoder = new TextEncoder()

function headersOf(request: Request): Record<string, string> {
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value
  })
  return headers
}

/** Starts the fake; `keys` are the API keys it accepts (Bearer or api-key). */
export function startFakeRealtime(options: { keys: string[] }): FakeRealtime {
  const defaults = (): FakeRealtimeBehaviour => ({ usages: [REALTIME_USAGE] })
  const fake = {
    sessions: [] as FakeRealtimeSession[],
    httpCalls: [] as FakeRealtimeHttpCall[],
    behaviour: defaults(),
  }
  let eventCounter = 0
  const eventId = () => `event_${(++eventCounter).toString(36).padStart(8, '0')}`

  function send(ws: ServerWebSocket<SocketData>, event: Json): number {
    const text = JSON.stringify({ event_id: eventId(), ...event })
    ws.data.session.sent.push({ binary: false, bytes: encoder.encode(text) })
    return ws.sendText(text)
  }

  function respond(ws: ServerWebSocket<SocketData>) {
    ws.data.responses += 1
    const index = ws.data.responses
    if (fake.behaviour.dropOnResponse === index) {
      ws.terminate()
      return
    }
    const responseId = `resp_${index}_${eventCounter}`
    const itemId = `item_${index}_${eventCounter}`
    const usage = fake.behaviour.usages[Math.min(index - 1, fake.behaviour.usages.length - 1)] ?? REALTIME_USAGE
    send(ws, { type: 'response.created', response: { object: 'realtime.response', id: responseId, status: 'in_progress', output: [], usage: null } })
    send(ws, {
      type: 'response.output_item.added',
      response_id: responseId,
      output_index: 0,
      item: { id: itemId, object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    })
    send(ws, { type: 'response.text.delta', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta: 'Héllo ' })
    send(ws, { type: 'response.text.delta', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta: 'there 👋' })
    send(ws, {
      type: 'response.audio.delta',
      response_id: responseId,
      item_id: itemId,
      output_index: 0,
      content_index: 1,
      delta: Buffer.from(new Uint8Array(480).map((_, i) => i % 251)).toString('base64'),
    })
    send(ws, { type: 'response.audio_transcript.delta', response_id: responseId, item_id: itemId, output_index: 0, content_index: 1, delta: 'Hello there' })
    send(ws, {
      type: 'response.done',
      response: {
        object: 'realtime.response',
        id: responseId,
        status: 'completed',
        status_details: null,
        output: [
          { id: itemId, object: 'realtime.item', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'text', text: 'Héllo there 👋' }] },
        ],
        usage,
      },
    })
  }

  /** Sends audio deltas until `bytes` went out, waiting for drain when Bun reports back-pressure. */
  function flood(ws: ServerWebSocket<SocketData>, bytes: number) {
    const chunk = JSON.stringify({ type: 'response.audio.delta', response_id: 'resp_flood', item_id: 'item_flood', delta: 'A'.repeat(64 * 1024) })
    let sent = 0
    const pump = () => {
      while (sent < bytes && ws.readyState === 1) {
        const status = ws.sendText(chunk)
        sent += chunk.length
        if (status === -1) return // wait for drain
      }
      if (sent >= bytes) ws.data.session.flooded = true
    }
    ;(ws.data as SocketData & { pump?: () => void }).pump = pump
    pump()
  }

  function onMessage(ws: ServerWebSocket<SocketData>, message: string | Buffer) {
    const binary = typeof message !== 'string'
    const bytes = binary ? new Uint8Array(message) : encoder.encode(message)
    ws.data.session.received.push({ binary, bytes })
    if (binary) {
      ws.data.session.sent.push({ binary: true, bytes })
      ws.sendBinary(bytes)
      return
    }
    let event: Json
    try {
      event = JSON.parse(message) as Json
    } catch {
      send(ws, { type: 'error', error: { type: 'invalid_request_error', code: 'invalid_json', message: 'Expected a JSON event', param: null, event_id: null } })
      return
    }
    switch (event.type) {
      case 'session.update':
        send(ws, { type: 'session.updated', session: { object: 'realtime.session', id: 'sess_fake', model: ws.data.model, ...(event.session as Json) } })
        return
      case 'conversation.item.create':
        send(ws, {
          type: 'conversation.item.created',
          previous_item_id: null,
          item: { id: `item_c${eventCounter}`, ...(event.item as Json), status: 'completed' },
        })
        return
      case 'response.create':
        respond(ws)
        return
      case 'input_audio_buffer.append':
        return
      case 'input_audio_buffer.commit':
        // A transcription session (?intent=transcription) answers a commit with the finished transcription and its usage.
        send(ws, { type: 'input_audio_buffer.committed', previous_item_id: null, item_id: `item_t${eventCounter}` })
        if (ws.data.session.query.intent === 'transcription')
          send(ws, {
            type: 'conversation.item.input_audio_transcription.completed',
            item_id: `item_t${eventCounter}`,
            content_index: 0,
            transcript: 'Hello there.',
            usage: TRANSCRIPTION_USAGE,
          })
        return
      default:
        send(ws, {
          type: 'error',
          error: {
            type: 'invalid_request_error',
            code: 'unknown_event',
            message: `Unknown event type ${String(event.type)}`,
            param: null,
            event_id: event.event_id ?? null,
          },
        })
    }
  }

  function authorized(request: Request): boolean {
    const bearer = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '')
    const apiKey = request.headers.get('api-key')
    return options.keys.includes(bearer ?? '') || options.keys.includes(apiKey ?? '')
  }

  const server: Server<SocketData> = Bun.serve<SocketData>({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request, server) {
      const url = new URL(request.url)
      const query = Object.fromEntries(url.searchParams)
      if (request.method === 'POST') {
        const body = (await request.json().catch(() => null)) as unknown
        fake.httpCalls.push({ path: url.pathname, query, headers: headersOf(request), body })
        if (!authorized(request))
          return Response.json({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }, { status: 401 })
        return Response.json({
          id: 'sess_ephemeral',
          object: 'realtime.session',
          model: (body as Json | null)?.model ?? ((body as Json | null)?.session as Json | undefined)?.model,
          client_secret: { value: 'ek_fake_ephemeral_secret', expires_at: 1_900_000_000 },
        })
      }
      if (url.pathname !== '/v1/realtime' && url.pathname !== '/openai/realtime') return new Response('not found', { status: 404 })
      if (fake.behaviour.refuseStatus) return new Response('refused', { status: fake.behaviour.refuseStatus })
      if (!authorized(request)) return Response.json({ error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } }, { status: 401 })
      const session: FakeRealtimeSession = { path: url.pathname, query, headers: headersOf(request), received: [], sent: [] }
      fake.sessions.push(session)
      const model = query.model ?? query.deployment ?? 'unknown'
      return server.upgrade(request, { data: { session, responses: 0, model } }) ? undefined : new Response('upgrade failed', { status: 400 })
    },
    websocket: {
      open(ws) {
        send(ws, {
          type: 'session.created',
          session: { object: 'realtime.session', id: 'sess_fake', model: ws.data.model, modalities: ['text', 'audio'], voice: 'alloy', turn_detection: null },
        })
        if (fake.behaviour.floodBytes) flood(ws, fake.behaviour.floodBytes)
      },
      message: onMessage,
      drain(ws) {
        ;(ws.data as SocketData & { pump?: () => void }).pump?.()
      },
      close(ws, code, reason) {
        ws.data.session.closed = { code, reason }
      },
    },
  })

  return {
    url: `http://127.0.0.1:${server.port}`,
    get sessions() {
      return fake.sessions
    },
    get httpCalls() {
      return fake.httpCalls
    },
    get behaviour() {
      return fake.behaviour
    },
    set behaviour(value: FakeRealtimeBehaviour) {
      fake.behaviour = value
    },
    reset() {
      fake.sessions.length = 0
      fake.httpCalls.length = 0
      fake.behaviour = defaults()
    },
    async stop() {
      await server.stop(true)
    },
  }
}
