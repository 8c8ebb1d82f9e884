import type { ConversionEnv, Converted } from '@hanggent/plugin-sdk'
import { totalInputTokens, type HubChatRequest, type HubChoice, type HubResult, type Usage } from '@hanggent/plugin-sdk'
import { GatewayError } from '@hanggent/plugin-sdk'
import { convertOpenAIUsage } from './convert-openai-usage.ts'
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts'
import { omitUndefined } from '@hanggent/plugin-sdk'
import { collectExtraFields, extraFor } from './dialect-extra.ts'
import { OPENAI_CHAT_DIALECT } from './convert-from-openai-chat-request.ts'
import { createdSeconds, responseId } from './response-identity.ts'

// see https://platform.openai.com/docs/api-reference/completions/create (request, `max_tokens` default 16)
// see https://platform.openai.com/docs/api-reference/completions/object (text_completion, choices[].text)
// Legacy completions reach chat-only models through the hub: the prompt becomes one user message, the
// answer's text becomes choices[].text. What a chat model cannot do — insert before a suffix, echo the
// prompt, return log probabilities, pick the best of several samples, complete several prompts or token
// ids in one call — is refused with a 400 naming the parameter, never dropped silently. Other fields
// (e.g. `logit_bias`) go on to an OpenAI Chat upstream, which takes them too.

/** OpenAI's default `max_tokens` for legacy completions; a converted call keeps the contract the client called. */
export const COMPLETIONS_DEFAULT_MAX_TOKENS = 16

/** Fields a converted call carries over or refuses; anything else is kept for an OpenAI Chat upstream, with a warning. */
const HANDLED_FIELDS = new Set([
  'model',
  'prompt',
  'stream',
  'stream_options',
  'max_tokens',
  'temperature',
  'top_p',
  'n',
  'stop',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'user',
  'suffix',
  'echo',
  'logprobs',
  'best_of',
])

const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)

function refuse(param: string, why: string): never {
  throw new GatewayError(
    400,
    'invalid_request',
    `\`${param}\` cannot be honoured: this model is served through a chat endpoint, which ${why}. Remove it, or use a model that supports legacy completions.`,
    { param },
  )
}

/** The one prompt text of a request; several prompts or token ids cannot become one chat message. */
function promptText(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0]
  if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((entry) => typeof entry === 'string'))
    refuse('prompt', 'answers one prompt per call (send one prompt per request)')
  return refuse('prompt', 'takes text, not token ids')
}

/** Refuses the parameters a chat model cannot honour. */
function refuseUnsupported(body: Record<string, unknown>): void {
  if (typeof body.suffix === 'string' && body.suffix !== '') refuse('suffix', 'cannot insert text before a suffix')
  if (body.echo === true) refuse('echo', 'does not echo the prompt back')
  if (body.logprobs !== undefined && body.logprobs !== null) refuse('logprobs', 'returns no per-token log probabilities in the legacy shape')
  const bestOf = number(body.best_of)
  if (bestOf !== undefined && bestOf > 1 && bestOf !== (number(body.n) ?? 1)) refuse('best_of', 'cannot sample several answers and return only the best')
}

/** A legacy completions request as a hub chat request with one user message. */
export function convertFromOpenAICompletionsRequest(body: Record<string, unknown>): Converted<HubChatRequest> {
  refuseUnsupported(body)
  const text = promptText(body.prompt)
  const stop =
    typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((entry): entry is string => typeof entry === 'string') : undefined
  const n = number(body.n)
  const request = omitUndefined<HubChatRequest>({
    model: String(body.model),
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    stream: body.stream === true,
    maxOutputTokens: number(body.max_tokens) ?? COMPLETIONS_DEFAULT_MAX_TOKENS,
    temperature: number(body.temperature),
    topP: number(body.top_p),
    stop: stop && stop.length > 0 ? stop : undefined,
    seed: number(body.seed),
    presencePenalty: number(body.presence_penalty),
    frequencyPenalty: number(body.frequency_penalty),
    candidateCount: n !== undefined && n > 1 ? n : undefined,
    user: typeof body.user === 'string' ? body.user : undefined,
  })
  const leftover = collectExtraFields(body, HANDLED_FIELDS, 'OpenAI Chat')
  const extra = extraFor(OPENAI_CHAT_DIALECT, leftover.fields)
  return { value: extra ? { ...request, extra } : request, warnings: leftover.warnings }
}

