import { isRecord, nowSeconds, parseJsonObject, type ConversionEnv, type HubEvent, type HubPart, type HubResult, type SseEvent } from '@hanggent/plugin-sdk'
import type { DifyChatResponse, DifyErrorBody, DifyStreamEvent } from './dify-api.ts'
import { convertDifyUsage } from './dify-usage.ts'
import { splitThinking } from './think-splitter.ts'
import { DifyStreamState } from './dify-stream-state.ts'

// Dify's answers in hub terms. The answer's id carries Dify's conversation id (`chatcmpl-<id>`), which
// OpenAI clients send back as `metadata.conversation_id` to continue the conversation (see
// convert-to-dify-request.ts). `<think>` text is reasoning.
// see https://docs.dify.ai/en/api-reference/guides/chatflow (blocking and streaming responses, errors)

/** The hub id of an answer in a Dify conversation: OpenAI's prefix and Dify's conversation id. */
export function answerIdOf(conversationId: string | undefined, env: ConversionEnv): string {
  return conversationId ? `chatcmpl-${conversationId}` : env.newId('chatcmpl-')
}

/** A blocking Dify answer as a hub result. */
export function decodeDifyResult(body: unknown, env: ConversionEnv): HubResult {
  const response = (isRecord(body) ? body : {}) as DifyChatResponse
  const { reasoning, text } = splitThinking(typeof response.answer === 'string' ? response.answer : '')
  const content: HubPart[] = []
  if (reasoning !== '') content.push({ type: 'reasoning', text: reasoning })
  if (text !== '') content.push({ type: 'text', text })
  const usage = convertDifyUsage(response.metadata?.usage)
  return {
    id: answerIdOf(response.conversation_id, env),
    model: env.model ?? '',
    created: response.created_at ?? nowSeconds(env),
    choices: [{ index: 0, content, finishReason: 'stop' }],
    ...(usage ? { usage } : {}),
  }
}

/** Dify's SSE events as hub events; events that are not JSON become an `error` event, keep-alives and workflow progress are skipped. */
export async function* decodeDifyStream(events: AsyncIterable<SseEvent>, env: ConversionEnv): AsyncGenerator<HubEvent> {
  const state = new DifyStreamState(env)
  for await (const event of events) {
    if (event.data.trim() === '') continue
    const parsed = parseJsonObject<DifyStreamEvent>(event.data)
    if (!parsed) {
      yield { type: 'error', status: 502, code: 'bad_upstream_response', message: 'Dify sent a stream event that is not JSON' }
      return
    }
    yield* state.read(parsed)
    if (state.ended) return
  }
  yield* state.endWithoutMessageEnd()
}

/** Dify's error body `{code, message, status}`; anything else is described by its status. */
export function readDifyError(status: number, bodyText: string): { message: string; code?: string } {
  const body = parseJsonObject<DifyErrorBody>(bodyText)
  const message = typeof body?.message === 'string' && body.message !== '' ? body.message : `Dify answered HTTP ${status}`
  return typeof body?.code === 'string' && body.code !== '' ? { message, code: body.code } : { message }
}
