import type { GatewayError, GatewayErrorKind } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'

// see https://platform.openai.com/docs/guides/error-codes — errors are {error:{message,type,param,code}}

const typeByKind: Record<GatewayErrorKind, string> = {
  authentication: 'authentication_error',
  permission: 'permission_error',
  invalid_request: 'invalid_request_error',
  not_found: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  request_too_large: 'invalid_request_error',
  upstream: 'upstream_error',
  overloaded: 'service_unavailable_error',
  internal: 'server_error',
}

/** The OpenAI error envelope for a gateway error. */
export function openAIErrorBody(error: GatewayError): { error: { message: string; type: string; param: string | null; code: string } } {
  const type = error.code === 'insufficient_quota' ? 'insufficient_quota' : typeByKind[error.kind]
  return { error: { message: error.message, type, param: error.param ?? null, code: error.code } }
}

/** Renders a gateway error as an OpenAI HTTP error response. */
export function renderOpenAIError(error: GatewayError): { status: number; body: unknown } {
  return { status: error.status, body: openAIErrorBody(error) }
}

/** A stream that fails midway ends with one `data: {"error":…}` event, as OpenAI does, and no `[DONE]`. */
export function renderOpenAIStreamError(error: GatewayError): SseEvent[] {
  return [{ data: JSON.stringify(openAIErrorBody(error)) }]
}

/** Pulls message and code out of an upstream error body in OpenAI's shape (or plain text). */
export function readOpenAIUpstreamError(status: number, bodyText: string): { message: string; code?: string } {
  try {
    const parsed = JSON.parse(bodyText) as { error?: { message?: unknown; code?: unknown; type?: unknown } | string; message?: unknown }
    const inner = parsed.error
    if (typeof inner === 'string') return { message: inner }
    if (inner && typeof inner.message === 'string') {
      const code = typeof inner.code === 'string' ? inner.code : typeof inner.type === 'string' ? inner.type : undefined
      return { message: inner.message, code }
    }
    if (typeof parsed.message === 'string') return { message: parsed.message }
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = bodyText.trim().slice(0, 500)
  return { message: text === '' ? `upstream answered HTTP ${status}` : text }
}
