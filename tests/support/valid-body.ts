import type { Static, TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/**
 * A test's request body as a dialect's typed reads receive it: checked against the dialect's request schema
 * (as the relay does before any read), so a unit test cannot hand a read a body the relay would have refused.
 */
export function validBody<S extends TSchema>(schema: S, body: unknown): Static<S> {
  if (!Value.Check(schema, body)) throw new Error(`test body does not match the request schema: ${JSON.stringify([...Value.Errors(schema, body)][0]?.message)}`)
  return body
}
