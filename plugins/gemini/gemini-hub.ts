import type { ChatHubCodec } from '@hanggent/plugin-sdk'
import type { GeminiGenerateContentRequest } from '../../schemas/gemini-generate.ts'
import { convertFromGeminiRequest } from './convert-from-gemini-request.ts'
import { convertToGeminiRequest } from './convert-to-gemini-request.ts'
import { decodeGeminiResult, encodeGeminiResult } from './convert-gemini-result.ts'
import { createGeminiStreamDecoder, decodeGeminiStream } from './gemini-stream-decode.ts'
import { encodeGeminiStream } from './gemini-stream-encode.ts'

/** Gemini generateContent ⇄ hub, both as the client's dialect and as the upstream's. */
export const geminiGenerateHub: ChatHubCodec<GeminiGenerateContentRequest> = {
  decodeRequest: convertFromGeminiRequest,
  encodeResult: encodeGeminiResult,
  encodeStream: encodeGeminiStream,
  encodeRequest: convertToGeminiRequest,
  decodeResult: decodeGeminiResult,
  decodeStream: decodeGeminiStream,
  createStreamDecoder: createGeminiStreamDecoder,
}
