import type { ConversionEnv } from '@hanggent/plugin-sdk'
import type { HubChoice, HubPart, HubResult } from '@hanggent/plugin-sdk'
import { GatewayError } from '@hanggent/plugin-sdk'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { type GeminiCandidate, type GeminiGenerateContentResponse, type GeminiPart, GeminiStreamChunk } from '../../schemas/gemini-generate.ts'
import { convertGeminiUsage, toGeminiUsageMetadata } from './convert-gemini-usage.ts'
import { decodeGeminiPart, encodeModelParts } from './gemini-parts.ts'
import { isRecord, nowSeconds, wrongShape } from '@hanggent/plugin-sdk'
import { mapGeminiBlockReason, mapGeminiFinishReason, toGeminiFinishReason } from './map-gemini-finish-reason.ts'
import { partsForClient } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/api/generate-content#generatecontentresponse
// Candidates are choices. Gemini answers carry no timestamp (the hub's `created` is the injected clock)
// and usually no function-call ids (fresh ones come from `env`). A prompt blocked before generation
// comes back as HTTP 200 with `promptFeedback.blockReason` and no candidates: it becomes one empty
// choice finished by `content-filter`, raw reason = the block reason, so every client dialect sees a
// filtered answer (OpenAI `content_filter`, Claude `refusal`) and the prompt tokens are still billed.

/** The answer schema (a stream chunk's: a complete answer is one chunk holding everything), compiled once. */
const checkResponse = TypeCompiler.Compile(GeminiStreamChunk)

/** The hub parts of a candidate's content. */
export function candidateParts(candidate: GeminiCandidate, env: ConversionEnv): HubPart[] {
  const parts: GeminiPart[] = candidate.content?.parts ?? []
  return parts.flatMap((part) => decodeGeminiPart(part, () => env.newId('call_')) ?? [])
}

function decodeCandidate(candidate: GeminiCandidate, position: number, env: ConversionEnv): HubChoice {
  const content = candidateParts(candidate, env)
  const choice: HubChoice = {
    index: candidate.index ?? position,
    content,
    finishReason: mapGeminiFinishReason(
      candidate.finishReason,
      content.some((part) => part.type === 'tool-call'),
    ),
  }
  if (candidate.finishReason) choice.rawFinishReason = candidate.finishReason
  return choice
}

/** A complete GenerateContentResponse as a hub result; a body with neither candidates nor a block reason is a bad upstream answer. */
export function decodeGeminiResult(body: unknown, env: ConversionEnv): HubResult {
  if (!isRecord(body)) throw new GatewayError(502, 'bad_upstream_response', 'Upstream answered with a body that is not a JSON object')
  // A complete answer has the shape of a stream chunk: the same schema checks it, so a wrong member is named here.
  if (!checkResponse.Check(body)) throw new GatewayError(502, 'bad_upstream_response', wrongShape(body, checkResponse, 'Gemini', 'answer').message)
  const response = body
  const candidates = response.candidates ?? []
  const blockReason = response.promptFeedback?.blockReason
  if (candidates.length === 0 && !blockReason) {
    const error = isRecord(response.error) ? response.error : {}
    const message = typeof error.message === 'string' ? error.message : 'Upstream answered without candidates'
    throw new GatewayError(502, 'bad_upstream_response', message)
  }
  const choices =
    candidates.length > 0 || !blockReason
      ? candidates.map((candidate, position) => decodeCandidate(candidate, position, env))
      : [{ index: 0, content: [], finishReason: mapGeminiBlockReason(blockReason), rawFinishReason: blockReason }]
  const result: HubResult = { id: response.responseId || env.newId(''), model: response.modelVersion || env.model || '', created: nowSeconds(env), choices }
  if (response.usageMetadata) result.usage = convertGeminiUsage(response.usageMetadata)
  return result
}

/** A hub result as the GenerateContentResponse Gemini returns (an empty choice keeps a `content` with only its role, as Gemini sends it). */
export function encodeGeminiResult(result: HubResult, env: ConversionEnv): GeminiGenerateContentResponse {
  const candidates = result.choices.map((choice): GeminiCandidate => {
    const parts = encodeModelParts(partsForClient(choice.content, 'google'), { callIds: true, warn: () => undefined })
    return {
      content: parts.length > 0 ? { parts, role: 'model' } : { role: 'model' },
      finishReason: toGeminiFinishReason(choice.finishReason, choice.rawFinishReason),
      index: choice.index,
    }
  })
  const response: GeminiGenerateContentResponse = { candidates }
  if (result.usage) response.usageMetadata = toGeminiUsageMetadata(result.usage)
  response.modelVersion = result.model
  response.responseId = result.id || env.newId('')
  return response
}
