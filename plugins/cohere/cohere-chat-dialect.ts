import { parseJsonObject, type UpstreamDialectCodec } from '@hanggent/plugin-sdk'
import { convertToCohereRequest } from './convert-to-cohere-request.ts'
import { decodeCohereResult, decodeCohereStream } from './cohere-decode.ts'

// Cohere's v2 chat, upstream only: no client speaks it, so every chat call (OpenAI, Anthropic, Gemini
// clients) reaches it through the hub. see https://docs.cohere.com/reference/chat

/** The dialect id `cohere` channels speak natively for chat. */
export const COHERE_CHAT_DIALECT = 'cohere.chat'

/** Cohere's error body is `{ "message": "…" }`; anything else is described by its status. */
export function readCohereError(status: number, bodyText: string): { message: string } {
  const message = parseJsonObject(bodyText)?.message
  return { message: typeof message === 'string' ? message : `Cohere answered HTTP ${status}` }
}

/** Cohere's chat dialect: reached from any client dialect through the hub. */
export const cohereChatDialect: UpstreamDialectCodec = {
  dialect: COHERE_CHAT_DIALECT,
  endpoint: 'chat',
  readUpstreamError: readCohereError,
  hub: { encodeRequest: convertToCohereRequest, decodeResult: decodeCohereResult, decodeStream: decodeCohereStream },
}
