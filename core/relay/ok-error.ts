import { isRecord, parseJsonObject } from '@hanggent/plugin-sdk'

// Some upstreams (OpenAI-compatible vendors, proxies in front of them) answer a failed call with HTTP 200
// and an error body, to a whole-answer call or to a stream call they did not stream. Relayed as it is, the
// client of a passthrough call reads a 200 it must inspect and pays for nothing it got; a converted call
// fails after the attempt, where no other channel is tried. Read as the error it is, inside the attempt,
// it fails over and costs nothing, as the same error with its own status would.

/** An error body is a few hundred bytes; a larger 200 answer is not inspected (a real answer can be megabytes). */
const ERROR_BODY_MAX_CHARS = 64 * 1024

/** Keys whose non-empty array is output: an answer that has some is an answer, whatever else it says. */
const OUTPUT_KEYS = ['choices', 'candidates', 'content', 'data', 'output', 'results'] as const

/** Error `type`s of the OpenAI and Anthropic error bodies with the status those APIs send them with. */
const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  overloaded_error: 529,
}

/**
 * The HTTP status a 200 answer's body stands for when it is an error, else undefined: a JSON object with a
 * non-empty top-level `error` member (OpenAI, Gemini, Anthropic's `{"type":"error","error":…}`, a failed
 * Responses object) and no output. The status is the error's own (`code` or `status` between 400 and 599,
 * as Gemini sends), else the one its `type` is sent with, else 502.
 */
export function errorStatusOfOkAnswer(text: string): number | undefined {
  if (text.length > ERROR_BODY_MAX_CHARS || !namesAnError(text)) return undefined
  const body = parseJsonObject(text)
  if (!body) return undefined
  const error = body.error
  if (error === undefined || error === null || error === false || error === '' || (isRecord(error) && Object.keys(error).length === 0)) return undefined
  if (OUTPUT_KEYS.some((key) => Array.isArray(body[key]) && body[key].length > 0)) return undefined
  return isRecord(error) ? statusOf(error) : 502
}

/**
 * True when some `"error":` member holds something other than null: the cheap look that spares a parse of every
 * answer that merely says `"error": null` (each Responses object does). Inside a JSON string a quote is escaped,
 * so such a member cannot be faked by text.
 */
function namesAnError(text: string): boolean {
  for (let at = text.indexOf('"error"'); at !== -1; at = text.indexOf('"error"', at + 7)) {
    let index = at + 7
    while (text.charCodeAt(index) <= 32) index++
    if (text.charCodeAt(index) !== 58) continue
    index++
    while (text.charCodeAt(index) <= 32) index++
    if (!text.startsWith('null', index)) return true
  }
  return false
}

/** The status an error object names, by number or by type. */
function statusOf(error: Record<string, unknown>): number {
  for (const field of [error.code, error.status]) {
    const status = typeof field === 'string' && /^\d{3}$/.test(field) ? Number(field) : field
    if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599) return status
  }
  for (const field of [error.type, error.code]) if (typeof field === 'string' && Object.hasOwn(STATUS_BY_TYPE, field)) return STATUS_BY_TYPE[field]!
  return 502
}
