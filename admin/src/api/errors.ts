// One error type for everything an API call can end with, and one way to put it in words.

/** A failed API call: the admin error body's code/message/field, or `network` when no answer came. */
export class ApiFailure extends Error {
  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** The admin error code (`invalid_request`, `unauthorized`, …), `network` or `unknown`. */
    readonly code: string,
    message: string,
    /** The request field at fault, as a dotted path. */
    readonly field?: string,
  ) {
    super(message)
    this.name = 'ApiFailure'
  }
}

function isAdminErrorBody(body: unknown): body is { error: { code: string; message: string; field?: string } } {
  if (typeof body !== 'object' || body === null) return false
  const error = (body as { error?: unknown }).error
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  )
}

/** Turns an admin error body, a network failure or anything thrown into an ApiFailure. */
export function toApiFailure(error: unknown, status = 0): ApiFailure {
  if (error instanceof ApiFailure) return error
  if (isAdminErrorBody(error)) return new ApiFailure(status, error.error.code, error.error.message, error.error.field)
  if (error instanceof TypeError) return new ApiFailure(0, 'network', error.message)
  if (status > 0) return new ApiFailure(status, 'unknown', typeof error === 'string' && error !== '' ? error : `HTTP ${status}`)
  return new ApiFailure(0, 'unknown', error instanceof Error ? error.message : String(error))
}

/** What an openapi-fetch call resolves to. */
interface FetchResult<T> {
  data?: T
  error?: unknown
  response: Response
}

/** Awaits an API call and returns its data, or throws an ApiFailure (network failures included). */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>
  try {
    result = await call
  } catch (error) {
    throw toApiFailure(error)
  }
  if (result.error !== undefined || !result.response.ok) throw toApiFailure(result.error, result.response.status)
  return result.data as T
}

/** An error as a person reads it. */
export interface ReadableError {
  /** The sentence to show, in the dashboard's language. */
  message: string
  /** The gateway's own wording when it says more than the sentence (often the field's rule). */
  detail?: string
  /** The request field at fault. */
  field?: string
  /** The stable code, for tests and special cases. */
  code: string
}

/** The parts of vue-i18n's composer the description needs. */
export interface Translator {
  t(key: string, named?: Record<string, unknown>): string
  te(key: string): boolean
}

/** Codes whose own wording matters more than any generic sentence. */
const SPECIFIC_CODES = new Set(['invalid_request', 'conflict', 'forbidden', 'not_found'])

/**
 * Words for an error, localised by its code (`errors.code.<code>`), with the gateway's message as the
 * fallback and as detail. `overrides` maps a code to a message key for one place (for example, on
 * the login page `unauthorized` means a wrong password rather than an expired session).
 */
export function describeError(
  error: unknown,
  translator: Translator,
  overrides: Record<string, string> = {},
  fieldLabels: Record<string, string> = {},
): ReadableError {
  const failure = toApiFailure(error)
  const key = overrides[failure.code] ?? `errors.code.${failure.code}`
  const field = failure.field
  const gatewayWords = withFieldLabel(failure.message, field, fieldLabels)
  if (!translator.te(key)) return { message: gatewayWords, code: failure.code, ...(field ? { field } : {}) }
  const message = translator.t(key, { field: (field && fieldLabels[field]) ?? field ?? '' })
  const detail = SPECIFIC_CODES.has(failure.code) && gatewayWords !== '' && gatewayWords !== message ? gatewayWords : undefined
  return { message, code: failure.code, ...(detail ? { detail } : {}), ...(field ? { field } : {}) }
}

/**
 * The gateway's message with its leading field path (`bootstrapPassword: …`) replaced by the label
 * the person sees on the form, when the page gave one.
 */
export function withFieldLabel(message: string, field: string | undefined, fieldLabels: Record<string, string>): string {
  const label = field === undefined ? undefined : fieldLabels[field]
  if (label === undefined || field === undefined || !message.startsWith(`${field}: `)) return message
  return `${label}: ${message.slice(field.length + 2)}`
}
