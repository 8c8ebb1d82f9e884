// A channel type's settings schema (JSON Schema as TypeBox emits it, from GET /api/channel-types)
// read into form fields, so every plugin's settings get a form without a hand-written page.

/** What every setting field has. */
interface FieldBase {
  /** The property name, also the key in `settings`. */
  key: string
  /** The schema's `title`, else the property name in words. */
  label: string
  description?: string
  required: boolean
}

/** One rendered setting. */
export type SettingField =
  | (FieldBase & { kind: 'string'; default?: string; maxLength?: number })
  | (FieldBase & { kind: 'number'; integer: boolean; default?: number; minimum?: number; maximum?: number })
  | (FieldBase & { kind: 'boolean'; default?: boolean })
  | (FieldBase & { kind: 'enum'; options: Array<string | number>; default?: string | number })
  | (FieldBase & { kind: 'string-list'; options?: string[]; default?: string[] })
  | (FieldBase & { kind: 'string-map'; default?: Record<string, string> })
  | (FieldBase & { kind: 'json'; default?: unknown })

type Schema = Record<string, unknown>

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value)

/** `apiVersion` → `Api version`, `stream_usage` → `Stream usage`. */
export function humanize(key: string): string {
  const words = key.replace(/[_-]+/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').trim().toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** The schema without a `null` alternative (`X | null` renders as X; empty means unset). */
function withoutNull(schema: Schema): Schema {
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown
  if (Array.isArray(alternatives)) {
    const rest = alternatives.filter((entry) => !(isSchema(entry) && entry.type === 'null'))
    if (rest.length === 1 && isSchema(rest[0])) return { ...rest[0], ...pick(schema, ['title', 'description', 'default']) }
    return { ...schema, anyOf: rest }
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((type) => type !== 'null')
    return { ...schema, type: types.length === 1 ? types[0] : types }
  }
  return schema
}

function pick(schema: Schema, keys: string[]): Schema {
  return Object.fromEntries(keys.filter((key) => schema[key] !== undefined).map((key) => [key, schema[key]]))
}

/** The allowed values of an enum-like schema (`enum`, `const`, or a union of `const`s), else undefined. */
function enumValues(schema: Schema): Array<string | number> | undefined {
  const scalar = (value: unknown): value is string | number => typeof value === 'string' || typeof value === 'number'
  if (Array.isArray(schema.enum) && schema.enum.every(scalar)) return schema.enum
  if (scalar(schema.const)) return [schema.const]
  const alternatives = schema.anyOf ?? schema.oneOf
  if (Array.isArray(alternatives) && alternatives.length > 0 && alternatives.every((entry) => isSchema(entry) && scalar(entry.const))) {
    return alternatives.map((entry) => (entry as Schema).const as string | number)
  }
  return undefined
}

/** True when an object schema is a map of strings (`patternProperties` or `additionalProperties` of strings). */
function isStringMap(schema: Schema): boolean {
  if (schema.type !== 'object' || (isSchema(schema.properties) && Object.keys(schema.properties).length > 0)) return false
  const values = [...Object.values(isSchema(schema.patternProperties) ? schema.patternProperties : {}), schema.additionalProperties]
    .filter(isSchema)
  return values.length > 0 && values.every((value) => value.type === 'string')
}

const numberOr = (value: unknown) => (typeof value === 'number' ? value : undefined)

/**
 * A property's label and help in the reader's language, from its `x-i18n` annotation (keyed by language
 * tag; `zh` serves both Chinese variants), else the schema's own `title` and `description`.
 */
export function translatedText(schema: Schema, locale: string | undefined): { title?: unknown; description?: unknown } {
  const translations = schema['x-i18n']
  if (!locale || !isSchema(translations)) return schema
  const entry = [locale, locale.split('-')[0] ?? locale].map((tag) => translations[tag]).find(isSchema)
  if (!entry) return schema
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)
  return { title: text(entry.title) ?? schema.title, description: text(entry.description) ?? schema.description }
}

/** One property as a field. */
function fieldOf(key: string, raw: Schema, required: boolean, locale: string | undefined): SettingField {
  const schema = withoutNull(raw)
  const shown = translatedText(schema, locale)
  const base: FieldBase = {
    key, required,
    label: typeof shown.title === 'string' && shown.title !== '' ? shown.title : humanize(key),
    ...(typeof shown.description === 'string' && shown.description !== '' ? { description: shown.description } : {}),
  }
  const fallback = schema.default
  const options = enumValues(schema)
  if (options) return { ...base, kind: 'enum', options, ...(typeof fallback === 'string' || typeof fallback === 'number' ? { default: fallback } : {}) }
  if (schema.type === 'string') {
    return { ...base, kind: 'string', ...(typeof fallback === 'string' ? { default: fallback } : {}), ...(numberOr(schema.maxLength) !== undefined ? { maxLength: numberOr(schema.maxLength) } : {}) }
  }
  if (schema.type === 'number' || schema.type === 'integer') {
    const minimum = numberOr(schema.minimum)
    const maximum = numberOr(schema.maximum)
    return {
      ...base, kind: 'number', integer: schema.type === 'integer',
      ...(typeof fallback === 'number' ? { default: fallback } : {}), ...(minimum !== undefined ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}),
    }
  }
  if (schema.type === 'boolean') return { ...base, kind: 'boolean', ...(typeof fallback === 'boolean' ? { default: fallback } : {}) }
  if (schema.type === 'array' && isSchema(schema.items)) {
    const items = withoutNull(schema.items)
    const itemOptions = enumValues(items)
    if (items.type === 'string' || (itemOptions && itemOptions.every((option) => typeof option === 'string'))) {
      const defaults = Array.isArray(fallback) && fallback.every((entry) => typeof entry === 'string') ? fallback : undefined
      return { ...base, kind: 'string-list', ...(itemOptions ? { options: itemOptions as string[] } : {}), ...(defaults ? { default: defaults } : {}) }
    }
  }
  if (isStringMap(schema)) {
    const defaults = isSchema(fallback) && Object.values(fallback).every((entry) => typeof entry === 'string') ? fallback as Record<string, string> : undefined
    return { ...base, kind: 'string-map', ...(defaults ? { default: defaults } : {}) }
  }
  return { ...base, kind: 'json', ...(fallback !== undefined ? { default: fallback } : {}) }
}

/** The fields of a settings schema, in the schema's property order, labelled in `locale` where the plugin translated them. */
export function settingFields(schema: Record<string, unknown> | undefined, locale?: string): SettingField[] {
  if (!schema || !isSchema(schema.properties)) return []
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((entry): entry is string => typeof entry === 'string') : [])
  return Object.entries(schema.properties).filter(([, value]) => isSchema(value)).map(([key, value]) => fieldOf(key, value as Schema, required.has(key), locale))
}

/** True for a value the form treats as "not set" (left out of the saved settings). */
export function isUnset(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true
  if (Array.isArray(value)) return value.length === 0
  if (isSchema(value) && Object.getPrototypeOf(value) === Object.prototype) return Object.keys(value).length === 0
  return false
}

/**
 * The settings to save: the form's values for the type's fields, unset ones left out (so the plugin's
 * defaults apply), plus any stored keys the schema does not describe, kept as they were.
 */
export function settingsToSave(fields: readonly SettingField[], values: Record<string, unknown>): Record<string, unknown> {
  const known = new Set(fields.map((field) => field.key))
  const saved: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(values)) {
    if (isUnset(value)) continue
    if (!known.has(key)) {
      saved[key] = value
      continue
    }
    saved[key] = typeof value === 'string' ? value.trim() : value
  }
  return saved
}
