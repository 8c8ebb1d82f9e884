import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubEvent, Usage } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { GatewayError, type GatewayErrorCode } from '@hanggent/plugin-sdk'
import type { GeminiCandidate, GeminiGenerateContentResponse, GeminiPart } from '../../schemas/gemini-generate.ts'
import { toGeminiUsageMetadata } from './convert-gemini-usage.ts'
import { renderGeminiStreamError } from './gemini-errors.ts'
import { parseArguments } from './gemini-parts.ts'
import { toGeminiFinishReason } from './map-gemini-finish-reason.ts'
import { eventForClient } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
// Chunks as Gemini sends them with `alt=sse`: each a GenerateContentResponse with
// `candidates: [{content: {parts, role: 'model'}, index}]`, `modelVersion` and `responseId`. Text and
// thoughts go out as they arrive. A function call goes out whole once complete: when the next call of
// its candidate starts, or with the finish. Finish reasons and usage belong to the last chunk, so they
// are held until the hub stream ends (the hub sends them last anyway). Every chunk has non-empty parts
// with a role, or the @google/genai SDK drops the whole answer from its chat history. An error ends the
// stream with Google's error JSON, which the SDK raises as an ApiError.

interface OpenCall {
  id: string
  name: string
  arguments: string
}

/** What the encoder remembers between events. */
interface EncodeState {
  identity?: { responseId: string; modelVersion: string }
  /** The call each candidate is still receiving arguments for. */
  openCalls: Map<number, OpenCall>
  /** A signature (from reasoning without text) waiting for the candidate's next part. */
  signatures: Map<number, string>
  /** Finished candidates: their Gemini finish reason and the parts held for the last chunk. */
  finished: Map<number, { reason: string; parts: GeminiPart[] }>
  usage?: Usage
}

function identity(state: EncodeState, env: ConversionEnv) {
  state.identity ??= { responseId: env.newId(''), modelVersion: '' }
  return state.identity
}

function chunk(state: EncodeState, env: ConversionEnv, candidates: GeminiCandidate[], usage?: Usage): SseEvent {
  const { responseId, modelVersion } = identity(state, env)
  const body: GeminiGenerateContentResponse = { candidates }
  if (usage) body.usageMetadata = toGeminiUsageMetadata(usage)
  body.modelVersion = modelVersion
  body.responseId = responseId
  return { data: JSON.stringify(body) }
}

/** A part with the candidate's waiting signature, if any. */
function signed(state: EncodeState, index: number, part: GeminiPart): GeminiPart {
  const signature = state.signatures.get(index)
  if (!signature) return part
  state.signatures.delete(index)
  return { ...part, thoughtSignature: signature }
}

/** The candidate's open call as a finished functionCall part, if one is open. */
function closeCall(state: EncodeState, index: number): GeminiPart | undefined {
  const call = state.openCalls.get(index)
  if (!call) return undefined
  state.openCalls.delete(index)
  return signed(state, index, { functionCall: { id: call.id, name: call.name, args: parseArguments(call.arguments, () => undefined) } })
}

function partChunk(state: EncodeState, env: ConversionEnv, index: number, parts: GeminiPart[]): SseEvent[] {
  return parts.length === 0 ? [] : [chunk(state, env, [{ content: { parts, role: 'model' }, index }])]
}

/** The SSE events for one hub event (none for usage and finish, which go in the last chunk). */
function encodeEvent(event: Exclude<HubEvent, { type: 'error' }>, state: EncodeState, env: ConversionEnv): SseEvent[] {
  switch (event.type) {
    case 'message-start':
      state.identity ??= { responseId: event.id || env.newId(''), modelVersion: event.model }
      return []
    case 'text-delta':
    case 'reasoning-delta': {
      const closed = closeCall(state, event.index)
      if (event.type === 'reasoning-delta' && event.text === '' && event.signature) state.signatures.set(event.index, event.signature)
      if (event.text === '') return partChunk(state, env, event.index, closed ? [closed] : [])
      const part: GeminiPart =
        event.type === 'text-delta'
          ? signed(state, event.index, { text: event.text })
          : { text: event.text, thought: true, ...(event.signature ? { thoughtSignature: event.signature } : {}) }
      return partChunk(state, env, event.index, closed ? [closed, part] : [part])
    }
    case 'tool-call-start': {
      const closed = closeCall(state, event.index)
      state.openCalls.set(event.index, { id: event.id, name: event.name, arguments: '' })
      return partChunk(state, env, event.index, closed ? [closed] : [])
    }
    case 'tool-call-delta': {
      const call = state.openCalls.get(event.index)
      if (call) call.arguments += event.argumentsDelta
      return []
    }
    case 'finish': {
      const closed = closeCall(state, event.index)
      state.finished.set(event.index, { reason: toGeminiFinishReason(event.reason, event.rawReason), parts: closed ? [closed] : [] })
      return []
    }
    case 'usage':
      state.usage = event.usage
      return []
  }
}

/** The last chunk: every finished candidate with its held parts (an empty text when none) and finish reason, plus usage. */
function finalChunk(state: EncodeState, env: ConversionEnv): SseEvent {
  const candidates = [...state.finished].map(([index, finish]): GeminiCandidate => {
    const parts = finish.parts.length > 0 ? finish.parts : [signed(state, index, { text: '' })]
    return { content: { parts, role: 'model' }, finishReason: finish.reason, index }
  })
  return chunk(state, env, candidates, state.usage)
}

function errorEvents(status: number, code: string, message: string): SseEvent[] {
  // Hub error codes are the gateway's own (or the upstream's); the renderer only reads them as text.
  return renderGeminiStreamError(new GatewayError(status, code as GatewayErrorCode, message))
}

/** Hub events as Gemini SSE events (`alt=sse` framing), each sent as soon as it is known. */
export async function* encodeGeminiStream(events: AsyncIterable<HubEvent>, env: ConversionEnv): AsyncGenerator<SseEvent> {
  const state: EncodeState = { openCalls: new Map(), signatures: new Map(), finished: new Map() }
  for await (const event of events) {
    if (event.type === 'error') {
      yield* errorEvents(event.status, event.code, event.message)
      return
    }
    yield* encodeEvent(eventForClient(event, 'google'), state, env)
  }
  if (state.finished.size === 0) {
    // Never a finish reason for an answer that did not finish: the client must not take it as complete.
    yield* errorEvents(502, 'bad_upstream_response', 'Upstream stream ended before the answer was complete')
    return
  }
  yield finalChunk(state, env)
}
