import {
  GatewayError,
  type DialectCodec,
  type MediaMeasure,
  type MediaSpec,
  type ModelPrice,
  type ModelSpec,
  type PromptEstimateInput,
  type TypedDialectCodec,
  type Usage,
} from '@hanggent/plugin-sdk'
import { OpenAISpeechRequest, OpenAITranscriptionFields, OpenAITranslationFields } from '../../schemas/openai-audio.ts'
import { readOpenAIKey } from './openai-dialects.ts'
import { readOpenAIUpstreamError, renderOpenAIError, renderOpenAIStreamError } from './openai-errors.ts'

// The three OpenAI audio routes. Speech takes JSON and answers audio bytes, relayed as they arrive and billed
// per input character (tts-1, tts-1-hd) or by tokens (gpt-4o-mini-tts). Transcriptions and translations take
// a multipart form with the audio `file` and answer whole in the asked format (json, text, srt, verbose_json,
// vtt), passed on unchanged. They are billed by the tokens the answer reports (gpt-4o-transcribe and
// gpt-4o-mini-transcribe return `usage.type: "tokens"` in json answers), else per second of audio as the
// gateway read it from the file — never the duration the client or the upstream states.
// see https://platform.openai.com/docs/api-reference/audio
// see https://platform.openai.com/docs/guides/speech-to-text (usage of type tokens or duration)

/** Upstream paths of the audio dialects, under the OpenAI base (`/v1/…`) or an Azure deployment. */
export const AUDIO_PATHS: Record<string, string> = {
  'openai.audio.speech': '/audio/speech',
  'openai.audio.transcriptions': '/audio/transcriptions',
  'openai.audio.translations': '/audio/translations',
}

/** OpenAI's audio models. */
export const openAIAudioModels: ModelSpec[] = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe'].map(
  (id) => ({
    id,
    capabilities: ['audio'],
  }),
)

/** Characters billed for a speech input: Unicode code points, so an emoji is one character as a person counts it. */
export function speechCharacters(input: string): number {
  return [...input].length
}

/**
 * The `temperature` form field of a transcription or translation as a number: the schema checks its text is a
 * number, and here it is converted once and held to OpenAI's range (0 to 1), so a value outside it is a 400
 * naming the field instead of a form passed on unchecked.
 */
export function transcriptTemperature(fields: { temperature?: string }): number | undefined {
  if (fields.temperature === undefined) return undefined
  const temperature = Number(fields.temperature)
  if (temperature < 0 || temperature > 1)
    throw new GatewayError(400, 'invalid_request', `Invalid 'temperature': ${fields.temperature.trim()}. Expected a number from 0 to 1.`, {
      param: 'temperature',
    })
  return temperature
}

/** No tokens: the quantities alone carry the cost. */
function quantitiesOnly(quantities: Record<string, number>): Usage {
  return { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, quantities }
}

/** Token usage of a json or verbose_json transcript (`usage.type: "tokens"`), or undefined for any other answer. */
export function readTranscriptTokens(answer: { contentType: string; text?: string }): Usage | undefined {
  if (answer.text === undefined || !answer.contentType.toLowerCase().includes('json')) return undefined
  let usage: unknown
  try {
    usage = (JSON.parse(answer.text) as { usage?: unknown }).usage
  } catch {
    return undefined
  }
  if (typeof usage !== 'object' || usage === null || (usage as { type?: unknown }).type !== 'tokens') return undefined
  const { input_tokens: input, output_tokens: output } = usage as { input_tokens?: unknown; output_tokens?: unknown }
  if (typeof input !== 'number' || typeof output !== 'number') return undefined
  return { inputTokens: input, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: output, reasoningTokens: 0 }
}

/** A transcript's usage: the tokens the answer reports, else the seconds the gateway measured. */
export function transcriptUsage(answer: { contentType: string; text?: string }, measured: MediaMeasure): Usage | undefined {
  const tokens = readTranscriptTokens(answer)
  if (tokens) return tokens
  return measured.audioSeconds === undefined ? undefined : quantitiesOnly({ seconds: measured.audioSeconds })
}

/** Transcriptions and translations: a multipart form with one audio `file`, answered whole. */
const transcriptMedia: MediaSpec = {
  request: 'multipart',
  files: [{ field: 'file', required: true, kind: 'audio' }],
  response: 'whole',
  readUsage: (answer, _body, measured) => transcriptUsage(answer, measured),
}

