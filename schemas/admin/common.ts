import { t, type Static } from 'elysia'

/** The admin API's error envelope. */
export const AdminError = t.Object(
  {
    error: t.Object({
      code: t.String({ description: 'Stable machine-readable code' }),
      message: t.String({ description: 'What went wrong, for a person' }),
      field: t.Optional(t.String({ description: 'The request field at fault, as a dotted path (e.g. `models.0`)' })),
    }),
  },
  { $id: '#/components/schemas/AdminError' },
)

/** Typed admin error body. */
export type AdminError = Static<typeof AdminError>

/** Error responses every admin route can give. */
export const errorResponses = {
  400: AdminError,
  401: AdminError,
  403: AdminError,
  404: AdminError,
  409: AdminError,
  500: AdminError,
}

/** An ISO 8601 timestamp. */
export const Timestamp = t.String({ format: 'date-time' })

/**
 * An integer in a query string or path. Elysia converts these from text and reports range errors
 * without the parameter's name, so the schema carries it (`x-field`) for the error renderer.
 */
export function IntegerParameter(field: string, options: { minimum?: number; maximum?: number; description?: string } = {}) {
  return t.Integer({ minimum: 1, maximum: 2_147_483_647, ...options, 'x-field': field })
}

/** A positive integer id in a path. */
export const IdParams = t.Object({ id: IntegerParameter('id') })

/** page/pageSize query parameters (1-based page, at most 100 per page). */
export const Pagination = {
  page: t.Optional(IntegerParameter('page', { description: '1-based page number; default 1' })),
  pageSize: t.Optional(IntegerParameter('pageSize', { maximum: 100, description: 'Items per page; default 20, at most 100' })),
}

/**
 * The `sort` query parameter of a list route: one of `fields`, ascending, or with a leading `-`
 * descending (`-createdAt`). Without it lists are newest first.
 */
export function SortParameter<const Fields extends readonly string[]>(fields: Fields) {
  const list = fields.join(', ')
  return t.Optional(
    t.String({
      maxLength: 64,
      pattern: `^-?(${fields.join('|')})$`,
      description: `Sort field, \`-\` first for descending: ${list}; default newest first`,
      error: `must be one of ${list}, optionally prefixed with - for descending order`,
    }),
  )
}

/** A page of results. */
export function Page<T extends Parameters<typeof t.Array>[0]>(item: T) {
  return t.Object({ items: t.Array(item), total: t.Integer(), page: t.Integer(), pageSize: t.Integer() })
}

/** Quota in integer units (500,000 = 1 USD). */
export const Units = t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Quota units; 500,000 = 1 USD' })

/** A short human-facing name. */
export const Name = t.String({ minLength: 1, maxLength: 128 })

/** A model name. */
export const ModelName = t.String({ minLength: 1, maxLength: 200 })

/** A user or channel group name. */
export const GroupName = t.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$', error: 'must be 1–64 characters: letters, digits, _ . -' })
