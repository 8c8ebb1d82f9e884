import { Type, type TObject, type TSchema } from '@sinclair/typebox'
import { SystemOptions } from '../../core/options.ts'

/**
 * Copies an object schema without `default` on its properties, so a partial update is not filled in
 * with defaults; option groups (objects) become partial too, since the store merges them field by field.
 */
function withoutDefaults<T extends TObject>(schema: T): T {
  const properties: Record<string, TSchema> = {}
  for (const [key, property] of Object.entries(schema.properties)) {
    const { default: _default, ...rest } = property as TSchema & { default?: unknown; properties?: unknown }
    properties[key] = rest.properties ? withoutDefaults(Type.Partial(rest as TObject, { additionalProperties: false })) : (rest as TSchema)
  }
  return { ...schema, properties }
}

/** PATCH /api/options body: any subset of the system options, unknown keys refused. */
export const OptionsPatch = withoutDefaults(Type.Partial(SystemOptions, { additionalProperties: false, minProperties: 1 }))

/** GET /api/options answer. */
export { SystemOptions as OptionsView }
