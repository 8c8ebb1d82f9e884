// The rule of what the dashboard's channel form can render from a channel type's settings schema.
// The dashboard builds its fields with settingKind, and formProblems names what a schema asks for
// that the form cannot show, so a plugin's tests (and the conformance kit) catch it before shipping.

/** A JSON Schema node as TypeBox emits it (plain JSON after serialisation). */
export type JsonSchemaNode = Record<string, unknown>

/**
 * The kinds of field the channel form renders: text, masked text (a string marked `writeOnly: true`,
 * the JSON Schema annotation for a value sent but not shown back), number (integer when `type: 'integer'`, with `minimum`/`maximum`), switch,
 * choice (`enum`, `const` or a union of `const`s), list of text (an array of strings or of choices),
 * key/value rows (a record of strings), and a group of these (an object with `properties`).
 */
export type SettingKind = 'string' | 'secret' | 'number' | 'boolean' | 'enum' | 'string-list' | 'string-map' | 'object'

/** The language tags the dashboard shows, as `x-i18n` keys (`zh` serves both Chinese variants). */
export const DASHBOARD_LANGUAGES: readonly string[] = ['en', 'fr', 'ja', 'zh', 'zh-CN', 'zh-TW']

/** True for a schema node (a plain object, not an array). */
export function isSchemaNode(value: unknown): value is JsonSchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The schema without a `null` alternative: `X | null` renders as X, and an empty field means unset. */
export function withoutNull(schema: JsonSchemaNode): JsonSchemaNode {
  const alternatives = schema.anyOf ?? schema.oneOf
  if (Array.isArray(alternatives)) {
    const rest = alternatives.filter((entry) => !(isSchemaNode(entry) && entry.type === 'null'))
    const [only] = rest
    if (rest.length === 1 && isSchemaNode(only)) {
      const kept = Object.fromEntries(['title', 'description', 'default', 'x-i18n'].filter((key) => schema[key] !== undefined).map((key) => [key, schema[key]]))
      return { ...only, ...kept }
    }
    return { ...schema, anyOf: rest }
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((type) => type !== 'null')
    return { ...schema, type: types.length === 1 ? types[0] : types }
  }
  return schema
}

const isScalar = (value: unknown): value is string | number => typeof value === 'string' || typeof value === 'number'

/** The allowed values of a choice (`enum`, `const`, or a union of `const`s), else undefined. */
export function enumValues(schema: JsonSchemaNode): Array<string | number> | undefined {
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every(isScalar)) return schema.enum
  if (isScalar(schema.const)) return [schema.const]
  const alternatives = schema.anyOf ?? schema.oneOf
  if (Array.isArray(alternatives) && alternatives.length > 0 && alternatives.every((entry) => isSchemaNode(entry) && isScalar(entry.const))) {
    return alternatives.map((entry) => (entry as JsonSchemaNode).const as string | number)
  }
  return undefined
}

/** The value schemas of a record: its `patternProperties` and a schema-valued `additionalProperties`. */
function recordValues(schema: JsonSchemaNode): JsonSchemaNode[] {
  const patterns = isSchemaNode(schema.patternProperties) ? Object.values(schema.patternProperties) : []
  return [...patterns, schema.additionalProperties].filter(isSchemaNode)
}

/** True for an object with named properties (rendered as a group of fields). */
function hasProperties(schema: JsonSchemaNode): boolean {
  return isSchemaNode(schema.properties) && Object.keys(schema.properties).length > 0
}

/** The kind of field a property renders as (null alternatives removed first), or undefined when the form cannot render it. */
export function settingKind(property: JsonSchemaNode): SettingKind | undefined {
  const schema = withoutNull(property)
  if (enumValues(schema)) return 'enum'
  switch (schema.type) {
    case 'string':
      return schema.writeOnly === true ? 'secret' : 'string'
    case 'number':
    case 'integer':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'array': {
      if (!isSchemaNode(schema.items)) return undefined
      const items = withoutNull(schema.items)
      const choices = enumValues(items)
      return items.type === 'string' || (choices !== undefined && choices.every((choice) => typeof choice === 'string')) ? 'string-list' : undefined
    }
    case 'object': {
      if (hasProperties(schema)) return recordValues(schema).length === 0 ? 'object' : undefined
      const values = recordValues(schema)
      return values.length > 0 && values.every((value) => value.type === 'string') ? 'string-map' : undefined
    }
    default:
      return undefined
  }
}

/** What a property that cannot be rendered looks like, in words. */
function describeUnrenderable(schema: JsonSchemaNode): string {
  if (schema.type === 'array') return 'an array whose items are not strings'
  if (schema.type === 'object')
    return hasProperties(schema) ? 'an object with both named and free-form properties' : 'an object with no properties whose values are not strings'
  if (Array.isArray(schema.anyOf ?? schema.oneOf)) return 'a union of different types'
  if (schema.type === undefined) return 'a schema with no type (any value)'
  return `type ${JSON.stringify(schema.type)}`
}

const RENDERABLE =
  'The form renders strings (writeOnly: true for secrets), numbers and integers, booleans, choices (enum, const or a union of consts), arrays of strings or choices, records of strings, and objects of these.'

