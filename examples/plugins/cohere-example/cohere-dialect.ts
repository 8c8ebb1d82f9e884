import { parseJsonObject, type UpstreamDialectCodec } from '@hanggent/plugin-sdk'
import { convertToCohereRequest } from './convert-to-cohere-request.ts'
import { decodeCohereResult, decodeCohereStream } from './cohere-decode.ts'

// The Cohere v2 chat dialect, upstream only: no client speaks it, so it declares no routes and brings
// only what the gateway needs to send calls in it (see docs/plugins.md, "Upstream-only providers").

/** The dialect id channels of this type speak natively. */
export const COHERE_DIALECT = 'cohere-example.chat'

/** Cohere's error body is `{ "message": "…" }`; anything else is described by its status. */
function readCohereError(status: number, bodyText: string): { message: string } {
  const message = parseJsonObject(bodyText)?.message
  return { message: typeof message === 'string' ? message : `Cohere answered HTTP ${status}` }
}

/** Cohere's chat dialect: reached from any client dialect through the hub. */
export const cohereDialect: UpstreamDialectCodec = {
  dialect: COHERE_DIALECT,
  endpoint: 'chat',
  readUpstreamError: readCohereError,
  hub: { encodeRequest: convertToCohereRequest, decodeResult: decodeCohereResult, decodeStream: decodeCohereStream },
}
