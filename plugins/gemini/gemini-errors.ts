import type { GatewayError } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import { isRecord } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes and
// https://cloud.google.com/apis/design/errors#handling_errors — errors are google.rpc.Status as JSON:
// {error:{code:<HTTP status>, message, status:<canonical code>, details:[…]}}. The gateway's stable
// code travels in an ErrorInfo detail (`reason`), the way Google names its own reasons.

/** Google's canonical status name for an HTTP status. */
export function geminiStatusName(httpStatus: number): string {
  switch (httpStatus) {
    case 400:
    case 413:
    case 415:
    case 422:
      return 'INVALID_ARGUMENT'
    case 401:
      return 'UNAUTHENTICATED'
    case 403:
      return 'PERMISSION_DENIED'
    case 404:
      return 'NOT_FOUND'
    case 409:
      return 'ABORTED'
    case 429:
      return 'RESOURCE_EXHAUSTED'
    case 499:
      return 'CANCELLED'
    case 501:
      return 'UNIMPLEMENTED'
    case 502:
    case 503:
      return 'UNAVAILABLE'
    case 504:
      return 'DEADLINE_EXCEEDED'
  }
  return httpStatus >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'
}

/** The Google error envelope for a gateway error. */
export function geminiErrorBody(error: GatewayError): { error: { code: number; message: string; status: string; details: unknown[] } } {
  return {
    error: {
      code: error.status,
      message: error.message,
      status: geminiStatusName(error.status),
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: error.code, domain: 'hanggent-api' }],
    },
  }
}

/** Renders a gateway error as a Gemini HTTP error response. */
export function renderGeminiError(error: GatewayError): { status: number; body: unknown } {
  return { status: error.status, body: geminiErrorBody(error) }
}

/** A stream that fails midway ends with one `data: {"error":…}` event, which the @google/genai SDK raises as an ApiError. */
export function renderGeminiStreamError(error: GatewayError): SseEvent[] {
  return [{ data: JSON.stringify(geminiErrorBody(error)) }]
}

/** The ErrorInfo `reason` of an error, e.g. `API_KEY_INVALID`, more precise than the canonical status. */
function errorInfoReason(details: unknown): string | undefined {
  if (!Array.isArray(details)) return undefined
  const info = details.find((detail) => isRecord(detail) && typeof detail.reason === 'string')
  return info ? String((info as { reason: string }).reason) : undefined
}

/** Pulls message and code out of a Google error body (also the one-element array of a JSON stream), or plain text. */
export function readGeminiUpstreamError(status: number, bodyText: string): { message: string; code?: string } {
  try {
    let parsed: unknown = JSON.parse(bodyText)
    if (Array.isArray(parsed)) parsed = parsed[0]
    const inner = isRecord(parsed) ? parsed.error : undefined
    if (isRecord(inner) && typeof inner.message === 'string') {
      const code = errorInfoReason(inner.details) ?? (typeof inner.status === 'string' ? inner.status : undefined)
      return code === undefined ? { message: inner.message } : { message: inner.message, code }
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = bodyText.trim().slice(0, 500)
  return { message: text === '' ? `upstream answered HTTP ${status}` : text }
}