/** Problems with a property's `x-i18n` annotation: unknown language tags, entries that are not text. */
function translationProblems(path: string, schema: JsonSchemaNode): string[] {
  const translations = schema['x-i18n']
  if (translations === undefined) return []
  if (!isSchemaNode(translations)) return [`${path}: x-i18n must map language tags to { title, description }`]
  const problems: string[] = []
  for (const [tag, entry] of Object.entries(translations)) {
    if (!DASHBOARD_LANGUAGES.includes(tag))
      problems.push(`${path}: x-i18n language "${tag}" is not one the dashboard shows (${DASHBOARD_LANGUAGES.join(', ')})`)
    else if (!isSchemaNode(entry) || Object.entries(entry).some(([key, text]) => !['title', 'description'].includes(key) || typeof text !== 'string')) {
      problems.push(`${path}: x-i18n.${tag} must be { title?: string, description?: string }`)
    }
  }
  return problems
}

/** True when a default fits the kind (undefined always fits). */
function defaultFits(kind: SettingKind, schema: JsonSchemaNode, value: unknown): boolean {
  if (value === undefined || value === null) return true
  switch (kind) {
    case 'string':
    case 'secret':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && (schema.type !== 'integer' || Number.isInteger(value))
    case 'boolean':
      return typeof value === 'boolean'
    case 'enum':
      return (enumValues(schema) ?? []).includes(value as string | number)
    case 'string-list':
      return Array.isArray(value) && value.every((entry) => typeof entry === 'string')
    case 'string-map':
      return isSchemaNode(value) && Object.values(value).every((entry) => typeof entry === 'string')
    case 'object':
      return isSchemaNode(value)
  }
}

/** Problems with the limits of a renderable field: bounds the wrong way round, a default outside them. */
function limitProblems(path: string, kind: SettingKind, schema: JsonSchemaNode): string[] {
  const problems: string[] = []
  // The gateway validates settings with TypeBox, which refuses every value of a format it does not know.
  if (schema.format === 'password')
    problems.push(`${path}: format 'password' is not a format the gateway validates (every value would be refused); mark a secret with writeOnly: true`)
  if (!defaultFits(kind, schema, schema.default))
    problems.push(`${path}: default ${JSON.stringify(schema.default)} is not a valid ${kind} value for this field`)
  const bounds: Array<[string, string]> =
    kind === 'number' ? [['minimum', 'maximum']] : kind === 'string' || kind === 'secret' ? [['minLength', 'maxLength']] : []
  for (const [low, high] of bounds) {
    const lower = schema[low]
    const upper = schema[high]
    if (typeof lower === 'number' && typeof upper === 'number' && lower > upper) problems.push(`${path}: ${low} ${lower} is above ${high} ${upper}`)
  }
  if (kind === 'number' && typeof schema.default === 'number') {
    if (typeof schema.minimum === 'number' && schema.default < schema.minimum)
      problems.push(`${path}: default ${schema.default} is below minimum ${schema.minimum}`)
    if (typeof schema.maximum === 'number' && schema.default > schema.maximum)
      problems.push(`${path}: default ${schema.default} is above maximum ${schema.maximum}`)
  }
  return problems
}

/** Problems of one object's properties, each named by its dotted path. */
function objectProblems(path: string, schema: JsonSchemaNode): string[] {
  const properties = isSchemaNode(schema.properties) ? schema.properties : {}
  const problems: string[] = []
  const required = Array.isArray(schema.required) ? schema.required : []
  for (const name of required)
    if (typeof name !== 'string' || !(name in properties)) problems.push(`${path}: required names "${String(name)}", which is not a property`)
  for (const [name, raw] of Object.entries(properties)) {
    const at = `${path}.${name}`
    if (!isSchemaNode(raw)) {
      problems.push(`${at}: not a schema`)
      continue
    }
    const property = withoutNull(raw)
    problems.push(...translationProblems(at, property))
    const kind = settingKind(property)
    if (kind === undefined) {
      problems.push(`${at}: ${describeUnrenderable(property)} cannot be rendered as a form field. ${RENDERABLE}`)
      continue
    }
    problems.push(...limitProblems(at, kind, property))
    if (kind === 'object') problems.push(...objectProblems(at, property))
  }
  return problems
}

/**
 * What the dashboard's channel form cannot render in a channel type's settings schema, one message per
 * problem naming the field by its path (`settings.region`, `settings.retry.count`); empty when the
 * whole schema renders. The schema is the JSON TypeBox emits (a `TObject` or its JSON copy).
 */
export function formProblems(schema: unknown): string[] {
  const json: unknown = JSON.parse(JSON.stringify(schema ?? null))
  if (!isSchemaNode(json) || json.type !== 'object' || !isSchemaNode(json.properties)) {
    return ['settings: must be an object schema with properties (Type.Object({...}); Type.Object({}) for none)']
  }
  if (recordValues(json).length > 0)
    return ['settings: free-form properties (patternProperties or a schema in additionalProperties) cannot be rendered at the top level; name each setting']
  return objectProblems('settings', json)
}
