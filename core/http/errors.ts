import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'
import { isDatabaseUnavailable } from '../db/unavailable.ts'
import { GatewayError, toGatewayError } from '../errors.ts'

/** Body of an admin error response: `{ error: { code, message, field? } }`. */
export interface AdminErrorBody {
  /** The error itself. */
  error: { code: string; message: string; field?: string }
}

/** Builds an admin error body; `field` is omitted when there is none. */
export function adminErrorBody(code: string, message: string, field?: string): AdminErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } }
}

/** `/priority` or `/models/0` → `priority` / `models.0`; the root is undefined. */
export function fieldOf(path: string | undefined): string | undefined {
  const field = (path ?? '').split('/').filter(Boolean).join('.')
  return field === '' ? undefined : field
}

/** Formats Elysia adds next to a declared type so it can convert text (`"1"` → 1); their errors say nothing useful. */
export const COERCION_FORMATS: ReadonlySet<string> = new Set(['integer', 'numeric', 'boolean', 'ObjectString', 'ArrayString'])

function isCoercionBranch(error: ValueError): boolean {
  const schema = error.schema as { type?: unknown; format?: unknown }
  return schema.type === 'string' && typeof schema.format === 'string' && COERCION_FORMATS.has(schema.format)
}

/**
 * The most helpful leaf of a union error: Elysia wraps `t.Integer()` as "number-looking string or
 * integer" and nullable fields are "X or null", so "Expected union value" hides the real reason.
 */
export function explainValueError(error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union || error.errors.length === 0) return error
  const firsts = error.errors.map((iterator) => iterator.First()).filter((entry): entry is ValueError => entry !== undefined)
  const literals = firsts.filter((entry) => entry.type === ValueErrorType.Literal)
  if (literals.length === firsts.length && literals.length > 0) {
    const allowed = literals.map((entry) => JSON.stringify((entry.schema as { const?: unknown }).const)).join(', ')
    return { ...error, message: `Expected one of ${allowed}` }
  }
  const useful = firsts.filter((entry) => !isCoercionBranch(entry) && entry.type !== ValueErrorType.Null)
  const chosen = useful[0] ?? firsts.find((entry) => !isCoercionBranch(entry)) ?? firsts[0]
  return chosen ? explainValueError(chosen) : error
}

/** Errors whose default text quotes a regular expression; a schema's own `error` text explains them better. */
const PATTERN_ERRORS = new Set<ValueErrorType>([ValueErrorType.StringPattern, ValueErrorType.StringFormat])

/** The parts of Elysia's ValidationError the renderer reads. */
interface ValidationErrorLike {
  type?: string
  valueError?: ValueError
  customError?: unknown
}

/**
 * A 400 `invalid_request` naming the field, from an Elysia validation error of the request. A schema
 * may carry a readable `error` text (Elysia's convention) used when a pattern or format fails.
 */
export function renderValidationError(error: ValidationErrorLike): { status: number; body: AdminErrorBody } {
  if (error.type === 'response')
    return { status: 500, body: adminErrorBody('internal_error', 'Internal error: the response did not match its schema; see the gateway log') }
  const leaf = error.valueError ? explainValueError(error.valueError) : undefined
  const declaredField = (leaf?.schema as { 'x-field'?: unknown } | undefined)?.['x-field']
  const field = fieldOf(leaf?.path) ?? (typeof declaredField === 'string' ? declaredField : undefined)
  const where = error.type === 'query' ? 'query' : error.type === 'params' ? 'path' : 'body'
  const hint = leaf && PATTERN_ERRORS.has(leaf.type) ? (leaf.schema as { error?: unknown }).error : undefined
  const reason = typeof hint === 'string' ? hint : (leaf?.message ?? 'invalid value')
  return { status: 400, body: adminErrorBody('invalid_request', `${field ?? where}: ${reason}`, field) }
}

/** The HTTP status and admin body for anything an admin route throws. */
export function renderAdminError(code: string | number, thrown: unknown): { status: number; body: AdminErrorBody } {
  const error = isDatabaseUnavailable(thrown) ? toGatewayError(thrown) : thrown
  if (error instanceof GatewayError) return { status: error.status, body: adminErrorBody(error.code, error.message, error.param) }
  if (code === 'VALIDATION') return renderValidationError(error as ValidationErrorLike)
  if (code === 'PARSE') return { status: 400, body: adminErrorBody('invalid_json', 'The request body is not valid JSON') }
  if (code === 'NOT_FOUND') return { status: 404, body: adminErrorBody('not_found', 'No such route') }
  if (code === 'INVALID_COOKIE_SIGNATURE') return { status: 400, body: adminErrorBody('invalid_request', 'Invalid cookie signature') }
  return { status: 500, body: adminErrorBody('internal_error', 'Internal error; see the gateway log') }
}

/** True for PostgreSQL unique-constraint violations (SQLSTATE 23505), on both drivers. */
export function isUniqueViolation(error: unknown): boolean {
  return uniqueViolationOf(error) !== undefined
}

/**
 * The index or constraint a unique violation hit ('' when the driver does not say), or undefined for
 * any other error. PGlite names it `constraint`, postgres.js `constraint_name`; drizzle wraps both in `cause`.
 */
export function uniqueViolationOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth += 1) {
    const fields = current as { code?: unknown; constraint?: unknown; constraint_name?: unknown; cause?: unknown }
    if (typeof current === 'object' && fields.code === '23505') {
      const name = fields.constraint ?? fields.constraint_name
      return typeof name === 'string' ? name : ''
    }
    current = fields.cause
  }
  return undefined
}
