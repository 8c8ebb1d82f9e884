import { isRecord } from '@hanggent/plugin-sdk'

// see https://ai.google.dev/api/caching#Schema (the OpenAPI 3.0 subset of `parameters` / `responseSchema`)
// see https://ai.google.dev/gemini-api/docs/structured-output (`responseJsonSchema`) and
// https://ai.google.dev/api/caching#FunctionDeclaration (`parametersJsonSchema`, plain JSON Schema)
// The hub holds JSON Schema. Gemini's older fields take an OpenAPI subset with upper-case type names
// (`OBJECT`) and `nullable`; decoding turns that into JSON Schema. Encoding uses the JSON Schema fields,
// so nothing needs to be stripped but `$schema`, which only names the dialect of the document.

/** One OpenAPI-subset type name as a JSON Schema type, or undefined for TYPE_UNSPECIFIED. */
function jsonType(type: unknown): unknown {
  if (typeof type !== 'string') return type
  const lower = type.toLowerCase()
  return lower === 'type_unspecified' ? undefined : lower
}

/** Gemini's OpenAPI-subset schema as JSON Schema: lower-case types, `nullable: true` as a `null` type. */
export function openApiToJsonSchema(schema: unknown): Record<string, unknown> {
  if (!isRecord(schema)) return {}
  const converted: Record<string, unknown> = {}
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'nullable') continue
    if (keyword === 'type') {
      const type = jsonType(value)
      if (type !== undefined) converted.type = schema.nullable === true && typeof type === 'string' ? [type, 'null'] : type
    } else if (keyword === 'properties' && isRecord(value)) {
      converted.properties = Object.fromEntries(Object.entries(value).map(([name, property]) => [name, openApiToJsonSchema(property)]))
    } else if (keyword === 'items') {
      converted.items = openApiToJsonSchema(value)
    } else if (keyword === 'anyOf' && Array.isArray(value)) {
      converted.anyOf = value.map(openApiToJsonSchema)
    } else {
      converted[keyword] = value
    }
  }
  return converted
}

/** A hub JSON Schema for Gemini's `parametersJsonSchema` / `responseJsonSchema`: only `$schema` is left out. */
export function toGeminiJsonSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema
  return rest
}
