import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck, type ValueError } from '@sinclair/typebox/compiler'
import { ValueErrorType } from '@sinclair/typebox/errors'
import { GatewayError } from '../errors.ts'

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>()

/** Compiles once per schema; relay schemas are validated on every request. */
function checkerFor(schema: TSchema): TypeCheck<TSchema> {
  let checker = compiled.get(schema)
  if (!checker) {
    checker = TypeCompiler.Compile(schema)
    compiled.set(schema, checker)
  }
  return checker
}

/** `/messages/0/content` → `messages[0].content`, the way OpenAI names parameters in errors. */
export function parameterName(path: string): string {
  return path
    .split('/')
    .filter(Boolean)
    .reduce((name, segment) => (/^\d+$/.test(segment) ? `${name}[${segment}]` : name ? `${name}.${segment}` : segment), '')
}

function describe(error: ValueError): { code: 'missing_required_parameter' | 'invalid_type' | 'invalid_request'; message: string } {
  const name = parameterName(error.path) || 'body'
  if (error.type === ValueErrorType.ObjectRequiredProperty) return { code: 'missing_required_parameter', message: `Missing required parameter: '${name}'.` }
  if (error.type === ValueErrorType.Union) return { code: 'invalid_type', message: `Invalid value for '${name}': it has an unsupported type or shape.` }
  const typed = [
    ValueErrorType.String,
    ValueErrorType.Number,
    ValueErrorType.Integer,
    ValueErrorType.Boolean,
    ValueErrorType.Array,
    ValueErrorType.Object,
    ValueErrorType.Null,
  ]
  if (typed.includes(error.type)) return { code: 'invalid_type', message: `Invalid type for '${name}': ${error.message.toLowerCase()}.` }
  return { code: 'invalid_request', message: `Invalid value for '${name}': ${error.message.toLowerCase()}.` }
}

/** Validates a body against a dialect's schema; the 400 names the first offending parameter. */
export function validateBody(schema: TSchema, body: unknown): void {
  const checker = checkerFor(schema)
  if (checker.Check(body)) return
  const first = checker.Errors(body).First()
  if (!first) throw new GatewayError(400, 'invalid_request', 'Request body does not match the expected shape.')
  const { code, message } = describe(first)
  throw new GatewayError(400, code, message, { param: parameterName(first.path) })
}
