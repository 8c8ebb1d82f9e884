import { GatewayError } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/api/generate-content — the model and the method share one path segment:
// `/v1beta/models/{model}:generateContent` and `…:streamGenerateContent` (with `?alt=sse` for SSE).

/** The methods of the `gemini.generate` dialect. */
export type GeminiAction = 'generateContent' | 'streamGenerateContent'

const ACTIONS = new Set<string>(['generateContent', 'streamGenerateContent'])

/** Splits `gemini-2.5-pro:generateContent` at its last ':'; a percent-encoded ':' (%3A) is accepted. */
export function splitModelAction(segment: string): { model: string; action: string } {
  let decoded = segment
  try {
    decoded = decodeURIComponent(segment)
  } catch {
    // keep the segment as it came
  }
  const colon = decoded.lastIndexOf(':')
  if (colon === -1) return { model: decoded, action: '' }
  return { model: decoded.slice(0, colon), action: decoded.slice(colon + 1) }
}

/** The model and method of a route's `modelAction` parameter; unknown methods are refused clearly. */
export function parseModelAction(segment: string | undefined): { model: string; action: GeminiAction } {
  const { model, action } = splitModelAction(segment ?? '')
  if (action === '')
    throw new GatewayError(404, 'not_found', `Unknown method: expected models/{model}:generateContent or :streamGenerateContent, got "${segment ?? ''}"`)
  if (!ACTIONS.has(action))
    throw new GatewayError(501, 'not_implemented', `Method "${action}" is not supported by this gateway; use generateContent or streamGenerateContent`)
  if (model === '') throw new GatewayError(400, 'missing_required_parameter', 'The model name is missing from the URL', { param: 'model' })
  return { model, action: action as GeminiAction }
}
