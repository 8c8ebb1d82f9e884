import type { Server } from 'bun'
import { readFileSync } from 'node:fs'
import { fixturePath, loadFixture } from './fixtures.ts'

// A fake Dify app API on 127.0.0.1 (`POST /v1/chat-messages`) replaying the Dify plugin's recorded
// answers in plugins/dify/__fixtures__: a blocking JSON answer or the raw SSE stream (pings, workflow
// and node progress, agent thoughts, message_end with usage), sent in pieces cut inside frames. It
// checks the app key like Dify (401 `unauthorized`), knows only the conversations it started (404
// `Conversation Not Exists.` for another id), and answers Dify's `{code, message, status}` errors.

/** The conversation id every recorded answer carries. */
export const FAKE_DIFY_CONVERSATION_ID = 'c9f1d2e4-5a6b-4c7d-8e9f-0a1b2c3d4e5f'

/** Which recorded exchange to answer with: `dify-chat-text`, `dify-chat-thinking`, `dify-agent` (stream only), `dify-stream-error` (stream only). */
export type FakeDifyAnswer = 'dify-chat-text' | 'dify-chat-thinking' | 'dify-agent' | 'dify-stream-error'

/** One request the fake received. */
export interface FakeDifyRequest {
  /** URL path. */
  path: string
  /** The `Authorization` header. */
  authorization: string | null
  /** The JSON body. */
  body: Record<string, unknown>
}

/** A running fake. */
export interface FakeDify {
  /** Base URL, as a channel's base URL. */
  readonly url: string
  /** Every request received, oldest first. */
  readonly requests: FakeDifyRequest[]
  /** The answer the following calls get (default `dify-chat-text`); `zeroUsage` reports all-zero usage, as apps whose nodes count nothing do. */
  answerWith(answer: FakeDifyAnswer, options?: { zeroUsage?: boolean }): void
  /** Stops the server. */
  stop(): Promise<void>
}

/** A Dify error answer. */
function difyError(status: number, code: string, message: string): Response {
  return Response.json({ code, message, status }, { status })
}

/** The raw SSE bytes of a recorded stream, each frame cut in two so the gateway meets pieces inside lines. */
function streamBody(answer: FakeDifyAnswer): ReadableStream<Uint8Array> {
  const frames = readFileSync(fixturePath('dify', `${answer}.sse.txt`), 'utf8')
    .split('\n\n')
    .filter((frame) => frame !== '')
  const encoder = new TextEncoder()
  const pieces = frames.flatMap((frame) => {
    const bytes = encoder.encode(`${frame}\n\n`)
    const middle = Math.floor(bytes.length / 2)
    return [bytes.slice(0, middle), bytes.slice(middle)]
  })
  return new ReadableStream({
    async pull(controller) {
      const piece = pieces.shift()
      if (piece) controller.enqueue(piece)
      else controller.close()
      await Bun.sleep(0)
    },
  })
}

/** Starts the fake; `key` is the only app key it accepts. */
export async function startFakeDify(options: { key: string }): Promise<FakeDify> {
  const requests: FakeDifyRequest[] = []
  let answer: FakeDifyAnswer = 'dify-chat-text'
  let zeroUsage = false

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname
    const body = (await request.json().catch(() => ({}))) as Record<string, unknown>
    requests.push({ path, authorization: request.headers.get('authorization'), body })
    if (request.method !== 'POST' || path !== '/v1/chat-messages') return difyError(404, 'not_found', 'The requested URL was not found on the server.')
    if (request.headers.get('authorization') !== `Bearer ${options.key}`) return difyError(401, 'unauthorized', 'Access token is invalid')
    if (typeof body.query !== 'string' || body.query === '') return difyError(400, 'invalid_param', 'query is required')
    if (typeof body.user !== 'string' || body.user === '') return difyError(400, 'invalid_param', 'user is required')
    if (body.conversation_id !== undefined && body.conversation_id !== FAKE_DIFY_CONVERSATION_ID) return difyError(404, 'not_found', 'Conversation Not Exists.')
    if (body.response_mode === 'streaming') {
      return new Response(streamBody(answer), { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } })
    }
    if (answer === 'dify-agent' || answer === 'dify-stream-error') return difyError(400, 'bad_request', 'Agent Chat App does not support blocking mode')
    const recorded = loadFixture<{ metadata: { usage: Record<string, unknown> } }>('dify', `${answer}.json`)
    if (zeroUsage) recorded.metadata.usage = { ...recorded.metadata.usage, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
    return Response.json(recorded)
  }

  const server: Server<undefined> = Bun.serve({ hostname: '127.0.0.1', port: 0, idleTimeout: 0, fetch: handle })
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    answerWith(next, options = {}) {
      answer = next
      zeroUsage = options.zeroUsage ?? false
    },
    async stop() {
      await server.stop(true)
    },
  }
}