/** A hub request as a legacy completions body: the messages' text joined into one prompt. */
export function convertToOpenAICompletionsRequest(request: HubChatRequest): Converted<Record<string, unknown>> {
  const warnings: string[] = []
  const prompt = request.messages
    .map((message) =>
      message.content
        .map((part) => {
          if (part.type === 'text') return part.text
          warnings.push(`a ${part.type} part has no place in a legacy completions prompt and was left out`)
          return ''
        })
        .join(''),
    )
    .join('\n\n')
  if (request.tools && request.tools.length > 0) warnings.push('legacy completions have no tools; they were left out')
  const body = omitUndefined<Record<string, unknown>>({
    model: request.model,
    prompt,
    stream: request.stream || undefined,
    max_tokens: request.maxOutputTokens,
    temperature: request.temperature,
    top_p: request.topP,
    stop: request.stop,
    seed: request.seed,
    presence_penalty: request.presencePenalty,
    frequency_penalty: request.frequencyPenalty,
    n: request.candidateCount,
    user: request.user,
  })
  if (request.stream) body.stream_options = { include_usage: true }
  return { value: body, warnings }
}

/** A legacy completions finish reason: `stop` or `length` (a chat model's tool calls or filters end as OpenAI's nearest word). */
function completionsFinishReason(choice: HubChoice): string {
  if (choice.finishReason === 'length') return 'length'
  if (choice.finishReason === 'content-filter') return 'content_filter'
  return 'stop'
}

/** Hub usage as the legacy usage object. */
export function toOpenAICompletionsUsage(usage: Usage): Record<string, number> {
  const prompt = totalInputTokens(usage)
  return { prompt_tokens: prompt, completion_tokens: usage.outputTokens, total_tokens: prompt + usage.outputTokens }
}

/** A hub result as a `text_completion` object: each choice's text (reasoning left out, as a completion has no place for it). */
export function encodeOpenAICompletionsResult(result: HubResult, env: ConversionEnv): Record<string, unknown> {
  const completion: Record<string, unknown> = {
    id: responseId(result.id, 'cmpl-', env),
    object: 'text_completion',
    created: createdSeconds(result.created, env),
    model: result.model,
    choices: result.choices.map((choice) => ({
      text: choice.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(''),
      index: choice.index,
      logprobs: null,
      finish_reason: completionsFinishReason(choice),
    })),
  }
  if (result.usage) completion.usage = toOpenAICompletionsUsage(result.usage)
  return completion
}

interface CompletionChoice {
  text?: unknown
  index?: unknown
  finish_reason?: unknown
}

/** A `text_completion` body as a hub result; a body without choices is a bad upstream answer. */
export function decodeOpenAICompletionsResult(body: unknown, env: ConversionEnv): HubResult {
  const completion = body as { id?: unknown; model?: unknown; created?: unknown; choices?: unknown; usage?: unknown } | null
  if (typeof completion !== 'object' || completion === null || !Array.isArray(completion.choices))
    throw new GatewayError(502, 'bad_upstream_response', 'Upstream answered without choices')
  const choices = (completion.choices as Array<CompletionChoice | null>).map(
    (choice, position): HubChoice => ({
      index: typeof choice?.index === 'number' ? choice.index : position,
      content: typeof choice?.text === 'string' && choice.text !== '' ? [{ type: 'text', text: choice.text }] : [],
      finishReason: mapOpenAIFinishReason(typeof choice?.finish_reason === 'string' ? choice.finish_reason : null),
    }),
  )
  const result: HubResult = {
    id: typeof completion.id === 'string' ? completion.id : env.newId('cmpl-'),
    model: typeof completion.model === 'string' ? completion.model : '',
    created: createdSeconds(number(completion.created), env),
    choices,
  }
  if (typeof completion.usage === 'object' && completion.usage !== null)
    result.usage = convertOpenAIUsage(completion.usage as Parameters<typeof convertOpenAIUsage>[0])
  return result
}
