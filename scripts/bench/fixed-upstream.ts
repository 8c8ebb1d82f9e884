// Fixed-response fake OpenAI upstream for the relay benchmark, in its own process: every answer is
// bytes built once at start, so its own cost per request is reading the body and one byte search.
// That makes "served directly" the ceiling a gateway in front of it is measured against.
//   bun scripts/bench/fixed-upstream.ts        # PORT=0 (default) picks a free port; prints "listening http://127.0.0.1:PORT"
// see https://platform.openai.com/docs/api-reference/chat/object (chat.completion with usage)
// see https://platform.openai.com/docs/api-reference/chat-streaming (chunks, usage chunk with choices: [], data: [DONE])

const CREATED = 1_750_000_000
const ID = 'chatcmpl-bench0000000000000000000001'
const MODEL = 'gpt-4o-mini-2024-07-18'
const FINGERPRINT = 'fp_bench0001'

/** The answer, in the pieces a streamed reply carries (a few words each). */
const PIECES = [
  'The capital',
  ' of France',
  ' is Paris.',
  ' It sits',
  ' on the Seine',
  ' in the north',
  ' of the country',
  ' and has been',
  ' its political',
  ' and cultural',
  ' centre for',
  ' more than',
  ' a thousand years.',
  ' Paris is',
  ' also the',
  ' largest city',
  ' in France,',
  ' with about',
  ' two million',
  ' residents.',
]
const CONTENT = PIECES.join('')
const USAGE = {
  prompt_tokens: 14,
  completion_tokens: 48,
  total_tokens: 62,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
}

/** A non-stream chat.completion as OpenAI sends it. */
function completionBody(): string {
  return JSON.stringify({
    id: ID,
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: CONTENT, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage: USAGE,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  })
}

/** The whole SSE body of a streamed reply: role, content pieces, finish, usage chunk, [DONE]. */
function streamBody(): string {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: ID, object: 'chat.completion.chunk', created: CREATED, model: MODEL, service_tier: 'default', system_fingerprint: FINGERPRINT, choices, usage: null, ...extra })}\n\n`
  const delta = (content: string, role?: string) =>
    chunk([{ index: 0, delta: { ...(role ? { role } : {}), content, refusal: null }, logprobs: null, finish_reason: null }])
  return [
    delta('', 'assistant'),
    ...PIECES.map((piece) => delta(piece)),
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
    // Sent whether or not the request asked for it: the gateway forces include_usage upstream anyway.
    chunk([], { usage: USAGE }),
    'data: [DONE]\n\n',
  ].join('')
}

/** GET /v1/models. */
function modelsBody(): string {
  return JSON.stringify({
    object: 'list',
    data: [
      { id: 'gpt-4o-mini', object: 'model', created: 1_721_172_741, owned_by: 'system' },
      { id: MODEL, object: 'model', created: 1_721_172_717, owned_by: 'system' },
    ],
  })
}

const encoder = new TextEncoder()
const transcript = encoder.encode(JSON.stringify({ text: 'Silence.', usage: { type: 'duration', seconds: 328 } }))
const completion = encoder.encode(completionBody())
const stream = encoder.encode(streamBody())
const models = encoder.encode(modelsBody())
const notFound = encoder.encode(JSON.stringify({ error: { message: 'Unknown route', type: 'invalid_request_error', param: null, code: 'unknown_url' } }))
const JSON_HEADERS = { 'content-type': 'application/json' }
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }
// A request body that asks to stream holds this key exactly once (JSON.stringify writes no spaces);
// inside a string value the quotes would be escaped, so the content cannot fake it.
const STREAM_MARKS = ['"stream":true', '"stream": true']

/** Whether a request body asks for a stream, without parsing the JSON. */
function asksToStream(body: Uint8Array): boolean {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  return STREAM_MARKS.some((mark) => bytes.includes(mark))
}

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  async fetch(request) {
    const path = new URL(request.url).pathname
    if (request.method === 'POST' && path === '/v1/chat/completions') {
      const streamed = asksToStream(await request.bytes())
      return new Response(streamed ? stream : completion, { headers: streamed ? SSE_HEADERS : JSON_HEADERS })
    }
    if (request.method === 'GET' && path === '/v1/models') return new Response(models, { headers: JSON_HEADERS })
    // The transcription scenario: the upload is read to its end (as OpenAI would), then a json transcript.
    if (request.method === 'POST' && path === '/v1/audio/transcriptions') {
      await request.arrayBuffer()
      return new Response(transcript, { headers: JSON_HEADERS })
    }
    return new Response(notFound, { status: 404, headers: JSON_HEADERS })
  },
})

console.log(`listening http://127.0.0.1:${server.port}`)
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void server.stop(true)
    process.exit(0)
  })
}
