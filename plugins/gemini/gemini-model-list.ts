import type { InboundRequest, ModelListCodec } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/api/models#method:-models.list — `{models: [{name: "models/<id>", …}]}`.
// Gemini SDKs list models at `GET /v1beta/models` with their key in `x-goog-api-key` or `?key=`; a
// `GET /v1/models` carrying either is answered in this shape too (New API behaviour).

/** True when a request carries a key the way Google's clients send it. */
export function hasGoogleKey(request: InboundRequest): boolean {
  return request.headers.has('x-goog-api-key') || request.url.searchParams.has('key')
}

/** The methods a listed model supports: embedding models embed, every other model generates. */
function generationMethods(id: string): string[] {
  return id.includes('embedding') ? ['embedContent', 'batchEmbedContents'] : ['generateContent', 'countTokens']
}

/** The model list in Gemini's shape. */
export const geminiModelList: ModelListCodec = {
  matches: hasGoogleKey,
  render: (models) => ({ models: models.map((id) => ({ name: `models/${id}`, displayName: id, supportedGenerationMethods: generationMethods(id) })) }),
  routes: ['/v1beta/models'],
}