/**
 * Speech: the audio goes out as it arrives; billed per character where the price names characters (tts-1),
 * and by the input's counted tokens where it names token prices (gpt-4o-mini-tts): the answer reports no
 * usage, so the gateway counts the prompt (estimatePrompt) and adds its expected characters.
 */
const speechMedia: MediaSpec = {
  request: 'json',
  response: 'binary',
  readUsage: () => undefined,
}

/** What the audio codecs share: OpenAI auth and errors, no SSE stream of their own, no output-token reservation. */
const audioBase = {
  endpoint: 'audio' as const,
  readKey: readOpenAIKey,
  readModel: (body: { model: string }) => body.model,
  readStream: () => false,
  readMaxOutputTokens: () => 0,
  prepareUpstreamBody: (body: { model: string }, model: string) => ({ body: { ...body, model } }),
  readUpstreamError: readOpenAIUpstreamError,
  renderError: renderOpenAIError,
  renderStreamError: renderOpenAIStreamError,
}

/** `POST /v1/audio/speech`: JSON in, audio bytes out. */
export const openAISpeechDialect: TypedDialectCodec<typeof OpenAISpeechRequest> = {
  ...audioBase,
  dialect: 'openai.audio.speech',
  routes: [{ method: 'POST', path: '/v1/audio/speech' }],
  requestSchema: OpenAISpeechRequest,
  estimatePrompt: (body) => ({
    texts: body.instructions === undefined ? [body.input] : [body.input, body.instructions],
    fixedTokens: 0,
    quantities: { characters: speechCharacters(body.input) },
  }),
  media: speechMedia,
}

/** The prompt of a transcription or translation, the only text it sends, once its number fields are checked. */
function transcriptPrompt(body: OpenAITranscriptionFields | OpenAITranslationFields): PromptEstimateInput {
  transcriptTemperature(body)
  return { texts: body.prompt === undefined ? [] : [body.prompt], fixedTokens: 0 }
}

/** `POST /v1/audio/transcriptions`: multipart with the audio file; json, text, srt, verbose_json or vtt out. */
export const openAITranscriptionsDialect: TypedDialectCodec<typeof OpenAITranscriptionFields> = {
  ...audioBase,
  dialect: 'openai.audio.transcriptions',
  routes: [{ method: 'POST', path: '/v1/audio/transcriptions' }],
  requestSchema: OpenAITranscriptionFields,
  estimatePrompt: transcriptPrompt,
  media: transcriptMedia,
}

/** `POST /v1/audio/translations`: as transcriptions, the text in English. */
export const openAITranslationsDialect: TypedDialectCodec<typeof OpenAITranslationFields> = {
  ...audioBase,
  dialect: 'openai.audio.translations',
  routes: [{ method: 'POST', path: '/v1/audio/translations' }],
  requestSchema: OpenAITranslationFields,
  estimatePrompt: transcriptPrompt,
  media: transcriptMedia,
}

/** The audio dialects, as the OpenAI and Azure transports list them. */
export const openAIAudioDialects: DialectCodec[] = [openAISpeechDialect, openAITranscriptionsDialect, openAITranslationsDialect]

/**
 * List prices (https://openai.com/api/pricing): tts-1 $15 and tts-1-hd $30 per 1M characters; gpt-4o-mini-tts
 * $0.60 per 1M input text tokens ($12 per 1M audio output tokens, which a binary answer never reports); whisper-1
 * $0.006 per minute; gpt-4o-transcribe $6 / $10 and gpt-4o-mini-transcribe $3 / $5 per 1M audio input / text output
 * tokens, and at their estimated $0.006 and $0.003 per minute when an answer (text, srt, vtt) reports no tokens.
 */
export const openAIAudioPricing = {
  'tts-1': { perUnit: { characters: 15 / 1_000_000 } },
  'tts-1-hd': { perUnit: { characters: 30 / 1_000_000 } },
  'gpt-4o-mini-tts': { inputPerMTok: 0.6, outputPerMTok: 12 },
  'whisper-1': { perUnit: { seconds: 0.006 / 60 } },
  'gpt-4o-transcribe': { inputPerMTok: 6, outputPerMTok: 10, perUnit: { seconds: 0.006 / 60 } },
  'gpt-4o-mini-transcribe': { inputPerMTok: 3, outputPerMTok: 5, perUnit: { seconds: 0.003 / 60 } },
} satisfies Record<string, ModelPrice>
