// A channel type's settings schema (JSON Schema as TypeBox emits it, from GET /api/channel-types)
// read into form fields, so every plugin's settings get a form without a hand-written page.

import { enumValues, isSchemaNode as isSchema, settingKind, withoutNull, type JsonSchemaNode as Schema } from '@hanggent/plugin-sdk/settings-form'

// The kinds a schema renders as come from the plugin SDK (settingKind), the same rule the
// conformance kit checks plugins against (formProblems): a property the rule rejects is edited as JSON.

/** What every setting field has. */
interface FieldBase {
  /** The property name, also the key in `settings` (or in its parent object's value). */
  key: string
  /** The schema's `title`, else the property name in words. */
  label: string
  description?: string
  required: boolean
}

/** One rendered setting. */
export type SettingField =
  | (FieldBase & { kind: 'string'; default?: string; maxLength?: number })
  | (FieldBase & { kind: 'secret'; maxLength?: number })
  | (FieldBase & { kind: 'number'; integer: boolean; default?: number; minimum?: number; maximum?: number })
  | (FieldBase & { kind: 'boolean'; default?: boolean })
  | (FieldBase & { kind: 'enum'; options: Array<string | number>; default?: string | number })
  | (FieldBase & { kind: 'string-list'; options?: string[]; default?: string[] })
  | (FieldBase & { kind: 'string-map'; default?: Record<string, string> })
  | (FieldBase & { kind: 'object'; fields: SettingField[] })
  | (FieldBase & { kind: 'json'; default?: unknown })

/** `apiVersion` → `Api version`, `stream_usage` → `Stream usage`. */
export function humanize(key: string): string {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
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

/** The numeric limits a schema sets, only those present. */
function limits(schema: Schema, names: string[]): Record<string, number> {
  return Object.fromEntries(names.map((name) => [name, numberOr(schema[name])]).filter(([, value]) => value !== undefined)) as Record<string, number>
}

/** One property as a field of the kind the SDK's rule gives it (JSON text for a kind it rejects). */
function fieldOf(key: string, raw: Schema, required: boolean, locale: string | undefined): SettingField {
  const schema = withoutNull(raw)
  const shown = translatedText(schema, locale)
  const base: FieldBase = {
    key,
    required,
    label: typeof shown.title === 'string' && shown.title !== '' ? shown.title : humanize(key),
    ...(typeof shown.description === 'string' && shown.description !== '' ? { description: shown.description } : {}),
  }
  const fallback = schema.default
  switch (settingKind(schema)) {
    case 'enum':
      return {
        ...base,
        kind: 'enum',
        options: enumValues(schema) ?? [],
        ...(typeof fallback === 'string' || typeof fallback === 'number' ? { default: fallback } : {}),
      }
    case 'string':
      return { ...base, kind: 'string', ...(typeof fallback === 'string' ? { default: fallback } : {}), ...limits(schema, ['maxLength']) }
    case 'secret':
      return { ...base, kind: 'secret', ...limits(schema, ['maxLength']) }
    case 'number':
      return {
        ...base,
        kind: 'number',
        integer: schema.type === 'integer',
        ...(typeof fallback === 'number' ? { default: fallback } : {}),
        ...limits(schema, ['minimum', 'maximum']),
      }
    case 'boolean':
      return { ...base, kind: 'boolean', ...(typeof fallback === 'boolean' ? { default: fallback } : {}) }
    case 'string-list': {
      const itemOptions = isSchema(schema.items) ? enumValues(withoutNull(schema.items)) : undefined
      const defaults = Array.isArray(fallback) && fallback.every((entry) => typeof entry === 'string') ? fallback : undefined
      return { ...base, kind: 'string-list', ...(itemOptions ? { options: itemOptions.map(String) } : {}), ...(defaults ? { default: defaults } : {}) }
    }
    case 'string-map': {
      const defaults =
        isSchema(fallback) && Object.values(fallback).every((entry) => typeof entry === 'string') ? (fallback as Record<string, string>) : undefined
      return { ...base, kind: 'string-map', ...(defaults ? { default: defaults } : {}) }
    }
    case 'object':
      return { ...base, kind: 'object', fields: settingFields(schema, locale) }
    case undefined:
      return { ...base, kind: 'json', ...(fallback !== undefined ? { default: fallback } : {}) }
  }
}

/** The fields of a settings schema, in the schema's property order, labelled in `locale` where the plugin translated them. */
export function settingFields(schema: Record<string, unknown> | undefined, locale?: string): SettingField[] {
  if (!schema || !isSchema(schema.properties)) return []
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((entry): entry is string => typeof entry === 'string') : [])
  return Object.entries(schema.properties)
    .filter(([, value]) => isSchema(value))
    .map(([key, value]) => fieldOf(key, value as Schema, required.has(key), locale))
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
  const known = new Map(fields.map((field) => [field.key, field]))
  const saved: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(values)) {
    const field = known.get(key)
    // A group's own values are saved by the same rule, and the group is left out when none is set.
    const kept = field?.kind === 'object' && isSchema(value) ? settingsToSave(field.fields, value) : field && typeof value === 'string' ? value.trim() : value
    if (!isUnset(kept)) saved[key] = kept
  }
  return saved
}

/** Every field's form path (`settings.region`, `settings.retry.count`), where the API's field errors are shown. */
export function settingPaths(fields: readonly SettingField[], prefix = 'settings'): string[] {
  return fields.flatMap((field) => {
    const path = `${prefix}.${field.key}`
    return field.kind === 'object' ? [path, ...settingPaths(field.fields, path)] : [path]
  })
}
