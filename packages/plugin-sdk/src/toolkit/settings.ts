import type { Static, TObject, TProperties } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { isRecord } from './values.ts'

// A channel's settings reach a plugin as `Record<string, unknown>`: the gateway validated them against
// the channel type's schema when the channel was saved, but a channel saved before the schema changed
// may hold values it no longer accepts. `readSettings` gives the plugin typed values without throwing.

/**
 * A channel's settings typed by its channel type's TypeBox schema. Each property of the schema is
 * checked on its own: a valid value is kept, a missing or invalid one becomes the property's `default`
 * (or is left out), and unknown properties are dropped. Never throws, so a stale setting cannot break calls.
 */
export function readSettings<Properties extends TProperties>(schema: TObject<Properties>, settings: unknown): Static<TObject<Properties>> {
  const source = isRecord(settings) ? settings : {}
  const typed: Record<string, unknown> = {}
  for (const [name, property] of Object.entries(schema.properties)) {
    const value = source[name]
    if (value !== undefined && Value.Check(property, value)) typed[name] = value
    else if (property.default !== undefined) typed[name] = Value.Clone(property.default)
  }
  return typed as Static<TObject<Properties>>
}
