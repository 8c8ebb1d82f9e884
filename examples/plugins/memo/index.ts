import { Type, type Static } from '@sinclair/typebox'
import {
  emptyUsage,
  readBearerToken,
  type ClientDialectCodec,
  type GatewayError,
  type HubClientCodec,
  type HubEvent,
  type HubResult,
  type PluginDefinition,
  type SseEvent,
  type Usage,
} from '@hanggent/plugin-sdk'

// A client-only dialect (contract 1.5): Memo is a small chat format some in-house tools speak
// (`POST /memo/v1/chat` with `{ model, prompt, system?, stream? }`, answered `{ model, text, usage }`).
// No provider speaks it, so the plugin declares its client role alone (`role: 'client'`): routes, schema,
// reads, errors and the hub's client side. Every Memo call is decoded into the hub and sent in whatever
// dialect the channel speaks (OpenAI chat on an OpenAI channel); the gateway never passes it through, and
// refuses at start a transport that lists `memo.chat` as native.

/** Memo's request body. */
const MemoRequest = Type.Object(
  {
    model: Type.String({ minLength: 1 }),
    prompt: Type.String({ minLength: 1 }),
    system: Type.Optional(Type.String()),
    stream: Type.Optional(Type.Boolean()),
    max_tokens: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)
type MemoRequest = Static<typeof MemoRequest>

/** Memo's usage object: prompt and answer tokens. */
function memoUsage(usage: Usage | undefined): { prompt: number; answer: number } {
  const counted = usage ?? emptyUsage()
  return { prompt: counted.inputTokens + counted.cacheReadTokens + counted.cacheWriteTokens, answer: counted.outputTokens }
}

/** The text of a hub result's first choice. */
function resultText(result: HubResult): string {
  return (result.choices[0]?.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('')
}

/** Memo's stream: one `{ text }` event per text delta, then `{ done: true, usage }`; hub errors become `{ error }`. */
async function* memoStream(events: AsyncIterable<HubEvent>): AsyncGenerator<SseEvent> {
  let usage: Usage | undefined
  for await (const event of events) {
    if (event.type === 'text-delta') yield { data: JSON.stringify({ text: event.text }) }
    else if (event.type === 'usage') usage = event.usage
    else if (event.type === 'error') {
      yield { data: JSON.stringify({ error: event.message }) }
      return
    }
  }
  yield { data: JSON.stringify({ done: true, usage: memoUsage(usage) }) }
}

/** The hub's client side: Memo to hub and back. */
const memoHub: HubClientCodec<MemoRequest> = {
  decodeRequest(body) {
    const system = body.system === undefined ? [] : [{ role: 'system' as const, content: [{ type: 'text' as const, text: body.system }] }]
    return {
      value: {
        model: body.model,
        messages: [...system, { role: 'user', content: [{ type: 'text', text: body.prompt }] }],
        stream: body.stream === true,
        ...(body.max_tokens === undefined ? {} : { maxOutputTokens: body.max_tokens }),
      },
      warnings: [],
    }
  },
  encodeResult: (result) => ({ model: result.model, text: resultText(result), usage: memoUsage(result.usage) }),
  encodeStream: (events) => memoStream(events),
}

/** Memo's error shape. */
const memoError = (error: GatewayError) => ({ error: error.message, code: error.code })

/** `POST /memo/v1/chat`: the client role only. */
export const memoChatDialect: ClientDialectCodec<MemoRequest> = {
  role: 'client',
  dialect: 'memo.chat',
  endpoint: 'chat',
  routes: [{ method: 'POST', path: '/memo/v1/chat' }],
  requestSchema: MemoRequest,
  readKey: (request) => readBearerToken(request.headers),
  readModel: (body) => body.model,
  readStream: (body) => body.stream === true,
  readMaxOutputTokens: (body) => body.max_tokens,
  // Never called for passthrough (there is none for a client-only dialect); it shapes the body like any client dialect.
  prepareUpstreamBody: (body, model) => ({ body: { ...body, model } }),
  estimatePrompt: (body) => ({ texts: [body.system ?? '', body.prompt], fixedTokens: 3 }),
  renderError: (error) => ({ status: error.status, body: memoError(error) }),
  renderStreamError: (error) => [{ data: JSON.stringify(memoError(error)) }],
  hub: memoHub,
}

const plugin: PluginDefinition = {
  id: 'memo',
  specVersion: '1.5',
  hubVersion: 1,
  name: 'Memo chat (example)',
  channelTypes: [],
  models: [],
  pricing: {},
  dialects: [memoChatDialect],
}

export default plugin
