import { isRecord } from '@hanggent/plugin-sdk'

// see https://platform.openai.com/docs/guides/structured-outputs#supported-schemas
// OpenAI's strict mode accepts a JSON Schema only when every object lists all its properties in
// `required` and sets `additionalProperties: false`, at every depth (properties, array items,
// anyOf branches, $defs). A tool sent as strict with any other schema is refused with a 400.

type Json = Record<string, unknown>

/** The sub-schemas of a schema node that strict mode also checks. */
function children(schema: Json): unknown[] {
  const nested: unknown[] = []
  if (isRecord(schema.properties)) nested.push(...Object.values(schema.properties))
  if (schema.items !== undefined) nested.push(...(Array.isArray(schema.items) ? schema.items : [schema.items]))
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) if (Array.isArray(schema[key])) nested.push(...(schema[key] as unknown[]))
  for (const key of ['$defs', 'definitions']) if (isRecord(schema[key])) nested.push(...Object.values(schema[key] as Json))
  return nested
}

/** True when an object node closes its properties and requires every one of them. */
function objectIsStrict(schema: Json): boolean {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type]
  if (!types.includes('object') && !isRecord(schema.properties)) return true
  if (schema.additionalProperties !== false) return false
  const properties = isRecord(schema.properties) ? Object.keys(schema.properties) : []
  const required = new Set(Array.isArray(schema.required) ? schema.required : [])
  return properties.every((name) => required.has(name))
}

/** True when OpenAI's strict mode would accept this JSON Schema as it is. */
export function satisfiesStrictMode(schema: unknown): boolean {
  if (!isRecord(schema)) return false
  const pending: unknown[] = [schema]
  while (pending.length > 0) {
    const node = pending.pop()
    if (!isRecord(node)) continue
    if (!objectIsStrict(node)) return false
    pending.push(...children(node))
  }
  return true
}
