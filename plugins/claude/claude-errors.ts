import type { GatewayError, GatewayErrorKind } from '@hanggent/plugin-sdk'
import type { SseEvent } from '@hanggent/plugin-sdk'
import type { ClaudeErrorBody } from './claude-api.ts'
import { isRecord, parseJsonObject } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/api/errors — errors are {type:"error", error:{type, message}}; the
// type follows the HTTP status (400 invalid_request_error … 529 overloaded_error). A stream that
// fails after the 200 ends with an `event: error` carrying the same JSON.

const typeByStatus: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  503: 'overloaded_error',
  529: 'overloaded_error',
}

const typeByKind: Record<GatewayErrorKind, string> = {
  authentication: 'authentication_error',
  permission: 'permission_error',
  invalid_request: 'invalid_request_error',
  not_found: 'not_found_error',
  rate_limit: 'rate_limit_error',
  request_too_large: 'request_too_large',
  upstream: 'api_error',
  overloaded: 'overloaded_error',
  internal: 'api_error',
}

const statusByType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
}

/** Anthropic's error `type` for a status (the gateway's kind decides for statuses Anthropic does not list). */
export function claudeErrorType(status: number, kind: GatewayErrorKind): string {
  return typeByStatus[status] ?? typeByKind[kind]
}

/** The HTTP status Anthropic uses for an error `type` (e.g. 529 for `overloaded_error`); 502 for unknown types. */
export function statusForClaudeErrorType(type: string | undefined): number {
  return (type !== undefined && Object.hasOwn(statusByType, type) ? statusByType[type] : undefined) ?? 502
}

/** The Anthropic error envelope for a gateway error. */
export function claudeErrorBody(error: GatewayError): ClaudeErrorBody {
  return { type: 'error', error: { type: claudeErrorType(error.status, error.kind), message: error.message } }
}

/** Renders a gateway error as an Anthropic HTTP error response. */
export function renderClaudeError(error: GatewayError): { status: number; body: unknown } {
  return { status: error.status, body: claudeErrorBody(error) }
}

/** A stream that fails midway ends with one `event: error` whose data is the error envelope, as Anthropic does. */
export function renderClaudeStreamError(error: GatewayError): SseEvent[] {
  return [{ event: 'error', data: JSON.stringify(claudeErrorBody(error)) }]
}

/** Pulls message and type out of an upstream error body in Anthropic's shape (OpenAI's shape and plain text also understood). */
export function readClaudeUpstreamError(status: number, bodyText: string): { message: string; code?: string } {
  const parsed = parseJsonObject<{ error?: unknown; message?: unknown }>(bodyText)
  const inner = parsed?.error
  if (typeof inner === 'string') return { message: inner }
  if (isRecord(inner) && typeof inner.message === 'string') {
    const code = typeof inner.type === 'string' ? inner.type : typeof inner.code === 'string' ? inner.code : undefined
    return code === undefined ? { message: inner.message } : { message: inner.message, code }
  }
  if (typeof parsed?.message === 'string') return { message: parsed.message }
  const text = bodyText.trim().slice(0, 500)
  return { message: text === '' ? `upstream answered HTTP ${status}` : text }
}
